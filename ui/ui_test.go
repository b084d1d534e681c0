package ui_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/js"
	"github.com/liveview-go/liveview/render"
	"github.com/liveview-go/liveview/ui"
)

func html(t *testing.T, src string, data any) string {
	t.Helper()
	tm, err := render.New("page").Components(ui.Components()...).Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	var b strings.Builder
	if err := tm.ExecuteHTML(&b, data); err != nil {
		t.Fatalf("Execute(%q): %v", src, err)
	}
	return b.String()
}

func contains(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %s:\n%s", w, got)
		}
	}
}

const evil = `"><script>alert(1)</script>`

func noScript(t *testing.T, got string) {
	t.Helper()
	if strings.Contains(got, "<script>") || strings.Contains(got, "javascript:") {
		t.Errorf("hostile value reached the output unescaped:\n%s", got)
	}
}

func TestButton(t *testing.T) {
	got := html(t, `{{with component "button" "Variant" "danger" "phx-click" "delete" "phx-value-id" .}}Delete {{.}}{{end}}`, evil)
	contains(t, got, `<button type="button" class="ui-button ui-button-danger"`, `phx-click="delete"`,
		`phx-value-id="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`, `>Delete &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</button>`)
	noScript(t, got)
	if _, err := render.New("p").Components(ui.Components()...).Parse(`{{component "button"}}`); err == nil || !strings.Contains(err.Error(), "missing required Inner") {
		t.Errorf("a button without a label: %v", err)
	}
}

func TestInputs(t *testing.T) {
	type form struct {
		Name    string
		Errors  []string
		Roles   []ui.Option
		Role    string
		Admin   bool
		Comment string
	}
	data := form{Name: evil, Errors: []string{"can't be <blank>"}, Roles: []ui.Option{{"Dev", "dev"}, {"Ops", evil}}, Role: evil, Admin: true, Comment: "</textarea><script>alert(1)</script>"}
	got := html(t, `{{component "input" "ID" "name" "Label" "Name" "Value" .Name "Errors" .Errors "phx-debounce" "300"}}`+
		`{{component "input" "ID" "email" "Type" "email" "Label" "Email"}}`+
		`{{component "input" "ID" "password" "Type" "password"}}`+
		`{{component "input" "ID" "age" "Type" "number" "Value" 42}}`+
		`{{component "input" "ID" "role" "Type" "select" "Options" .Roles "Value" .Role "Prompt" "Pick one"}}`+
		`{{component "input" "ID" "admin" "Type" "checkbox" "Label" "Admin" "Checked" .Admin}}`+
		`{{component "input" "ID" "comment" "Type" "textarea" "Value" .Comment}}`, data)
	contains(t, got,
		`<div class="ui-field ui-invalid"><label for="name">Name</label><input type="text" id="name" name="name" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"  phx-debounce="300"><p class="ui-error">can&#39;t be &lt;blank&gt;</p></div>`,
		`<input type="email" id="email" name="email" value="" >`,
		`<input type="password" id="password"`,
		`<input type="number" id="age" name="age" value="42" >`,
		`<option value="">Pick one</option><option value="dev" >Dev</option><option value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" selected>Ops</option>`,
		`<input type="hidden" name="admin" value="false"><label><input type="checkbox" id="admin" name="admin" value="true" checked > Admin</label>`,
		`<textarea id="comment" name="comment" >&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>`,
	)
	noScript(t, got)
}

func TestInputFromFormField(t *testing.T) {
	f := form.Field{Name: "user[email]", ID: "user_email", Value: evil, Errors: []string{"is taken"}}
	got := html(t, `{{component "input" "Field" . "Type" "email" "Label" "Email"}}{{component "input" "Field" . "ID" "other" "Value" "mine"}}`, f)
	contains(t, got,
		`<div class="ui-field ui-invalid"><label for="user_email">Email</label><input type="email" id="user_email" name="user[email]" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" ><p class="ui-error">is taken</p></div>`,
		`<input type="text" id="other" name="user[email]" value="mine" >`)
	noScript(t, got)
}

func TestSimpleFormTableListHeader(t *testing.T) {
	type user struct{ ID, Name string }
	data := struct {
		Users []user
		Save  js.Cmd
	}{[]user{{"1", "Ann"}, {"2", evil}}, js.Push("save")}
	got := html(t, `{{with component "header"}}Users{{with slot "Subtitle"}}{{len .Users}} people{{end}}{{with slot "Actions"}}{{with component "button"}}New{{end}}{{end}}{{end}}`+
		`{{with component "simple_form" "ID" "f" "Change" "validate" "Submit" .Save}}{{component "input" "ID" "q"}}{{with slot "Actions"}}{{with component "button" "Type" "submit"}}Save{{end}}{{end}}{{end}}`+
		`{{with component "table" "ID" "users" "Rows" .Users "RowKey" "ID"}}{{with $u := slot "Col" "Label" "Name"}}<b>{{$u.Name}}</b>{{end}}{{with $u := slot "Action"}}<a href="/u/{{$u.ID}}">Edit</a>{{end}}{{end}}`+
		`{{with component "list"}}{{with slot "Item" "Title" "Count"}}{{len .Users}}{{end}}{{with slot "Item" "Title" .Save}}x{{end}}{{end}}`, data)
	contains(t, got,
		`<header class="ui-header" ><div><h1>Users</h1><p>2 people</p></div><div class="ui-actions"><button type="button" class="ui-button" >New</button></div></header>`,
		`<form class="ui-form" id="f" phx-change="validate" phx-submit="[[&#34;push&#34;,{&#34;event&#34;:&#34;save&#34;}]]" ><div class="ui-field">`,
		`<div class="ui-actions"><button type="submit" class="ui-button" >Save</button></div></form>`,
		`<thead><tr><th>Name</th><th></th></tr></thead><tbody><tr><td><b>Ann</b></td><td class="ui-row-actions"><a href="/u/1">Edit</a></td></tr>`,
		`<td><b>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</b></td>`,
		`<dl class="ui-list" ><div><dt>Count</dt><dd>2</dd></div>`,
	)
	noScript(t, got)
}

func TestModal(t *testing.T) {
	src := `{{with component "modal" "ID" "confirm" "Show" .Show "Title" .Title "OnCancel" "close"}}<p>Sure?</p>{{end}}`
	if got := html(t, src, struct {
		Show  bool
		Title string
	}{false, "x"}); got != "" {
		t.Errorf("a hidden modal renders %q, want nothing", got)
	}
	got := html(t, src, struct {
		Show  bool
		Title string
	}{true, evil})
	contains(t, got, `<div id="confirm" class="ui-modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title" phx-mounted="[[&#34;focus_first&#34;,{&#34;to&#34;:&#34;#confirm .ui-modal-panel&#34;}]]" phx-window-keydown="close" phx-key="Escape" >`,
		`<div class="ui-modal-backdrop" phx-click="close"></div>`, `<p>Sure?</p></div></div>`,
		`<h2 id="confirm-title">&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h2>`)
	noScript(t, got)
}

func TestFlashGroup(t *testing.T) {
	got := html(t, `{{component "flash_group" "Flash" .}}`, map[string]string{"info": "Saved " + evil, "error": ""})
	contains(t, got,
		`<div id="flash-info" class="ui-flash ui-flash-info" role="alert" phx-click="lv:clear-flash" phx-value-key="info">Saved &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</div>`,
		`<div id="client-error" class="ui-flash ui-flash-error" role="alert" hidden phx-disconnected="[[&#34;show&#34;,{&#34;to&#34;:&#34;.phx-client-error #client-error&#34;}],[&#34;remove_attr&#34;,{&#34;attr&#34;:&#34;hidden&#34;}]]" phx-connected="[[&#34;hide&#34;,{&#34;to&#34;:&#34;#client-error&#34;}],[&#34;set_attr&#34;,{&#34;attr&#34;:[&#34;hidden&#34;,&#34;&#34;]}]]">`,
		`id="server-error"`)
	if strings.Contains(got, `id="flash-error"`) {
		t.Errorf("an empty error message renders a flash:\n%s", got)
	}
	noScript(t, got)
}

func TestStyleServedAndLinked(t *testing.T) {
	head := string(ui.Head("/ui"))
	m := regexp.MustCompile(`^<link rel="stylesheet" href="(/ui/ui-[0-9a-f]{16}\.css)">$`).FindStringSubmatch(head)
	if m == nil {
		t.Fatalf("Head = %s, want a link to /ui/ui-<hash>.css", head)
	}
	for _, c := range []struct{ path, cache string }{{m[1], "immutable"}, {"/ui/ui.css", "no-cache"}} {
		rec := httptest.NewRecorder()
		ui.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") || !strings.Contains(rec.Body.String(), "--ui-accent") {
			t.Errorf("GET %s: %d %q, body starts %.40q", c.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
		if !strings.Contains(rec.Header().Get("Cache-Control"), c.cache) {
			t.Errorf("GET %s: Cache-Control %q, want %s", c.path, rec.Header().Get("Cache-Control"), c.cache)
		}
	}
	if len(ui.CSS()) > 12000 {
		t.Errorf("the stylesheet is %d bytes; keep it small", len(ui.CSS()))
	}
}

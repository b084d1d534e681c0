// Package ui is a styled set of core components for liveview pages, after
// Phoenix's generated core_components: a flash group with the connection
// notices, buttons, form inputs with their errors, a simple form, a table
// with column slots, a modal, a page header and a description list.
//
// Each is a render function component (see render's "Function components"):
// add them to a template set with Components, then call them by name:
//
//	var page = render.Must(render.New("page").Components(ui.Components()...).Parse(`
//	{{component "flash_group" "Flash" .Flash}}
//	{{with component "header"}}Users{{with slot "Actions"}}{{with component "button" "phx-click" "new"}}New user{{end}}{{end}}{{end}}
//	{{with component "table" "ID" "users" "Rows" .Users "RowKey" "ID"}}
//	  {{with $u := slot "Col" "Label" "Name"}}{{$u.Name}}{{end}}
//	  {{with $u := slot "Col" "Label" "Email"}}{{$u.Email}}{{end}}
//	{{end}}`))
//
// The attributes of each component are the fields of its ...Attrs type;
// names in lower case (class, id, phx-click, data-*) go to its Rest and are
// written on its main element.
//
// # Styles
//
// The components' CSS is a small plain stylesheet embedded in the package,
// themeable through CSS variables (--ui-accent, --ui-bg, --ui-fg,
// --ui-radius, ...), dark when the system prefers it or under
// data-theme="dark" (light under data-theme="light"). It is served as a
// file, so that it works under a Content-Security-Policy that allows
// styles from 'self' only:
//
//	lv := liveview.NewServer(liveview.Config{Head: ui.Head("/ui")})
//	mux.Handle("/ui/", ui.Handler())
package ui

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"path"
	"reflect"

	"github.com/liveview-go/liveview/form"
	"github.com/liveview-go/liveview/internal/asset"
	"github.com/liveview-go/liveview/js"
	"github.com/liveview-go/liveview/render"
)

//go:embed ui.css
var css []byte

var style = asset.New(css, "text/css; charset=utf-8")

// CSS returns the stylesheet, for an app that bundles it with its own.
func CSS() []byte { return append([]byte(nil), css...) }

// Head returns the link element for Config.Head that loads the stylesheet
// from dir (where Handler is mounted), under a URL holding a hash of its
// content, so that browsers may cache it for ever.
func Head(dir string) template.HTML {
	return template.HTML(`<link rel="stylesheet" href="` + template.HTMLEscapeString(style.HashedPath(path.Join(dir, "ui.css"))) + `">`)
}

// Handler serves the stylesheet at any path (mount it on the dir given to
// Head): cached for a year under the hashed name Head links to, revalidated
// under any other.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cache := asset.Revalidate
		if path.Base(r.URL.Path) == path.Base(style.HashedPath("ui.css")) {
			cache = asset.Immutable
		}
		style.Serve(w, r, cache)
	})
}

// Components returns every component of the set, for Template.Components.
func Components() []*render.Component {
	return []*render.Component{FlashGroup, Button, Input, SimpleForm, Table, Modal, Header, List}
}

// FlashGroupAttrs are the attributes of "flash_group".
type FlashGroupAttrs struct {
	// Flash is the view's flash (a liveview.Flash): each message shows by
	// kind ("info", "error", ...) and disappears when clicked.
	Flash map[string]string
	// ID is the group's id; default "flash-group".
	ID string
}

// ShowNotice is what the client runs when the view loses its connection:
// it shows the notice whose id is given, if the view's container carries
// the client's phx-client-error or phx-server-error class.
func (FlashGroupAttrs) ShowNotice(id string) js.Cmd {
	return js.Show(".phx-"+id+" #"+id).RemoveAttribute("", "hidden")
}

// HideNotice is what the client runs when the view is connected again.
func (FlashGroupAttrs) HideNotice(id string) js.Cmd {
	return js.Hide("#"+id).SetAttribute("", "hidden", "")
}

// FlashGroup renders the flash messages and the notices the client shows
// while the connection is lost (phx-disconnected) or the view crashed, and
// hides again once connected (phx-connected).
var FlashGroup = render.MustComponent[FlashGroupAttrs]("flash_group", `<div class="ui-flash-group" id="{{or .ID "flash-group"}}" aria-live="polite">
{{- range $kind, $msg := .Flash}}{{if $msg}}<div id="flash-{{$kind}}" class="ui-flash ui-flash-{{$kind}}" role="alert" phx-click="lv:clear-flash" phx-value-key="{{$kind}}">{{$msg}}</div>{{end}}{{end -}}
<div id="client-error" class="ui-flash ui-flash-error" role="alert" hidden phx-disconnected="{{.ShowNotice "client-error"}}" phx-connected="{{.HideNotice "client-error"}}"><span><strong>We can't find the internet</strong>Attempting to reconnect&hellip;</span></div>
<div id="server-error" class="ui-flash ui-flash-error" role="alert" hidden phx-disconnected="{{.ShowNotice "server-error"}}" phx-connected="{{.HideNotice "server-error"}}"><span><strong>Something went wrong!</strong>Hang in there while we get back on track&hellip;</span></div>
</div>`)

// ButtonAttrs are the attributes of "button"; the call's body is its label.
type ButtonAttrs struct {
	// Type is the button's type: "button" (the default), "submit" or "reset".
	Type string
	// Variant is "primary" (the default), "secondary" or "danger".
	Variant string
	Rest    render.Attrs `attr:"rest"`
	Inner   *render.Slot `attr:"required"`
}

// Button renders a button.
var Button = render.MustComponent[ButtonAttrs]("button",
	`<button type="{{or .Type "button"}}" class="ui-button{{with .Variant}} ui-button-{{.}}{{end}}" {{.Rest}}>{{render_slot .Inner}}</button>`)

// Option is one choice of a select input.
type Option struct {
	Label, Value string
}

// InputAttrs are the attributes of "input".
type InputAttrs struct {
	// Field, a field of a form.Form ("Field" (.Form.Field "email")), gives
	// the input its ID, Name, Value, Checked and Errors; attributes given
	// explicitly win.
	Field form.Field
	// ID is the element's id, which the label points at (or Field's ID).
	ID string
	// Name is the form field's name; default: ID.
	Name string
	// Type is an input type (text, the default, email, password, number,
	// date, ...), or "select", "checkbox" or "textarea".
	Type  string
	Label string
	// Value is the current value; for a select, the chosen option's Value.
	Value any
	// Checked is a checkbox's state: it sends "true" when checked and
	// "false" when not (a hidden input carries the latter).
	Checked bool
	// Options are a select's choices; Prompt, if set, is a first empty one.
	Options []Option
	Prompt  string
	// Errors are shown under the field, which is marked invalid.
	Errors []string
	Rest   render.Attrs `attr:"rest"`
}

// Resolved returns the attributes with Field's parts where the others are
// empty.
func (in InputAttrs) Resolved() InputAttrs {
	f := in.Field
	if in.ID == "" {
		in.ID = f.ID
	}
	if in.Name == "" {
		in.Name = f.Name
	}
	if in.Name == "" {
		in.Name = in.ID
	}
	if in.Value == nil && (f.Name != "" || f.ID != "") {
		in.Value = f.Value
	}
	if !in.Checked {
		in.Checked = f.Checked
	}
	if in.Errors == nil {
		in.Errors = f.Errors
	}
	return in
}

// Input renders a labelled form field with its errors.
var Input = render.MustComponent[InputAttrs]("input", `{{with $in := .Resolved}}<div class="ui-field{{if eq .Type "checkbox"}} ui-field-checkbox{{end}}{{if .Errors}} ui-invalid{{end}}">
{{- if eq .Type "checkbox" -}}
<input type="hidden" name="{{.Name}}" value="false"><label><input type="checkbox" id="{{.ID}}" name="{{.Name}}" value="true" {{if .Checked}}checked{{end}} {{.Rest}}> {{.Label}}</label>
{{- else -}}
{{with .Label}}<label for="{{$in.ID}}">{{.}}</label>{{end}}
{{- if eq .Type "select" -}}
<select id="{{.ID}}" name="{{.Name}}" {{.Rest}}>{{with .Prompt}}<option value="">{{.}}</option>{{end}}{{range .Options}}<option value="{{.Value}}" {{if eq .Value (print $in.Value)}}selected{{end}}>{{.Label}}</option>{{end}}</select>
{{- else if eq .Type "textarea" -}}
<textarea id="{{.ID}}" name="{{.Name}}" {{.Rest}}>{{.Value}}</textarea>
{{- else -}}
<input type="{{or .Type "text"}}" id="{{.ID}}" name="{{.Name}}" value="{{.Value}}" {{.Rest}}>
{{- end}}{{end}}
{{- range .Errors}}<p class="ui-error">{{.}}</p>{{end -}}
</div>{{end}}`)

// SimpleFormAttrs are the attributes of "simple_form": its body holds the
// inputs, its Actions slots the buttons.
type SimpleFormAttrs struct {
	ID string
	// Change and Submit are the phx-change and phx-submit bindings: an
	// event name or a js.Cmd.
	Change, Submit any
	Rest           render.Attrs `attr:"rest"`
	Inner          *render.Slot
	Actions        []*render.Slot
}

// SimpleForm renders a form with its inputs and, below them, its actions.
var SimpleForm = render.MustComponent[SimpleFormAttrs]("simple_form",
	`<form class="ui-form"{{with .ID}} id="{{.}}"{{end}}{{with .Change}} phx-change="{{.}}"{{end}}{{with .Submit}} phx-submit="{{.}}"{{end}} {{.Rest}}>`+
		`{{render_slot .Inner}}{{if .Actions}}<div class="ui-actions">{{range .Actions}}{{render_slot .}}{{end}}</div>{{end}}</form>`)

// TableAttrs are the attributes of "table". Each Col slot is a column,
// with its heading as the "Label" attribute and its cell as content, which
// gets the row as its argument: {{with $u := slot "Col" "Label" "Name"}}.
// Action slots render, with the row too, in a last column.
type TableAttrs struct {
	ID string
	// Rows are ranged over, one table row each.
	Rows any `attr:"required"`
	// RowKey, if set, names the field that identifies a row, so that the
	// table diffs row by row as rows move (see render's keyed ranges).
	RowKey string
	// RowID, with RowKey, gives each row the id RowID followed by its key
	// ("planet-" makes "planet-5").
	RowID  string
	Col    []*render.Slot `attr:"required"`
	Action []*render.Slot
	Rest   render.Attrs `attr:"rest"`
}

// DOMID returns the id of row's element: RowID and the row's RowKey.
func (t TableAttrs) DOMID(row any) string {
	v := reflect.ValueOf(row)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		v = v.FieldByName(t.RowKey)
	case reflect.Map:
		v = v.MapIndex(reflect.ValueOf(t.RowKey))
	default:
		v = reflect.Value{}
	}
	if !v.IsValid() {
		return t.RowID
	}
	return t.RowID + fmt.Sprint(v.Interface())
}

// Table renders a table with column slots.
var Table = render.MustComponent[TableAttrs]("table", `<div class="ui-table-wrap"><table class="ui-table"{{with .ID}} id="{{.}}"{{end}} {{.Rest}}><thead><tr>
{{- range .Col}}<th>{{.Attr "Label"}}</th>{{end}}{{if .Action}}<th></th>{{end}}</tr></thead><tbody>
{{- if .RowKey}}{{range $row := keyed .RowKey .Rows}}<tr{{if $.RowID}} id="{{$.DOMID $row}}"{{end}}>{{range $.Col}}<td>{{render_slot . $row}}</td>{{end}}{{if $.Action}}<td class="ui-row-actions">{{range $.Action}}{{render_slot . $row}}{{end}}</td>{{end}}</tr>{{end}}
{{- else}}{{range $row := .Rows}}<tr>{{range $.Col}}<td>{{render_slot . $row}}</td>{{end}}{{if $.Action}}<td class="ui-row-actions">{{range $.Action}}{{render_slot . $row}}{{end}}</td>{{end}}</tr>{{end}}{{end -}}
</tbody></table></div>`)

// ModalAttrs are the attributes of "modal"; the call's body is its content.
type ModalAttrs struct {
	ID string `attr:"required"`
	// Show shows the modal: the server opens and closes it.
	Show  bool
	Title string
	// OnCancel is the binding run by the close button, a click on the
	// backdrop and the Escape key: an event name or a js.Cmd.
	OnCancel any          `attr:"required"`
	Rest     render.Attrs `attr:"rest"`
	Inner    *render.Slot `attr:"required"`
}

// FocusFirst is what the client runs when the modal appears: it moves the
// focus into the modal.
func (m ModalAttrs) FocusFirst() js.Cmd { return js.FocusFirst("#" + m.ID + " .ui-modal-panel") }

// Modal renders a modal dialog while Show is true.
var Modal = render.MustComponent[ModalAttrs]("modal", `{{if .Show}}<div id="{{.ID}}" class="ui-modal" role="dialog" aria-modal="true"{{with .Title}} aria-labelledby="{{$.ID}}-title"{{end}} phx-mounted="{{.FocusFirst}}" phx-window-keydown="{{.OnCancel}}" phx-key="Escape" {{.Rest}}>`+
	`<div class="ui-modal-backdrop" phx-click="{{.OnCancel}}"></div><div class="ui-modal-panel">`+
	`<button type="button" class="ui-modal-close" aria-label="Close" phx-click="{{.OnCancel}}">&times;</button>`+
	`{{with .Title}}<h2 id="{{$.ID}}-title">{{.}}</h2>{{end}}{{render_slot .Inner}}</div></div>{{end}}`)

// HeaderAttrs are the attributes of "header": the body is the title,
// Subtitle and Actions are slots.
type HeaderAttrs struct {
	Inner    *render.Slot `attr:"required"`
	Subtitle *render.Slot
	Actions  *render.Slot
	Rest     render.Attrs `attr:"rest"`
}

// Header renders a page header.
var Header = render.MustComponent[HeaderAttrs]("header",
	`<header class="ui-header" {{.Rest}}><div><h1>{{render_slot .Inner}}</h1>{{if .Subtitle}}<p>{{render_slot .Subtitle}}</p>{{end}}</div>`+
		`{{if .Actions}}<div class="ui-actions">{{render_slot .Actions}}</div>{{end}}</header>`)

// ListAttrs are the attributes of "list": each Item slot is a term (its
// "Title" attribute) and its description (its content).
type ListAttrs struct {
	Item []*render.Slot `attr:"required"`
	Rest render.Attrs   `attr:"rest"`
}

// List renders a description list.
var List = render.MustComponent[ListAttrs]("list",
	`<dl class="ui-list" {{.Rest}}>{{range .Item}}<div><dt>{{.Attr "Title"}}</dt><dd>{{render_slot .}}</dd></div>{{end}}</dl>`)

package liveviewtest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview/liveviewtest"
)

// These tests run the client against a scripted server, so that they can
// check exactly what it sends and feed it frames in any order.

// msg is one frame the scripted server received.
type msg struct {
	JoinRef, Ref, Topic, Event string
	Payload                    map[string]any
}

// script is a fake LiveView server: a page with a view container, and a
// websocket whose answers come from respond.
type script struct {
	t       *testing.T
	inner   string // the container's HTTP content
	respond func(m msg) []string

	mu      sync.Mutex
	got     []msg
	upgrade *http.Request
	cookies map[string][]string // by path: the Cookie headers of page loads
}

const page = `<!DOCTYPE html><html><head><meta name="csrf-token" content="tok&amp;en"><title>Fake &amp; page</title></head>
<body><div id="phx-1" data-phx-main data-phx-session="sess" data-phx-static="stat">%s</div>
</body></html>`

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/live/websocket" {
		s.mu.Lock()
		s.upgrade = r
		s.mu.Unlock()
		up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var f []any
			if err := json.Unmarshal(data, &f); err != nil || len(f) != 5 {
				s.t.Errorf("the client sent a malformed frame: %s", data)
				return
			}
			str := func(x any) string { v, _ := x.(string); return v }
			payload, _ := f[4].(map[string]any)
			m := msg{JoinRef: str(f[0]), Ref: str(f[1]), Topic: str(f[2]), Event: str(f[3]), Payload: payload}
			s.mu.Lock()
			s.got = append(s.got, m)
			s.mu.Unlock()
			for _, out := range s.respond(m) {
				if err := ws.WriteMessage(websocket.TextMessage, []byte(out)); err != nil {
					return
				}
			}
		}
	}
	switch r.URL.Path {
	case "/old":
		http.Redirect(w, r, "/items?x=1", http.StatusFound)
		return
	case "/away":
		http.Redirect(w, r, "https://example.com/", http.StatusFound)
		return
	}
	s.mu.Lock()
	s.cookies[r.URL.Path] = append(s.cookies[r.URL.Path], r.Header.Get("Cookie"))
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc", Path: "/"})
	w.Header().Set("Content-Type", "text/html")
	w.Write([]byte(strings.Replace(page, "%s", s.inner, 1)))
}

// received returns the messages of event received so far.
func (s *script) received(event string) []msg {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []msg
	for _, m := range s.got {
		if m.Event == event {
			out = append(out, m)
		}
	}
	return out
}

func reply(m msg, response string) string {
	return `["` + m.JoinRef + `","` + m.Ref + `","` + m.Topic + `","phx_reply",{"status":"ok","response":` + response + `}]`
}

func errReply(m msg, response string) string {
	return `["` + m.JoinRef + `","` + m.Ref + `","` + m.Topic + `","phx_reply",{"status":"error","response":` + response + `}]`
}

func push(m msg, event, payload string) string {
	return `["` + m.JoinRef + `",null,"` + m.Topic + `","` + event + `",` + payload + `]`
}

// A list of items; entry 0 is "a".
const listJoin = `{"rendered":{"0":{"s":["<li>","</li>"],"k":{"0":{"0":"a"},"kc":1}},"s":["<ul id=\"l\">","</ul><button id=\"b\" phx-click=\"go\" phx-value-Item-Id=\"42\" value=\"v\">go</button>"],"t":"Fake"}}`

func newScript(t *testing.T, inner string, respond func(m msg) []string) (*script, *liveviewtest.Server) {
	s := &script{t: t, inner: inner, respond: respond, cookies: map[string][]string{}}
	return s, liveviewtest.NewServer(t, s, liveviewtest.WithTimeout(2*time.Second), liveviewtest.WithFrameLog(t.Logf))
}

// joinOr answers joins with listJoin and every other message with other.
func joinOr(other func(m msg) []string) func(m msg) []string {
	return func(m msg) []string {
		if m.Event == "phx_join" {
			return []string{reply(m, listJoin)}
		}
		return other(m)
	}
}

func TestConnectsAndJoinsAsTheClientDoes(t *testing.T) {
	s, ts := newScript(t, "<p>dead</p>", joinOr(func(msg) []string { return nil }))
	// Mount follows HTTP redirects within the site, as a browser does.
	v, err := ts.Mount("/old")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Mount("/away"); err == nil || !strings.Contains(err.Error(), "outside the server under test") {
		t.Errorf("redirect to another site: %v", err)
	}
	s.mu.Lock()
	up := s.upgrade
	s.mu.Unlock()
	q := up.URL.Query()
	if q.Get("_csrf_token") != "tok&en" || q.Get("vsn") != "2.0.0" || q.Get("_mounts") != "0" || q.Get("_mount_attempts") != "0" {
		t.Errorf("socket query %v", q)
	}
	if up.Header.Get("Origin") != ts.URL || !strings.Contains(up.Header.Get("Cookie"), "sid=abc") {
		t.Errorf("socket headers: Origin %q, Cookie %q", up.Header.Get("Origin"), up.Header.Get("Cookie"))
	}
	j := s.received("phx_join")[0]
	params, _ := j.Payload["params"].(map[string]any)
	if j.Topic != "lv:phx-1" || j.JoinRef != j.Ref || j.Payload["url"] != ts.URL+"/items?x=1" ||
		j.Payload["session"] != "sess" || j.Payload["static"] != "stat" ||
		params["_csrf_token"] != "tok&en" || params["_mounts"] != 0.0 {
		t.Errorf("join: %+v", j)
	}
	if v.ID() != "phx-1" || v.DeadHTML() != "<p>dead</p>" || v.Page().Title != "Fake & page" {
		t.Errorf("page: id %q, dead %q, title %q", v.ID(), v.DeadHTML(), v.Page().Title)
	}
	if want := `<ul id="l"><li>a</li></ul><button id="b" phx-click="go" phx-value-Item-Id="42" value="v">go</button>`; v.HTML() != want {
		t.Errorf("HTML = %s, want %s", v.HTML(), want)
	}
	if v.Title() != "Fake" {
		t.Errorf("title %q", v.Title())
	}
}

// A diff pushed right after a reply builds on the reply's diff: the client
// must apply them in the order they arrive.
func TestRepliesApplyInFrameOrder(t *testing.T) {
	_, ts := newScript(t, "", func(m msg) []string {
		switch m.Event {
		case "phx_join":
			return []string{reply(m, listJoin), push(m, "diff", `{"0":{"k":{"0":{"0":"a1"},"kc":1}}}`)}
		case "event":
			return []string{
				reply(m, `{"diff":{"0":{"k":{"1":{"0":"b"},"kc":2}}}}`),
				push(m, "diff", `{"0":{"k":{"1":{"0":"b1"},"kc":2}}}`),
				push(m, "diff", `{"0":{"k":{"1":{"0":"b2"},"kc":2}},"e":[["done",{"n":1}]]}`),
			}
		}
		return nil
	})
	for i := 0; i < 20; i++ {
		v, err := ts.Mount("/")
		if err != nil {
			t.Fatal(err)
		}
		if err := v.ClickEvent("add", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := v.AwaitEvent("done"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(v.HTML(), "<li>a1</li><li>b2</li>") {
			t.Fatalf("HTML = %s", v.HTML())
		}
		v.Conn().Close()
	}
}

func TestElementActionsSendWhatTheClientSends(t *testing.T) {
	inner := ``
	s, ts := newScript(t, inner, func(m msg) []string {
		if m.Event == "phx_join" {
			return []string{reply(m, `{"rendered":{"s":["`+
				`<button id=\"b\" phx-click=\"go\" phx-value-Item-Id=\"42\" value=\"v\">go</button>`+
				`<a id=\"js\" phx-click='[[\"push\",{\"event\":\"one\",\"value\":{\"x\":1}}],[\"toggle\",{\"to\":\"#m\"}],[\"push\",{\"event\":\"two\"}]]' phx-value-k=\"K\">js</a>`+
				`<input id=\"i\" name=\"q\" value=\"abc\" phx-keyup=\"typed\" phx-blur=\"left\" phx-focus=\"came\" phx-value-field=\"k\">`+
				`<input id=\"off\" type=\"checkbox\" value=\"on\" phx-click=\"tick\">`+
				`<span id=\"plain\">x</span>`+
				`"]}}`)}
		}
		return []string{reply(m, `{}`)}
	})
	v, err := ts.Mount("/")
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []func() error{
		func() error { return v.Click("#b", map[string]any{"extra": true}) },
		func() error { return v.Click("a#js") },
		func() error { return v.KeyUp("#i", "Enter") },
		func() error { return v.Blur("#i") },
		func() error { return v.Focus("#i") },
		func() error { return v.Click("#off") },
	} {
		if err := act(); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, m := range s.received("event") {
		b, _ := json.Marshal(m.Payload)
		got = append(got, string(b))
	}
	want := []string{
		`{"event":"go","type":"click","value":{"extra":true,"item-id":"42","value":"v"}}`,
		`{"event":"one","type":"click","value":{"k":"K","x":1}}`,
		`{"event":"two","type":"click","value":{"k":"K"}}`,
		`{"event":"typed","type":"keyup","value":{"field":"k","key":"Enter","value":"abc"}}`,
		`{"event":"left","type":"blur","value":{"field":"k","value":"abc"}}`,
		`{"event":"came","type":"focus","value":{"field":"k","value":"abc"}}`,
		`{"event":"tick","type":"click","value":{}}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	if err := v.Click("#plain"); err == nil || !strings.Contains(err.Error(), "has no phx-click") {
		t.Errorf("click on an element without phx-click: %v", err)
	}
	if err := v.Click("#missing"); err == nil || !strings.Contains(err.Error(), `no element matches "#missing"`) {
		t.Errorf("click on a missing element: %v", err)
	}
	if err := v.Click("[bad"); err == nil {
		t.Errorf("a malformed selector was accepted")
	}
	if err := v.KeyDown("#i", "a"); err == nil || !strings.Contains(err.Error(), "has no phx-keydown") {
		t.Errorf("keydown without phx-keydown: %v", err)
	}
}

const formJoin = `{"rendered":{"s":["<form id=\"f\" phx-change=\"validate\" phx-submit=\"save\" phx-value-extra=\"1\">` +
	`<input name=\"user[name]\" value=\"Joe\"><input name=\"user[email]\" value=\"\">` +
	`<input type=\"hidden\" name=\"user[id]\" value=\"7\">` +
	`<input type=\"checkbox\" name=\"user[tags][]\" value=\"a\" checked><input type=\"checkbox\" name=\"user[tags][]\" value=\"b\" checked>` +
	`<select name=\"role\"><option value=\"x\">X</option><option selected>Y</option></select>` +
	`<textarea name=\"bio\" phx-no-unused-field>hi</textarea></form>"]}}`

func TestFormsAreSerialisedAsTheClientDoes(t *testing.T) {
	s, ts := newScript(t, "", func(m msg) []string {
		if m.Event == "phx_join" {
			return []string{reply(m, formJoin)}
		}
		return []string{reply(m, `{}`)}
	})
	v, err := ts.Mount("/")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Change("#f", url.Values{"user[name]": {"Ann"}}, "user[name]"); err != nil {
		t.Fatal(err)
	}
	if err := v.Submit("#f", url.Values{"action": {"publish"}}); err != nil {
		t.Fatal(err)
	}
	if err := v.Change("#f", nil, "user[email]"); err != nil {
		t.Fatal(err)
	}
	ev := s.received("event")
	decode := func(m msg) string {
		s, _ := url.QueryUnescape(m.Payload["value"].(string))
		return s
	}
	// The first change: untouched visible fields carry their _unused_ key.
	if got, want := decode(ev[0]), "user[name]=Ann&user[_unused_email]=&user[email]=&user[id]=7&"+
		"user[_unused_tags][]=&user[tags][]=a&user[_unused_tags][]=&user[tags][]=b&_unused_role=&role=Y&bio=hi"; got != want {
		t.Errorf("change value:\n%s\nwant\n%s", got, want)
	}
	if meta, _ := json.Marshal(ev[0].Payload["meta"]); string(meta) != `{"_target":"user[name]","extra":"1"}` || ev[0].Payload["type"] != "form" || ev[0].Payload["event"] != "validate" {
		t.Errorf("change: %+v", ev[0].Payload)
	}
	if _, ok := ev[0].Payload["uploads"]; !ok {
		t.Errorf("change without uploads: %+v", ev[0].Payload)
	}
	// The submit: no _unused_ keys, the submitter last, phx-value as meta.
	if got, want := decode(ev[1]), "user[name]=Joe&user[email]=&user[id]=7&user[tags][]=a&user[tags][]=b&role=Y&bio=hi&action=publish"; got != want {
		t.Errorf("submit value:\n%s\nwant\n%s", got, want)
	}
	if meta, _ := json.Marshal(ev[1].Payload["meta"]); string(meta) != `{"extra":"1"}` || ev[1].Payload["event"] != "save" {
		t.Errorf("submit: %+v", ev[1].Payload)
	}
	// After a submit every field counts as used.
	if got := decode(ev[2]); strings.Contains(got, "_unused_") {
		t.Errorf("change after submit: %s", got)
	}
}

func TestRepliesAndPushes(t *testing.T) {
	s, ts := newScript(t, "", joinOr(func(m msg) []string {
		if m.Event != "event" {
			return []string{reply(m, `{}`)}
		}
		switch m.Payload["event"] {
		case "ping":
			return []string{reply(m, `{"diff":{"r":{"pong":2},"t":"Pinged"}}`)}
		case "refuse":
			return []string{errReply(m, `{"reason":"nope"}`)}
		case "patch":
			return []string{push(m, "live_patch", `{"to":"/items?page=2","kind":"replace"}`), reply(m, `{"diff":{}}`)}
		case "silent":
			return nil
		case "crash":
			return []string{`["` + m.JoinRef + `","` + m.JoinRef + `","` + m.Topic + `","phx_error",{}]`}
		}
		return []string{reply(m, `{}`)}
	}))
	v, err := ts.Mount("/items")
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Hook("ping", map[string]any{"x": 1})
	if err != nil || r["pong"] != 2.0 {
		t.Errorf("hook reply %v, %v", r, err)
	}
	if v.Title() != "Pinged" {
		t.Errorf("title after the reply: %q", v.Title())
	}
	err = v.ClickEvent("refuse", nil)
	var re *liveviewtest.ReplyError
	if !errors.As(err, &re) || re.Reason() != "nope" {
		t.Errorf("error reply: %v", err)
	}
	if err := v.ClickEvent("patch", nil); err != nil {
		t.Fatal(err)
	}
	if r, ok := v.Redirected(); !ok || r.Kind != "live_patch" || r.To != "/items?page=2" || !r.Replace {
		t.Errorf("pushed patch: %+v", r)
	}
	if v.URL() != ts.URL+"/items?page=2" || strings.Join(v.Patches(), " ") != "/items?page=2" {
		t.Errorf("URL %s, patches %v", v.URL(), v.Patches())
	}

	// Low level: a message with our own ref, a push awaited by cursor.
	c := v.Conn()
	if err := c.SendRef(v.JoinRef(), "custom-ref", v.Topic(), "event", map[string]any{"type": "click", "event": "patch", "value": map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Await("custom-ref"); err != nil || r.Status != "ok" {
		t.Errorf("await custom-ref: %+v %v", r, err)
	}
	for i := 0; i < 2; i++ {
		p, err := c.NextPush(v.Topic())
		if err != nil || p.Event != "live_patch" {
			t.Errorf("push %d: %+v %v", i, p, err)
		}
	}

	// A reply that never comes times out with a message that says what.
	short := liveviewtest.NewServer(t, s, liveviewtest.WithTimeout(50*time.Millisecond))
	w, err := short.Mount("/items")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.ClickEvent("silent", nil); err == nil || !strings.Contains(err.Error(), "nothing after 50ms") {
		t.Errorf("no reply: %v", err)
	}

	// A crash ends the wait at once.
	if err := v.ClickEvent("crash", nil); err == nil || !strings.Contains(err.Error(), "crashed") || !v.Crashed() {
		t.Errorf("crash: %v, Crashed %v", err, v.Crashed())
	}
	if err := v.Rejoin(); err != nil {
		t.Fatal(err)
	}
	joins := s.received("phx_join")
	last := joins[len(joins)-1]
	if p := last.Payload["params"].(map[string]any); p["_mounts"] != 1.0 || last.Topic != v.Topic() || v.Crashed() {
		t.Errorf("rejoin: %+v", last)
	}
}

func TestNavigation(t *testing.T) {
	s, ts := newScript(t, "", func(m msg) []string {
		switch m.Event {
		case "phx_join":
			if m.Payload["redirect"] != nil {
				return []string{reply(m, `{"rendered":{"s":["<p>other</p>"]}}`)}
			}
			return []string{reply(m, `{"rendered":{"s":["<a id=\"p\" href=\"/items?page=3\" data-phx-link=\"patch\">p</a><a id=\"r\" href=\"/other\" data-phx-link=\"redirect\">r</a><a id=\"x\" href=\"/x\">x</a>"]}}`)}
		case "live_patch":
			if strings.HasSuffix(m.Payload["url"].(string), "/elsewhere") {
				return []string{reply(m, `{"link_redirect":true}`)}
			}
			return []string{reply(m, `{}`)}
		case "event":
			switch m.Payload["event"] {
			case "live":
				return []string{reply(m, `{"live_redirect":{"to":"/other","kind":"push","flash":"FL"}}`)}
			case "full":
				return []string{push(m, "redirect", `{"to":"/plain","flash":"F2"}`), reply(m, `{}`)}
			}
		}
		return []string{reply(m, `{}`)}
	})
	v, err := ts.Mount("/items")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.FollowLink("#p"); err != nil {
		t.Fatal(err)
	}
	if v.URL() != ts.URL+"/items?page=3" || strings.Join(v.Patches(), " ") != "/items?page=3" {
		t.Errorf("after a patch link: URL %s, patches %v", v.URL(), v.Patches())
	}
	if err := v.FollowLink("#x"); err == nil || !strings.Contains(err.Error(), "not a live link") {
		t.Errorf("plain link: %v", err)
	}
	// A navigate link: leave, then a join on the same topic with redirect.
	if err := v.FollowLink("#r"); err != nil {
		t.Fatal(err)
	}
	joins := s.received("phx_join")
	if len(joins) != 2 || joins[1].Topic != v.Topic() || joins[1].Payload["redirect"] != ts.URL+"/other" || joins[1].Payload["url"] != nil {
		t.Errorf("joins: %+v", joins)
	}
	if len(s.received("phx_leave")) != 1 || v.HTML() != "<p>other</p>" {
		t.Errorf("leaves %d, HTML %s", len(s.received("phx_leave")), v.HTML())
	}

	// A patch the server sends elsewhere (link_redirect) is live navigation.
	w, err := ts.Mount("/items")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Patch("/elsewhere"); err != nil {
		t.Fatal(err)
	}
	if w.HTML() != "<p>other</p>" || w.URL() != ts.URL+"/elsewhere" {
		t.Errorf("after link_redirect: %s at %s", w.HTML(), w.URL())
	}

	// A live redirect carries its flash into the join.
	if err := w.ClickEvent("live", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.FollowRedirect(); err != nil {
		t.Fatal(err)
	}
	joins = s.received("phx_join")
	if last := joins[len(joins)-1]; last.Payload["flash"] != "FL" || last.Payload["redirect"] != ts.URL+"/other" {
		t.Errorf("join after live redirect: %+v", last)
	}

	// A full redirect loads the page with the flash in the cookie.
	if err := w.ClickEvent("full", nil); err != nil {
		t.Fatal(err)
	}
	old := w.Conn()
	nv, err := w.FollowRedirect()
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	cookies := strings.Join(s.cookies["/plain"], ";")
	s.mu.Unlock()
	if !strings.Contains(cookies, "__phoenix_flash__=F2") || nv.Conn() == old || nv.URL() != ts.URL+"/plain" {
		t.Errorf("full redirect: cookies %q, new conn %v, URL %s", cookies, nv.Conn() != old, nv.URL())
	}
	if _, err := nv.FollowRedirect(); err == nil {
		t.Errorf("FollowRedirect with no redirect succeeded")
	}
}

// AwaitHTMLFunc waits through pushes until its condition holds, and returns
// the HTML that met it; a condition never met is an error once the timeout
// passes.
func TestAwaitHTMLFunc(t *testing.T) {
	_, ts := newScript(t, "", func(m msg) []string {
		switch m.Event {
		case "phx_join":
			return []string{reply(m, listJoin)}
		case "event":
			return []string{
				reply(m, `{}`),
				push(m, "diff", `{"0":{"k":{"1":{"0":"b"},"kc":2}}}`),
				push(m, "diff", `{"0":{"k":{"2":{"0":"c"},"kc":3}}}`),
			}
		}
		return nil
	})
	v, err := ts.Mount("/")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.ClickEvent("add", nil); err != nil {
		t.Fatal(err)
	}
	h, err := v.AwaitHTMLFunc(func(h string) bool { return strings.Count(h, "<li>") == 3 })
	if err != nil || !strings.Contains(h, "<li>a</li><li>b</li><li>c</li>") {
		t.Fatalf("waiting for three items: %v, HTML %s", err, h)
	}
	_, err = v.AwaitHTMLFunc(func(h string) bool { return strings.Count(h, "<li>") == 4 })
	if err == nil || !strings.Contains(err.Error(), "condition") {
		t.Errorf("a condition never met: %v, want an error saying what was awaited", err)
	}
}

package liveviewtest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/liveviewtest"
)

// Child views, as the client handles them: joined after their parent on
// the same connection, from their container (the session and static token
// it had in the HTTP render, which the client keeps when the parent's join
// renders it again; no URL), kept while the container stays, and left,
// children first, when it goes.
func TestChildViewsJoinAndLeaveAsTheClientDoes(t *testing.T) {
	const (
		kidDead   = `<div id="kid" data-phx-session="ks-dead" data-phx-static="kstat" data-phx-parent-id="phx-1"><p id="kc">kid dead</p></div>`
		container = `<div id=\"kid\" data-phx-session=\"%s\" data-phx-static=\"\" data-phx-parent-id=\"phx-1\"></div>`
	)
	kidAt := func(session string) string { return strings.Replace(container, "%s", session, 1) }
	s, ts := newScript(t, "<main>"+kidDead+"</main>", func(m msg) []string {
		switch {
		case m.Event == "phx_join" && m.Topic == "lv:phx-1":
			return []string{reply(m, `{"rendered":{"0":"`+kidAt("ks")+`","s":["<main>","</main>"]}}`)}
		case m.Event == "phx_join" && m.Topic == "lv:kid":
			return []string{reply(m, `{"rendered":{"s":["<p id=\"kc\">kid</p><button id=\"kb\" phx-click=\"k\">k</button>`+
				`<a id=\"kl\" href=\"/items?p=2\" data-phx-link=\"patch\">p</a>`+
				`<form id=\"kf\" phx-change=\"kch\"><input name=\"a\"><input name=\"b\"></form>`+
				`<div id=\"grand\" data-phx-session=\"gs\" data-phx-static=\"\" data-phx-parent-id=\"kid\"></div>"]}}`)}
		case m.Event == "phx_join" && m.Topic == "lv:grand":
			return []string{reply(m, `{"rendered":{"s":["<b id=\"gc\">grand</b>"]}}`)}
		case m.Event == "event" && m.Payload["event"] == "resession":
			return []string{reply(m, `{"diff":{"0":"`+kidAt("ks2")+`"}}`)}
		case m.Event == "event" && m.Payload["event"] == "crash":
			// A crash: no reply, phx_error with the join ref as ref.
			return []string{`["` + m.JoinRef + `","` + m.JoinRef + `","` + m.Topic + `","phx_error",{}]`}
		case m.Event == "event" && m.Payload["event"] == "hide":
			return []string{reply(m, `{"diff":{"0":""}}`)}
		}
		return []string{reply(m, `{}`)}
	})
	v, err := ts.Mount("/")
	if err != nil {
		t.Fatal(err)
	}
	// A query of the page reaches into the grandchild, joining both.
	if got, err := v.Text("#gc"); err != nil || got != "grand" {
		t.Fatalf("Text(#gc) = %q, %v; want the grandchild's text, grand", got, err)
	}
	joins := map[string]msg{}
	for _, j := range s.received("phx_join") {
		if _, dup := joins[j.Topic]; dup {
			t.Errorf("%s joined twice", j.Topic)
		}
		joins[j.Topic] = j
	}
	for topic, want := range map[string][2]any{"lv:kid": {"ks-dead", "kstat"}, "lv:grand": {"gs", nil}} {
		j, ok := joins[topic]
		params, _ := j.Payload["params"].(map[string]any)
		_, hasURL := j.Payload["url"]
		_, hasRedirect := j.Payload["redirect"]
		if !ok || j.Payload["session"] != want[0] || j.Payload["static"] != want[1] || hasURL || hasRedirect || params["_mounts"] != 0.0 {
			t.Errorf("join of %s: %+v; want session %v, static %v (the HTTP render's container's, if it had one), no url or redirect, _mounts 0", topic, j.Payload, want[0], want[1])
		}
	}
	kid, err := v.Child("kid")
	if err != nil {
		t.Fatal(err)
	}
	if kid.DeadHTML() != `<p id="kc">kid dead</p>` || kid.Topic() != "lv:kid" {
		t.Errorf("child: topic %s, DeadHTML %q; want lv:kid and its container's content in the HTTP render", kid.Topic(), kid.DeadHTML())
	}
	if err := v.Click("#kb"); err != nil {
		t.Fatal(err)
	}
	if ev := s.received("event"); len(ev) != 1 || ev[0].Topic != "lv:kid" || ev[0].Payload["cid"] != nil {
		t.Errorf("a click in the child sent %+v; want one event on lv:kid, without a cid", ev)
	}
	// A live link in the child patches the page's root view, as the client
	// does, whichever View follows it; so does Patch on the child.
	for _, w := range []*liveviewtest.View{v, kid} {
		if err := w.FollowLink("#kl"); err != nil {
			t.Fatal(err)
		}
	}
	if err := kid.Patch("/items?p=3"); err != nil {
		t.Fatal(err)
	}
	if p := s.received("live_patch"); len(p) != 3 || p[0].Topic != "lv:phx-1" || p[1].Topic != "lv:phx-1" || p[2].Topic != "lv:phx-1" {
		t.Errorf("following a child's patch link twice and patching the child sent %+v; want three live_patch on the root view's topic, lv:phx-1", p)
	}
	if got := v.Patches(); len(got) != 3 || got[2] != "/items?p=3" {
		t.Errorf("root view's patches: %q; want the two links' and the child's Patch", got)
	}
	// The fields a test touched are the form's view's, whichever View
	// touched them.
	if err := v.Change("#kf", map[string][]string{"a": {"1"}}, "a"); err != nil {
		t.Fatal(err)
	}
	if err := kid.Change("#kf", map[string][]string{"b": {"2"}}, "b"); err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, m := range s.received("event") {
		if m.Payload["event"] == "kch" {
			val, _ := m.Payload["value"].(string)
			changes = append(changes, m.Topic+" "+val)
		}
	}
	if want := []string{"lv:kid a=1&_unused_b=&b=", "lv:kid a=&b=2"}; strings.Join(changes, "|") != strings.Join(want, "|") {
		t.Errorf("the child form's changes sent %q; want %q (a touched through the page's View counts as used for the child's)", changes, want)
	}
	// A new session in a container that stays does not join the child again.
	if err := v.ClickEvent("resession", nil); err != nil {
		t.Fatal(err)
	}
	if !v.Has("#kc") || len(s.received("phx_join")) != 3 {
		t.Errorf("after the container's session changed: child shown %v, %d joins; want the child kept, 3 joins (page, child, grandchild)", v.Has("#kc"), len(s.received("phx_join")))
	}
	// The child crashes: the client destroys the grandchild, joins the
	// child again, then the grandchild afresh.
	if err := kid.ClickEvent("crash", nil); err == nil {
		t.Fatalf("an event that crashed the child: no error")
	}
	if got, err := v.Text("#gc"); err != nil || got != "grand" {
		t.Fatalf("Text(#gc) after the child's crash = %q, %v; want grand", got, err)
	}
	s.mu.Lock()
	last3 := append([]msg(nil), s.got[len(s.got)-3:]...)
	s.mu.Unlock()
	var after []string
	for _, m := range last3 {
		params, _ := m.Payload["params"].(map[string]any)
		after = append(after, fmt.Sprint(m.Event, " ", m.Topic, " ", params["_mounts"]))
	}
	if want := "phx_leave lv:grand <nil>|phx_join lv:kid 1|phx_join lv:grand 0"; strings.Join(after, "|") != want {
		t.Errorf("after the child's crash the client sent %q; want %q", after, want)
	}
	// The container goes: the grandchild leaves, then the child.
	if err := v.ClickEvent("hide", nil); err != nil {
		t.Fatal(err)
	}
	if v.Has("#kc") {
		t.Errorf("the child's content is still on the page after its container went: %s", v.HTML())
	}
	var left []string
	for _, m := range s.received("phx_leave") {
		left = append(left, m.Topic)
	}
	if strings.Join(left, " ") != "lv:grand lv:grand lv:kid" {
		t.Errorf("left %v; want lv:grand (at the crash), then lv:grand and lv:kid, as the client destroys a child's children first", left)
	}
	if _, err := v.Child("kid"); err == nil || !strings.Contains(err.Error(), `no child view with id "kid"`) {
		t.Errorf("Child(kid) after its container went: %v; want an error saying there is none", err)
	}
}

// Sticky views, as the client handles them (live_socket.ts joinRootViews
// and replaceMain): joined as root views of the page, with "sticky" and no
// URL, from the session and static token their container had in the HTTP
// render; kept across live navigation, whichever view asked for it; moved
// to the end of the new main view until its render places them; left when
// a patch of the page takes their container away.
func TestStickyViewsAsTheClientDoes(t *testing.T) {
	const (
		dead   = `<h1 id="page">one</h1><div id="player" data-phx-session="ps-dead" data-phx-static="pstat" data-phx-sticky><p id="pc">player dead</p></div>`
		player = `<div id=\"player\" data-phx-session=\"ps\" data-phx-static=\"\" data-phx-sticky></div>`
	)
	s, ts := newScript(t, dead, func(m msg) []string {
		switch {
		case m.Event == "phx_join" && m.Topic == "lv:player":
			return []string{reply(m, `{"rendered":{"s":["<p id=\"pc\">player</p><button id=\"pb\" phx-click=\"inc\">+</button>"]}}`)}
		case m.Event == "phx_join" && m.Payload["redirect"] == nil:
			return []string{reply(m, `{"rendered":{"s":["<h1 id=\"page\">one</h1>`+player+`"]}}`)}
		case m.Event == "phx_join" && strings.HasSuffix(m.Payload["redirect"].(string), "/two"):
			return []string{reply(m, `{"rendered":{"s":["`+player+`<h1 id=\"page\">two</h1><a id=\"to3\" href=\"/three\" data-phx-link=\"redirect\">3</a>"]}}`)}
		case m.Event == "phx_join":
			// /three's render does not place the player.
			return []string{reply(m, `{"rendered":{"0":"three","s":["<h1 id=\"page\">","</h1>"]}}`)}
		case m.Event == "event" && m.Payload["event"] == "go":
			return []string{reply(m, `{"live_redirect":{"to":"/two","kind":"push"}}`)}
		case m.Event == "event" && m.Payload["event"] == "tick":
			return []string{reply(m, `{"diff":{"0":"three!"}}`)}
		}
		return []string{reply(m, `{}`)}
	})
	v, err := ts.Mount("/one")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.Text("#pc"); err != nil || got != "player" {
		t.Fatalf("Text(#pc) = %q, %v; want the sticky view's render, player", got, err)
	}
	joins := s.received("phx_join")
	if len(joins) != 2 || joins[0].Payload["sticky"] != false || joins[1].Topic != "lv:player" {
		t.Fatalf("joins %+v; want the page's (sticky false), then lv:player", joins)
	}
	j := joins[1]
	_, hasURL := j.Payload["url"]
	_, hasRedirect := j.Payload["redirect"]
	if j.Payload["sticky"] != true || j.Payload["session"] != "ps-dead" || j.Payload["static"] != "pstat" || hasURL || hasRedirect {
		t.Errorf("the sticky view's join: %+v; want sticky true, the HTTP render's session and static, no url or redirect", j.Payload)
	}
	st, err := v.Child("player")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Click("#pb"); err != nil {
		t.Fatal(err)
	}
	if ev := s.received("event"); len(ev) != 1 || ev[0].Topic != "lv:player" {
		t.Errorf("a click in the sticky view sent %+v; want one event on lv:player", ev)
	}
	// The sticky view asks for a live navigation: the page's main view
	// goes, the sticky view stays.
	if err := st.ClickEvent("go", nil); err != nil {
		t.Fatal(err)
	}
	w, err := st.FollowRedirect()
	if err != nil {
		t.Fatal(err)
	}
	if w != v {
		t.Errorf("FollowRedirect on the sticky view returned view %s; want the page's root view, %s", w.ID(), v.ID())
	}
	if got, err := v.Text("#page"); err != nil || got != "two" {
		t.Fatalf("Text(#page) after the navigation = %q, %v; want two", got, err)
	}
	if got, err := v.Text("#pc"); err != nil || got != "player" {
		t.Errorf("Text(#pc) after the navigation = %q, %v; want the same sticky view's render", got, err)
	}
	topics := func(event string) string {
		var out []string
		for _, m := range s.received(event) {
			out = append(out, m.Topic)
		}
		return strings.Join(out, " ")
	}
	if got := topics("phx_join"); got != "lv:phx-1 lv:player lv:phx-1" {
		t.Errorf("joins %q; want the page, the player, then the page again: the player stays joined", got)
	}
	// A view whose render does not place the sticky one: the client moved
	// its element to the end of the page, where it stays until the view's
	// next patch.
	if err := v.FollowLink("#to3"); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Text("#player > #pc"); err != nil || got != "player" {
		t.Errorf("Text(#player > #pc) after navigating to a page whose render lacks the player = %q, %v; want the player, until the next patch", got, err)
	}
	if err := v.ClickEvent("tick", nil); err != nil {
		t.Fatal(err)
	}
	if v.Has("#pc") {
		t.Errorf("the sticky view is still on the page after a patch of a view that does not place it:\n%s", v.HTML())
	}
	if got := topics("phx_leave"); got != "lv:phx-1 lv:phx-1 lv:player" {
		t.Errorf("left %q; want the page twice (two navigations), then the player", got)
	}
	if _, err := v.Child("player"); err == nil {
		t.Errorf("Child(player) after its container went: no error")
	}
}

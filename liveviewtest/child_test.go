package liveviewtest_test

import (
	"strings"
	"testing"
)

// Child views, as the client handles them: joined after their parent on
// the same connection, from their container (its session, the HTTP
// render's static token, no URL), kept while the container stays, and
// left, children first, when it goes.
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
				`<div id=\"grand\" data-phx-session=\"gs\" data-phx-static=\"\" data-phx-parent-id=\"kid\"></div>"]}}`)}
		case m.Event == "phx_join" && m.Topic == "lv:grand":
			return []string{reply(m, `{"rendered":{"s":["<b id=\"gc\">grand</b>"]}}`)}
		case m.Event == "event" && m.Payload["event"] == "resession":
			return []string{reply(m, `{"diff":{"0":"`+kidAt("ks2")+`"}}`)}
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
	for topic, want := range map[string][2]any{"lv:kid": {"ks", "kstat"}, "lv:grand": {"gs", nil}} {
		j, ok := joins[topic]
		params, _ := j.Payload["params"].(map[string]any)
		_, hasURL := j.Payload["url"]
		_, hasRedirect := j.Payload["redirect"]
		if !ok || j.Payload["session"] != want[0] || j.Payload["static"] != want[1] || hasURL || hasRedirect || params["_mounts"] != 0.0 {
			t.Errorf("join of %s: %+v; want session %v, static %v (the HTTP render's container's), no url or redirect, _mounts 0", topic, j.Payload, want[0], want[1])
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
	// A new session in a container that stays does not join the child again.
	if err := v.ClickEvent("resession", nil); err != nil {
		t.Fatal(err)
	}
	if !v.Has("#kc") || len(s.received("phx_join")) != 3 {
		t.Errorf("after the container's session changed: child shown %v, %d joins; want the child kept, 3 joins (page, child, grandchild)", v.Has("#kc"), len(s.received("phx_join")))
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
	if strings.Join(left, " ") != "lv:grand lv:kid" {
		t.Errorf("left %v; want lv:grand then lv:kid, as the client destroys a child's children first", left)
	}
	if _, err := v.Child("kid"); err == nil || !strings.Contains(err.Error(), `no child view with id "kid"`) {
		t.Errorf("Child(kid) after its container went: %v; want an error saying there is none", err)
	}
}

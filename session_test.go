package liveview

import (
	"net/url"
	"testing"
	"time"

	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

type expiryState struct{}

type expiryView struct{}

var expiryTmpl = render.Must(render.Parse(`<p>hi</p>`))

func (expiryView) Mount(*Socket[expiryState], Params) error { return nil }
func (expiryView) Render(expiryState) (*render.Rendered, error) {
	return expiryTmpl.Execute(expiryState{})
}

func TestExpiredSessionTokenIsStale(t *testing.T) {
	srv := NewServer(Config{SessionMaxAge: time.Hour})
	defer srv.Close()
	srv.Handle("/x", View[expiryState](expiryView{}))
	ts := liveviewtest.NewServer(t, srv)
	c, err := ts.Connect("/x")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ts.Get("/x")
	if err != nil {
		t.Fatal(err)
	}
	join := func() liveviewtest.Reply {
		r, err := c.Call("", "lv:"+p.ID, "phx_join", map[string]any{
			"url": ts.URL + "/x", "params": map[string]any{}, "session": p.Session, "static": p.Static,
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	srv.sign.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if r := join(); r.Status != "error" || string(r.Response) != `{"reason":"stale"}` {
		t.Errorf("join with a token two hours old (max one): %s %s", r.Status, r.Response)
	}
	srv.sign.now = time.Now
	if r := join(); r.Status != "ok" {
		t.Errorf("join with a fresh token: %s %s", r.Status, r.Response)
	}
}

func TestSignerRejectsOtherPurposesAndTampering(t *testing.T) {
	s := signer{key: []byte("k"), now: time.Now}
	tok, err := s.sign(purposeFlash, map[string]string{"info": "hi"})
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]string
	if err := s.verify(purposeFlash, tok, time.Minute, &f); err != nil || f["info"] != "hi" {
		t.Fatalf("round trip: %v %v", err, f)
	}
	if err := s.verify(purposeSession, tok, time.Minute, &f); err != errTokenSignature {
		t.Errorf("flash token used as a session token: %v", err)
	}
	other := signer{key: []byte("other"), now: time.Now}
	if err := other.verify(purposeFlash, tok, time.Minute, &f); err != errTokenSignature {
		t.Errorf("token from another key: %v", err)
	}
	if err := s.verify(purposeFlash, "x"+tok, time.Minute, &f); err == nil {
		t.Errorf("tampered token accepted")
	}
	if err := s.verify(purposeFlash, url.QueryEscape("no dot"), time.Minute, &f); err != errTokenMalformed {
		t.Errorf("malformed token: %v", err)
	}
}

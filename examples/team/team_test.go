package team_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/team"
	"github.com/liveview-go/liveview/liveviewtest"
)

func TestTeamAddsValidatesAndDeletes(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{SigningKey: []byte("0123456789abcdef0123456789abcdef")})
	defer srv.Close()
	team.Register(srv, "/team")
	v := liveviewtest.Mount(t, srv, "/team")
	if got, _ := v.Text("#count"); got != "2" || !v.Has("#member-1") || v.Has("#member-modal") {
		t.Fatalf("first render: count %q, modal shown %v:\n%s", got, v.Has("#member-modal"), v.HTML())
	}
	if err := v.Click("#new-member"); err != nil {
		t.Fatal(err)
	}
	if !v.Has("#member-modal #member-form") {
		t.Fatalf("the modal with its form did not open:\n%s", v.HTML())
	}
	if err := v.Change("#member-form", url.Values{"name": {""}, "email": {"nope"}, "role": {""}}, "email"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"can&#39;t be blank", "must be an email address", "choose a role"} {
		if !strings.Contains(v.HTML(), want) {
			t.Errorf("after an invalid change the form lacks the error %q:\n%s", want, v.HTML())
		}
	}
	if err := v.Submit("#member-form", url.Values{"name": {"Katherine <Johnson>"}, "email": {"kj@example.com"}, "role": {"engineering"}, "admin": {"false"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Text("#count"); got != "3" || v.Has("#member-modal") {
		t.Fatalf("after saving: count %q, modal still shown %v", got, v.Has("#member-modal"))
	}
	if got, _ := v.Text("#member-3 strong"); got != "Katherine <Johnson>" {
		t.Errorf("the new row's name: %q", got)
	}
	if got, _ := v.Text("#flash-info"); got != "Katherine <Johnson> joined the team." {
		t.Errorf("flash after saving: %q", got)
	}
	if err := v.Click(`#member-1 button[phx-click="delete"]`); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Text("#count"); got != "2" || v.Has("#member-1") {
		t.Errorf("after deleting Ada: count %q, row still there %v", got, v.Has("#member-1"))
	}
}

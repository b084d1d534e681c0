package liveview_test

import (
	"fmt"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// UserMeta is what each presence of the lobby carries.
type UserMeta struct {
	Name string `json:"name"`
}

// Lobby is a presence topic: who has the lobby open.
var Lobby = liveview.NewPresence[UserMeta]("lobby")

// LobbyState is the state of LobbyView: the lobby's presences, kept up to
// date by applying each PresenceDiff.
type LobbyState struct {
	Online map[string][]liveview.PresenceMeta[UserMeta]
	Names  string
}

// LobbyView tracks its user (?user=) in the lobby and shows who is there.
type LobbyView struct{}

var lobbyTmpl = render.Must(render.Parse(`<p id="online">{{.Names}}</p>`))

func (LobbyView) Mount(s *liveview.Socket[LobbyState], p liveview.Params) error {
	s.Assign(func(st *LobbyState) { st.Online = map[string][]liveview.PresenceMeta[UserMeta]{} })
	user := p.String("user")
	if err := s.Track(Lobby, user, UserMeta{Name: strings.ToUpper(user[:1]) + user[1:]}); err != nil {
		return err
	}
	// The first diff holds everyone already there.
	return s.SubscribePresence(Lobby)
}

func (LobbyView) HandleInfo(s *liveview.Socket[LobbyState], msg any) error {
	d, ok := msg.(liveview.PresenceDiff[UserMeta])
	if !ok {
		return nil
	}
	s.Assign(func(st *LobbyState) {
		// A key is online while it has a presence (tabs count separately).
		for key, left := range d.Leaves {
			keep := st.Online[key][:0:0]
			for _, m := range st.Online[key] {
				gone := false
				for _, l := range left {
					gone = gone || l.Ref == m.Ref
				}
				if !gone {
					keep = append(keep, m)
				}
			}
			st.Online[key] = keep
			if len(keep) == 0 {
				delete(st.Online, key)
			}
		}
		for key, joined := range d.Joins {
			st.Online[key] = append(st.Online[key], joined...)
		}
		var names []string
		for _, key := range liveview.PresenceKeys(st.Online) {
			names = append(names, st.Online[key][0].Meta.Name)
		}
		st.Names = strings.Join(names, ", ")
	})
	return nil
}

func (LobbyView) Render(st LobbyState) (*render.Rendered, error) { return lobbyTmpl.Execute(st) }

func ExamplePresence() {
	srv := liveview.NewServer(liveview.Config{})
	defer srv.Close()
	srv.Handle("/lobby", liveview.View[LobbyState](LobbyView{}))
	ts := liveviewtest.Start(srv)
	defer ts.Close()

	ann, err := ts.Mount("/lobby?user=ann")
	if err != nil {
		fmt.Println(err)
		return
	}
	bob, err := ts.Mount("/lobby?user=bob")
	if err != nil {
		fmt.Println(err)
		return
	}
	ann.AwaitHTML("Ann, Bob")
	text, _ := ann.Text("#online")
	fmt.Println("ann sees:", text)

	// A view that ends is untracked.
	bob.Leave()
	ann.AwaitHTML(`<p id="online">Ann</p>`)
	text, _ = ann.Text("#online")
	fmt.Println("after bob left:", text)

	// Any code can list a topic.
	list, _ := Lobby.List(srv)
	for _, key := range liveview.PresenceKeys(list) {
		fmt.Println(key, len(list[key]), "presence(s)")
	}
	// Output:
	// ann sees: Ann, Bob
	// after bob left: Ann
	// ann 1 presence(s)
}

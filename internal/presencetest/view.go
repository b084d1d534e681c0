package presencetest

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

// Meta is what the test view tracks.
type Meta struct {
	Status string `json:"status"`
}

// Online is the topic the test view tracks and watches.
var Online = liveview.NewPresence[Meta]("presencetest:online")

// roomView tracks ?user= (unless empty) with status ?status=, watches the
// topic and shows what the diffs it received add up to: "|key=status,status|"
// per key, sorted, and the largest number of presences each key ever had.
type roomView struct{}

type roomState struct {
	User  string
	List  map[string][]liveview.PresenceMeta[Meta]
	Peaks map[string]int
	Who   string
	Peak  string
}

var roomTmpl = render.Must(render.Parse(`<p id="who">{{.Who}}</p><p id="peak">{{.Peak}}</p><button id="away" phx-click="status" phx-value-status="away">away</button>`))

func (roomView) Mount(s *liveview.Socket[roomState], p liveview.Params) error {
	user := p.String("user")
	s.Assign(func(st *roomState) {
		st.User = user
		st.List = map[string][]liveview.PresenceMeta[Meta]{}
		st.Peaks = map[string]int{}
	})
	if user != "" {
		status := p.String("status")
		if status == "" {
			status = "here"
		}
		if err := s.Track(Online, user, Meta{Status: status}); err != nil {
			return err
		}
	}
	return s.SubscribePresence(Online)
}

func (roomView) HandleEvent(s *liveview.Socket[roomState], e liveview.Event) error {
	switch e.Name {
	case "status":
		return s.UpdatePresence(Online, s.Context().User, Meta{Status: e.Params.String("status")})
	case "untrack":
		s.Untrack(Online, s.Context().User)
		return nil
	case "crash":
		return errors.New("presencetest: crashing on purpose")
	}
	return &liveview.UnknownEventError{Name: e.Name}
}

func (roomView) HandleInfo(s *liveview.Socket[roomState], msg any) error {
	d, ok := msg.(liveview.PresenceDiff[Meta])
	if !ok {
		return nil
	}
	s.Assign(func(st *roomState) {
		for key, metas := range d.Leaves {
			for _, m := range metas {
				st.List[key] = removeRef(st.List[key], m.Ref)
			}
			if len(st.List[key]) == 0 {
				delete(st.List, key)
			}
		}
		for key, metas := range d.Joins {
			st.List[key] = append(st.List[key], metas...)
			st.Peaks[key] = max(st.Peaks[key], len(st.List[key]))
		}
		st.Who = Format(st.List)
		st.Peak = formatPeaks(st.Peaks)
	})
	return nil
}

func removeRef(ms []liveview.PresenceMeta[Meta], ref string) []liveview.PresenceMeta[Meta] {
	out := ms[:0:0]
	for _, m := range ms {
		if m.Ref != ref {
			out = append(out, m)
		}
	}
	return out
}

func (roomView) Render(st roomState) (*render.Rendered, error) { return roomTmpl.Execute(st) }

// Format writes a presence list as the test view shows it:
// "|ann=here|bob=away,here|" (statuses sorted), "|" when empty.
func Format(list map[string][]liveview.PresenceMeta[Meta]) string {
	var b strings.Builder
	b.WriteString("|")
	for _, key := range liveview.PresenceKeys(list) {
		st := make([]string, 0, len(list[key]))
		for _, m := range list[key] {
			st = append(st, m.Meta.Status)
		}
		sort.Strings(st)
		fmt.Fprintf(&b, "%s=%s|", key, strings.Join(st, ","))
	}
	return b.String()
}

func formatPeaks(p map[string]int) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s:%d ", k, p[k])
	}
	return b.String()
}

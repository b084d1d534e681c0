package diff

import (
	"reflect"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/internal/clientsim"
	"github.com/liveview-go/liveview/render"
)

// stubComponent stands for a liveview component: the diff needs only cids.
type stubComponent struct{}

func (stubComponent) ComponentName() string        { return "stub" }
func (stubComponent) ComponentState() reflect.Type { return nil }
func (stubComponent) RenderStatic(string, any) (*render.Rendered, error) {
	return nil, nil
}

var (
	compPage = render.NewStatics("<ul>", "</ul>")
	compRow  = render.NewStatics("<li>", "</li>")
	compCard = render.NewStatics(`<p class="card">`, "</p>")
)

// cpage renders a list of components by cid.
func cpage(cids ...int) *render.Rendered {
	rows := make([][]render.Value, len(cids))
	keys := make([]string, len(cids))
	for i, cid := range cids {
		lc := &render.LiveRef{Component: stubComponent{}, ID: strings.Repeat("x", cid)}
		lc.SetCID(cid)
		rows[i] = []render.Value{render.Live(lc)}
		keys[i] = lc.ID
	}
	return render.NewRendered(compPage, render.List(render.NewComprehension(compRow, keys, rows...)))
}

func card(text string) *render.Rendered { return render.NewRendered(compCard, render.Text(text)) }

type compStep struct {
	root    *render.Rendered
	renders []ComponentRender
	forget  []int
	want    string // the payload
	html    string // the page after merging it
}

func TestComponentsPayloads(t *testing.T) {
	var tree Tree
	var cs Components
	var page0 *clientsim.Rendered
	for i, st := range []compStep{
		{root: cpage(1, 2), renders: []ComponentRender{{1, card("a")}, {2, card("b")}},
			want: `{"0":{"s":["<li>","</li>"],"k":{"0":{"0":1},"1":{"0":2},"kc":2}},"s":["<ul>","</ul>"],"c":{"1":{"0":"a","s":["<p class=\"card\">","</p>"],"r":1},"2":{"0":"b","s":1,"r":1}}}`,
			html: `<ul><li><p class="card">a</p></li><li><p class="card">b</p></li></ul>`},
		// A new component borrows from one the page had before.
		{root: cpage(1, 2, 3), renders: []ComponentRender{{3, card("c")}},
			want: `{"0":{"k":{"2":{"0":3},"kc":3}},"c":{"3":{"0":"c","s":-1,"r":1}}}`,
			html: `<ul><li><p class="card">a</p></li><li><p class="card">b</p></li><li><p class="card">c</p></li></ul>`},
		// Only the changed slot of one component; the parent did not render.
		{renders: []ComponentRender{{2, card("B")}, {1, card("a")}},
			want: `{"c":{"2":{"0":"B"}}}`,
			html: `<ul><li><p class="card">a</p></li><li><p class="card">B</p></li><li><p class="card">c</p></li></ul>`},
		// The lender leaves: the next newcomer sends its statics again.
		{root: cpage(2, 3, 4), forget: []int{1}, renders: []ComponentRender{{4, card("d")}},
			want: `{"0":{"k":{"0":1,"1":2,"2":{"0":4},"kc":3,"km":true}},"c":{"4":{"0":"d","s":["<p class=\"card\">","</p>"],"r":1}}}`,
			html: `<ul><li><p class="card">B</p></li><li><p class="card">c</p></li><li><p class="card">d</p></li></ul>`},
	} {
		for _, cid := range st.forget {
			cs.Forget(cid)
			page0.DeleteComponents(cid)
		}
		x := &Extras{Components: &cs, Renders: st.renders}
		got, _, err := tree.AppendPayload(nil, st.root, x)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if string(got) != st.want {
			t.Errorf("step %d: payload\n%s\nwant\n%s", i, got, st.want)
		}
		if page0 == nil {
			page0, _, err = clientsim.Join(got)
		} else {
			_, err = page0.Merge(got)
		}
		if err != nil {
			t.Fatalf("step %d: merge: %v", i, err)
		}
		if html, err := page0.HTML(); err != nil || html != st.html {
			t.Errorf("step %d: page %s (%v), want %s", i, html, err, st.html)
		}
	}
}

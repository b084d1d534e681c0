package diff

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/liveview-go/liveview/render"
)

// The component conformance test drives a page holding a keyed range of
// live components of two kinds through random edits (components added,
// changed alone, moved, removed and pruned as the client prunes them, or
// brought back before the client pruned them), feeds our payloads to the
// official client's Rendered, and compares its HTML with the page as the
// model says it is.

var (
	ccPage  = render.NewStatics("<h1>", "</h1><ul>", "</ul>")
	ccRow   = render.NewStatics("", "")
	ccKindA = render.NewStatics(`<p class="a" id="`, `">`, "", "</p>")
	ccStar  = render.NewStatics(" <b>", "</b>")
	ccKindB = render.NewStatics(`<li class="b">`, "</li>")
)

type ccItem struct {
	key  string
	kind int
	val  string
	star bool
	cid  int
}

func (it ccItem) render() *render.Rendered {
	if it.kind == 0 {
		star := render.Text("")
		if it.star {
			star = render.Tree(render.NewRendered(ccStar, render.Text("star "+it.val)))
		}
		return render.NewRendered(ccKindA, render.Text(it.key), render.Text(it.val), star)
	}
	return render.NewRendered(ccKindB, render.Text(it.val))
}

func (it ccItem) html() string {
	if it.kind == 0 {
		s := `<p class="a" id="` + it.key + `">` + render.EscapeText(it.val)
		if it.star {
			s += " <b>" + render.EscapeText("star "+it.val) + "</b>"
		}
		return s + "</p>"
	}
	return `<li class="b">` + render.EscapeText(it.val) + "</li>"
}

type ccModel struct {
	src     *rand.Rand
	title   string
	items   []ccItem
	next    int            // keys made
	cid     int            // cids given
	marked  map[int]ccItem // removed from the page, not yet pruned
	tree    Tree
	comps   Components
	renders []ComponentRender
}

func (m *ccModel) root() *render.Rendered {
	rows := make([][]render.Value, len(m.items))
	keys := make([]string, len(m.items))
	for i, it := range m.items {
		ref := &render.LiveRef{Component: stubComponent{}, ID: it.key}
		ref.SetCID(it.cid)
		rows[i] = []render.Value{render.Live(ref)}
		keys[i] = it.key
	}
	return render.NewRendered(ccPage, render.Text(m.title), render.List(render.NewComprehension(ccRow, keys, rows...)))
}

func (m *ccModel) html() string {
	var b strings.Builder
	b.WriteString("<h1>" + render.EscapeText(m.title) + "</h1><ul>")
	for _, it := range m.items {
		b.WriteString(it.html())
	}
	b.WriteString("</ul>")
	return b.String()
}

func (m *ccModel) newItem() ccItem {
	m.next++
	m.cid++
	return ccItem{key: fmt.Sprintf("k%d", m.next), kind: m.src.Intn(2), val: fmt.Sprintf("v%d", m.src.Intn(5)), star: m.src.Intn(2) == 0, cid: m.cid}
}

// step edits the model and returns the payload for it, and the cids to
// prune afterwards, as the client's cids_destroyed exchange would.
func (m *ccModel) step() (msg []byte, prune []int, err error) {
	m.renders = m.renders[:0]
	parent := true
	switch op := m.src.Intn(8); {
	case op == 0 || len(m.items) == 0: // insert
		it := m.newItem()
		at := m.src.Intn(len(m.items) + 1)
		m.items = append(m.items[:at], append([]ccItem{it}, m.items[at:]...)...)
		m.renders = append(m.renders, ComponentRender{it.cid, it.render()})
	case op == 1: // remove
		at := m.src.Intn(len(m.items))
		m.marked[m.items[at].cid] = m.items[at]
		m.items = append(m.items[:at], m.items[at+1:]...)
	case op == 2: // move
		from, to := m.src.Intn(len(m.items)), m.src.Intn(len(m.items))
		it := m.items[from]
		m.items = append(m.items[:from], m.items[from+1:]...)
		m.items = append(m.items[:to], append([]ccItem{it}, m.items[to:]...)...)
	case op == 3 || op == 4: // one component changes alone
		parent = false
		for n := 1 + m.src.Intn(2); n > 0; n-- {
			at := m.src.Intn(len(m.items))
			it := &m.items[at]
			if m.src.Intn(2) == 0 {
				it.val = fmt.Sprintf("v%d", m.src.Intn(5))
			} else {
				it.star = !it.star
			}
			if len(m.renders) > 0 && m.renders[0].CID == it.cid {
				m.renders = m.renders[:0] // one render per component and payload
			}
			m.renders = append(m.renders, ComponentRender{it.cid, it.render()})
		}
	case op == 5 && len(m.marked) > 0: // brought back before the client pruned it
		for cid, it := range m.marked {
			delete(m.marked, cid)
			m.comps.Restart(cid)
			m.items = append(m.items, it)
			m.renders = append(m.renders, ComponentRender{cid, it.render()})
			break
		}
	default:
		m.title = fmt.Sprintf("t%d", m.src.Intn(9))
	}
	var root *render.Rendered
	if parent {
		root = m.root()
	}
	msg, _, err = m.tree.AppendPayload(nil, root, &Extras{Components: &m.comps, Renders: m.renders})
	if err != nil {
		return nil, nil, err
	}
	if len(m.marked) > 0 && m.src.Intn(3) == 0 {
		for cid := range m.marked {
			prune = append(prune, cid)
			m.comps.Forget(cid)
			delete(m.marked, cid)
		}
	}
	return msg, prune, nil
}

func (m *ccModel) join() ([]byte, error) {
	for i := 0; i < m.src.Intn(6); i++ {
		it := m.newItem()
		m.items = append(m.items, it)
		m.renders = append(m.renders, ComponentRender{it.cid, it.render()})
	}
	m.title = "t"
	msg, _, err := m.tree.AppendPayload(nil, m.root(), &Extras{Components: &m.comps, Renders: m.renders})
	return msg, err
}

func TestConformanceComponentsOfficialClient(t *testing.T) {
	c := startOfficialClient(t)
	cases := 200
	if testing.Short() {
		cases = 30
	}
	var steps int
	for seed := 0; seed < cases; seed++ {
		m := &ccModel{src: rand.New(rand.NewSource(int64(2_000_000 + seed))), marked: map[int]ccItem{}}
		msg, err := m.join()
		if err != nil {
			t.Fatalf("seed %d join: %v", seed, err)
		}
		kind := "join"
		var prune []int
		for i := 0; i < 40; i++ {
			ans, err := c.send(kind, msg)
			if err != nil {
				t.Fatalf("seed %d step %d: %s %s: %v", seed, i, kind, msg, err)
			}
			if want := m.html(); *ans.HTML != want {
				t.Fatalf("seed %d step %d: after %s %s\nofficial client %q\n  the model    %q", seed, i, kind, msg, *ans.HTML, want)
			}
			if len(prune) > 0 {
				p, _ := json.Marshal(prune)
				if _, err := c.send("prune", p); err != nil {
					t.Fatalf("seed %d step %d: prune %s: %v", seed, i, p, err)
				}
			}
			steps++
			if msg, prune, err = m.step(); err != nil {
				t.Fatalf("seed %d step %d: %v", seed, i+1, err)
			}
			kind = "diff"
		}
	}
	t.Logf("%d cases, %d messages: the official client rendered the model's page after each", cases, steps)
}

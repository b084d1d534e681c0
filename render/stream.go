package render

import (
	"reflect"
	"strings"
	"text/template/parse"
)

// A Stream is a collection whose rows a template renders once: each render
// takes the changes made since the previous one (rows to insert, DOM ids to
// delete, a reset), sends them, and forgets them, so that neither the view
// nor its diff state holds the rows afterwards (Phoenix's streams, protocol
// §4.5). liveview.Stream implements it; a template ranges over one inside
// an element with phx-update="stream":
//
//	<ul id="messages" phx-update="stream">
//	  {{range .Messages}}<li id="{{.DOMID}}">{{.Item.Text}}</li>{{end}}
//	</ul>
//
// or, naming the DOM id and the item:
//
//	{{range $id, $msg := .Messages}}<li id="{{$id}}">{{$msg.Text}}</li>{{end}}
//
// The range must come right after the container's start tag (spaces aside),
// and each row must start with the element whose id is the row's DOM id:
// Parse refuses a stream range that does not, and evaluation refuses a
// stream ranged anywhere else. A stream is meant to be rendered by one range
// of one template: the first range to render it takes its changes.
type Stream interface {
	// TakeStream returns the changes made since it was last called and
	// forgets them. A nil *StreamPatch means no change.
	TakeStream() *StreamPatch
}

// StreamPatch is what one render sends for a stream (protocol §4.5).
type StreamPatch struct {
	// Ref identifies the stream on the page: the client stamps it on the
	// elements it inserts, and a reset removes the elements that carry it.
	// It must be unique among the streams of a page.
	Ref string
	// Reset removes every element of the stream before the inserts apply.
	Reset bool
	// Inserts are applied in order, after the deletes.
	Inserts []StreamInsert
	// Deletes are the DOM ids of elements to remove.
	Deletes []string
}

// StreamInsert is one row to insert into a stream, or to update in place when
// an element with its DOM id is there already.
type StreamInsert struct {
	DOMID string
	// At is where a new element goes: -1 at the end, 0 at the start, n
	// before the element now at index n.
	At int
	// Limit, when not 0, trims the container after the insert: a positive
	// limit keeps the first Limit elements, a negative one the last -Limit.
	Limit int
	// UpdateOnly updates the element if it exists and adds nothing otherwise.
	UpdateOnly bool
	// Item is what the row renders. Evaluation drops it once the row is
	// rendered.
	Item any
}

// StreamRow is dot in the body of a range over a stream without variables
// (and what a range with one variable sets it to).
type StreamRow struct {
	// DOMID is the id of the row's element.
	DOMID string
	// Item is the item the row shows.
	Item any
}

// Stream returns the stream changes the comprehension carries, or nil when it
// is not the range over a Stream. Its rows are the rendered inserts, in order.
func (c *Comprehension) Stream() *StreamPatch { return c.stream }

// NewStreamComprehension returns the comprehension of a stream's changes:
// rows holds one row per insert of p, rendered with statics s.
func NewStreamComprehension(s *Statics, p *StreamPatch, rows ...[]Value) *Comprehension {
	if p == nil {
		p = &StreamPatch{}
	}
	if len(rows) != len(p.Inserts) {
		panic("render: NewStreamComprehension: one row per insert is needed")
	}
	c := NewComprehension(s, nil, rows...)
	c.stream = p
	return c
}

var streamType = reflect.TypeFor[Stream]()

// asStream returns the Stream val holds, if any. A nil pointer to a type
// that implements Stream is an empty stream.
func asStream(val reflect.Value) (Stream, bool) {
	val = indirectInterface(val)
	if !val.IsValid() || !val.Type().Implements(streamType) {
		return nil, false
	}
	if val.Kind() == reflect.Pointer && val.IsNil() {
		return nil, true
	}
	return val.Interface().(Stream), true
}

// runStream renders the rows of a stream range: one per insert since the
// stream last rendered.
func (s *state) runStream(o *op, val reflect.Value, dyn []Value) (ctrl, error) {
	st, ok := asStream(val)
	if !o.stream {
		return ctrlNone, o.src.errorf(`a stream must be ranged right inside the start tag of its phx-update="stream" container: <ul id="items" phx-update="stream">{{range .Items}}<li id="{{.DOMID}}">...`)
	}
	if !ok {
		return ctrlNone, o.src.errorf(`range in a phx-update="stream" container over %s, not a stream (make it a liveview.Stream)`, describe(val))
	}
	var p *StreamPatch
	if st != nil {
		p = st.TakeStream()
	}
	if p == nil {
		p = &StreamPatch{}
	}
	mark := len(s.vars)
	defer func() { s.vars = s.vars[:mark] }()
	s.declare(o.pipe, val)
	body := o.body
	c := &Comprehension{statics: body.statics, stream: p, values: make([]Value, 0, len(p.Inserts)*body.nslots)}
	for i := range p.Inserts {
		in := &p.Inserts[i]
		item := reflect.ValueOf(in.Item)
		row := reflect.ValueOf(StreamRow{DOMID: in.DOMID, Item: in.Item})
		m := len(s.vars)
		if len(o.pipe.decl) == 2 {
			s.bindRow(o.pipe, reflect.ValueOf(in.DOMID), item)
		} else {
			s.bindRow(o.pipe, reflect.Value{}, row)
			item = row
		}
		start := len(c.values)
		c.values = c.values[:start+body.nslots]
		cf, err := s.runBlock(body, item, c.values[start:], nil, nil)
		s.vars = s.vars[:m]
		in.Item = nil // sent once: the rendered row is all that remains
		if err != nil {
			return ctrlNone, err
		}
		if cf == ctrlBreak {
			return ctrlNone, o.src.errorf("{{break}} in a stream range: every insert must render its row")
		}
		c.rows++
	}
	dyn[o.slot] = List(c)
	return ctrlNone, nil
}

// describe names the type of val for an error message.
func describe(val reflect.Value) string {
	val = indirectInterface(val)
	if !val.IsValid() {
		return "nil"
	}
	return val.Type().String()
}

// markStream makes o, the range at nodes[i], a stream range when it sits
// right inside the start tag of an element with phx-update="stream", and then
// checks that its body starts with an element whose id is the row's DOM id.
func markStream(o *op, tree *parse.Tree, nodes []parse.Node, i int, ctx context) error {
	n := nodes[i].(*parse.RangeNode)
	if !streamContainerBefore(nodes[:i]) {
		return nil
	}
	src := source{tree, n}
	if ctx.st != stText {
		return src.errorf(`a stream range must be in text, right after its container's start tag, not in %s`, ctx)
	}
	if n.ElseList != nil {
		return src.errorf(`a stream range has no {{else}}: rows arrive and leave one by one; put an empty-state element beside the rows and style it with CSS (:only-child)`)
	}
	if len(n.Pipe.Decl) > 2 {
		return src.errorf("a stream range declares at most two variables ($id, $item)")
	}
	if !rowHasDOMID(n) {
		want := `{{.DOMID}}`
		switch len(n.Pipe.Decl) {
		case 1:
			want = `{{` + n.Pipe.Decl[0].Ident[0] + `.DOMID}}`
		case 2:
			want = `{{` + n.Pipe.Decl[0].Ident[0] + `}}`
		}
		return src.errorf(`each row of a stream range must start with the element whose id is the row's DOM id, as in <li id="%s">: the client places, updates and deletes rows by that id`, want)
	}
	o.stream = true
	return nil
}

// streamContainerBefore reports whether the nodes before a range end with the
// start tag of an element that has phx-update="stream", followed only by
// spaces. Actions, ifs and withs inside the tag (dynamic attributes) are
// allowed.
func streamContainerBefore(nodes []parse.Node) bool {
	var parts []string
	for j := len(nodes) - 1; j >= 0; j-- {
		switch n := nodes[j].(type) {
		case *parse.TextNode:
			parts = append(parts, string(n.Text))
		case *parse.ActionNode, *parse.IfNode, *parse.WithNode:
			// An action or a conditional attribute in the tag.
			parts = append(parts, "\x00")
		case *parse.CommentNode:
		default:
			j = -1
		}
		text := joinReversed(parts)
		if lt := strings.LastIndexByte(text, '<'); lt >= 0 {
			return isStreamStartTag(text[lt:])
		}
	}
	return false
}

func joinReversed(parts []string) string {
	var b strings.Builder
	for k := len(parts) - 1; k >= 0; k-- {
		b.WriteString(parts[k])
	}
	return b.String()
}

// isStreamStartTag reports whether text is a whole start tag with
// phx-update="stream" followed by nothing but spaces.
func isStreamStartTag(text string) bool {
	if len(text) < 2 || !isLetter(text[1]) {
		return false
	}
	attrs, rest, ok := startTagAttrs(text)
	if !ok || strings.TrimSpace(rest) != "" {
		return false
	}
	return attrs["phx-update"] == "stream"
}

// startTagAttrs reads the start tag at the beginning of text, whose parts
// that an action wrote are "\x00", and returns its attributes (names in lower
// case), the text after it, and whether the tag ends in text.
func startTagAttrs(text string) (map[string]string, string, bool) {
	i := 1
	for i < len(text) && !isSpace(text[i]) && text[i] != '>' && text[i] != '/' {
		i++
	}
	attrs := map[string]string{}
	for {
		for i < len(text) && (isSpace(text[i]) || text[i] == '/') {
			i++
		}
		if i >= len(text) {
			return nil, "", false
		}
		if text[i] == '>' {
			return attrs, text[i+1:], true
		}
		start := i
		for i < len(text) && !isSpace(text[i]) && text[i] != '=' && text[i] != '>' && text[i] != '/' {
			i++
		}
		name := strings.ToLower(text[start:i])
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if i >= len(text) || text[i] != '=' {
			attrs[name] = ""
			continue
		}
		i++
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if i >= len(text) {
			return nil, "", false
		}
		var val string
		if q := text[i]; q == '"' || q == '\'' {
			end := strings.IndexByte(text[i+1:], q)
			if end < 0 {
				return nil, "", false
			}
			val = text[i+1 : i+1+end]
			i += end + 2
		} else {
			start := i
			for i < len(text) && !isSpace(text[i]) && text[i] != '>' {
				i++
			}
			val = text[start:i]
		}
		attrs[name] = val
	}
}

// rowHasDOMID reports whether the body of the stream range n starts with an
// element whose id attribute is exactly the row's DOM id.
func rowHasDOMID(n *parse.RangeNode) bool {
	var b strings.Builder
	var actions []*parse.ActionNode
nodes:
	for _, node := range n.List.Nodes {
		switch node := node.(type) {
		case *parse.TextNode:
			b.Write(node.Text)
		case *parse.ActionNode:
			b.WriteByte(0)
			actions = append(actions, node)
		case *parse.CommentNode:
		default:
			break nodes
		}
		if strings.Contains(b.String(), ">") {
			break
		}
	}
	text := strings.TrimLeft(b.String(), " \t\r\n\f")
	if len(text) < 2 || text[0] != '<' || !isLetter(text[1]) {
		return false
	}
	attrs, rest, ok := startTagAttrs(text)
	if !ok || attrs["id"] != "\x00" {
		return false
	}
	tag := text[:len(text)-len(rest)]
	k := 0
	for pos := 0; pos < len(tag); pos++ {
		if tag[pos] != 0 {
			continue
		}
		if idValueAt(tag, pos) {
			return isDOMIDPipe(actions[k].Pipe, n.Pipe)
		}
		k++
	}
	return false
}

// idValueAt reports whether the action at text[pos] is the whole value of
// an id attribute.
func idValueAt(text string, pos int) bool {
	before := strings.TrimRight(text[:pos], `"'`)
	before = strings.TrimRight(before, " \t\r\n\f")
	before = strings.TrimSuffix(before, "=")
	before = strings.TrimRight(before, " \t\r\n\f")
	return len(before) >= 3 && strings.EqualFold(before[len(before)-2:], "id") && isSpace(before[len(before)-3])
}

// isDOMIDPipe reports whether p prints the row's DOM id of a stream range
// declaring rng's variables: .DOMID, $row.DOMID or $id.
func isDOMIDPipe(p, rng *parse.PipeNode) bool {
	if len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	switch a := p.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		return len(rng.Decl) < 2 && len(a.Ident) == 1 && a.Ident[0] == "DOMID"
	case *parse.VariableNode:
		switch len(rng.Decl) {
		case 1:
			return len(a.Ident) == 2 && a.Ident[0] == rng.Decl[0].Ident[0] && a.Ident[1] == "DOMID"
		case 2:
			return len(a.Ident) == 1 && a.Ident[0] == rng.Decl[0].Ident[0]
		}
	}
	return false
}

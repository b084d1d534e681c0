package diff

import (
	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/render"
)

// Extras are the members of a render's payload beside the tree (protocol
// §4.7): the page title ("t"), events pushed to the page ("e") and the
// answer to a hook's pushEvent ("r").
type Extras struct {
	Title    string
	HasTitle bool // "t" is written, even for an empty Title
	Events   []Event
	Reply    []byte // a JSON object, or nil for no "r"

	// Components, when not nil, writes Renders in "c" (components.go).
	Components *Components
	Renders    []ComponentRender
}

// Event is an event pushed to the page: its name and its JSON payload.
type Event struct {
	Name    string
	Payload []byte
}

// Reset empties x for reuse, keeping its Events' capacity.
func (x *Extras) Reset() {
	clear(x.Events)
	clear(x.Renders)
	*x = Extras{Events: x.Events[:0], Renders: x.Renders[:0]}
}

// AppendPayload appends the JSON object one render sends: the diff members
// of r (see AppendMembers; a nil r means the tree did not change), then the
// members of x, if not nil. empty reports an object without members ("{}"),
// which need not travel. On error dst is returned truncated to its original
// length.
func (t *Tree) AppendPayload(dst []byte, r *render.Rendered, x *Extras) (out []byte, empty bool, err error) {
	start := len(dst)
	dst = append(dst, '{')
	if r != nil {
		if dst, err = t.AppendMembers(dst, r); err != nil {
			return dst[:start], false, err
		}
	}
	if x != nil {
		dst = appendExtras(dst, start+1, x)
		if x.Components != nil && len(x.Renders) > 0 {
			if dst, err = x.Components.appendComponents(dst, start+1, x.Renders); err != nil {
				return dst[:start], false, err
			}
		}
	}
	dst = append(dst, '}')
	return dst, len(dst)-start == 2, nil
}

func appendExtras(dst []byte, start int, x *Extras) []byte {
	if x.HasTitle {
		dst = sep(dst, start)
		dst = append(dst, `"t":`...)
		dst = protocol.AppendJSONString(dst, x.Title)
	}
	if len(x.Events) > 0 {
		dst = sep(dst, start)
		dst = append(dst, `"e":[`...)
		for i, e := range x.Events {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '[')
			dst = protocol.AppendJSONString(dst, e.Name)
			dst = append(dst, ',')
			dst = append(dst, e.Payload...)
			dst = append(dst, ']')
		}
		dst = append(dst, ']')
	}
	if x.Reply != nil {
		dst = sep(dst, start)
		dst = append(dst, `"r":`...)
		dst = append(dst, x.Reply...)
	}
	return dst
}

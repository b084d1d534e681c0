package diff

import (
	"strconv"

	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/render"
)

// Streams (protocol §4.5) are comprehensions whose rows are sent once: the
// "k" of a stream holds only the rows inserted by this render, and the
// "stream" member says where they go and which elements leave. The client
// renders those rows, hands them to its DOM patcher and empties its copy, so
// the only state kept here is the statics (to tell a template change).

// appendFullStream writes a stream with its statics, this render's rows and
// its changes, and fills c. sc is the templates table of an enclosing
// comprehension, or nil (templates.go).
func appendFullStream(dst []byte, c *comp, rc *render.Comprehension, sc *scope) ([]byte, error) {
	c.statics = rc.Statics()
	c.stream = true
	dst = append(dst, '{')
	dst = appendStaticsIn(dst, sc, c.statics)
	dst = append(dst, ',')
	return appendStreamBody(dst, rc, sc)
}

// diffStream writes member key with a stream's changes, or nothing when it
// has none.
func diffStream(dst []byte, start, key int, rc *render.Comprehension, sc *scope) ([]byte, error) {
	p := rc.Stream()
	if !p.Reset && len(p.Inserts) == 0 && len(p.Deletes) == 0 {
		return dst, nil
	}
	dst = appendKey(sep(dst, start), key)
	dst = append(dst, '{')
	return appendStreamBody(dst, rc, sc)
}

// appendStreamBody writes the "k" and "stream" members of a stream and the
// closing brace. The rows' nested statics go to sc, or to the stream's own
// "p" if sc is nil: the client resolves them when it renders the inserted
// rows, before it forgets them.
func appendStreamBody(dst []byte, rc *render.Comprehension, sc *scope) ([]byte, error) {
	p := rc.Stream()
	from := len(dst)
	var own scope
	rsc := sc
	if rsc == nil {
		rsc = &own
	}
	dst = append(dst, `"k":{`...)
	// Rows are written in full and their state dropped: a scratch row is
	// reused for each.
	scratch := make([]slot, rc.Statics().Slots())
	var err error
	for i := 0; i < rc.Len(); i++ {
		dst = appendKey(dst, i)
		dst = append(dst, '{')
		if dst, err = appendFullRow(dst, scratch, rc.Row(i), rsc); err != nil {
			return dst, err
		}
		clear(scratch)
		dst = append(dst, '}', ',')
	}
	dst = append(dst, `"kc":`...)
	dst = strconv.AppendInt(dst, int64(rc.Len()), 10)
	dst = append(dst, `},"stream":[`...)
	dst = protocol.AppendJSONString(dst, p.Ref)
	dst = append(dst, ",["...)
	for i, in := range p.Inserts {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '[')
		dst = protocol.AppendJSONString(dst, in.DOMID)
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, int64(in.At), 10)
		dst = append(dst, ',')
		if in.Limit == 0 {
			dst = append(dst, "null"...)
		} else {
			dst = strconv.AppendInt(dst, int64(in.Limit), 10)
		}
		dst = append(dst, ',')
		dst = strconv.AppendBool(dst, in.UpdateOnly)
		dst = append(dst, ']')
	}
	dst = append(dst, "],["...)
	for i, id := range p.Deletes {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = protocol.AppendJSONString(dst, id)
	}
	dst = append(dst, ']')
	// The client tests the reset flag for presence, not truth: it is only
	// written when set (protocol §0.6).
	if p.Reset {
		dst = append(dst, ",true"...)
	}
	dst = append(dst, ']')
	if sc == nil {
		dst = own.finish(dst, from)
	}
	return append(dst, '}'), nil
}

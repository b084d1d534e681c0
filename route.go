package liveview

import (
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// route maps a path pattern to a view. Patterns are literal segments and
// {name} wildcards, with an optional final {name...} that takes the rest of the
// path: "/users/{id}", "/files/{path...}".
type route struct {
	pattern string
	segs    []segment
	view    AnyView
	session *LiveSession
	at      string // file:line where it was registered
}

// addRoute registers a route, panicking on a malformed or duplicate
// pattern: both are programming errors, found at startup, as with
// http.ServeMux.
func (s *Server) addRoute(ls *LiveSession, pattern string, v AnyView) {
	segs, err := parsePattern(pattern)
	if err != nil {
		panic(err)
	}
	if v == nil {
		panic(fmt.Sprintf("liveview: route pattern %q: nil view", pattern))
	}
	rt := &route{pattern: pattern, segs: segs, view: v, session: ls, at: callerOutside()}
	key := rt.shape()
	for _, old := range s.routes {
		if old.shape() == key {
			msg := fmt.Sprintf("liveview: route pattern %q conflicts with %q, already registered", pattern, old.pattern)
			if old.at != "" {
				msg += " at " + old.at
			}
			panic(msg)
		}
	}
	s.routes = append(s.routes, rt)
}

// shape is the pattern with wildcard names left out: two patterns of one
// shape match exactly the same paths.
func (r *route) shape() string {
	var b strings.Builder
	for _, s := range r.segs {
		b.WriteByte('/')
		switch {
		case s.rest:
			b.WriteString("{...}")
		case s.lit == "":
			b.WriteString("{}")
		default:
			b.WriteString(s.lit)
		}
	}
	return b.String()
}

// callerOutside returns "file:line" of the first caller outside this
// package, where a route was registered, or "" if there is none.
func callerOutside() string {
	var pcs [16]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "github.com/liveview-go/liveview.") {
			return filepath.Base(f.File) + ":" + strconv.Itoa(f.Line)
		}
		if !more {
			return ""
		}
	}
}

type segment struct {
	lit  string
	name string // wildcard name when lit is ""
	rest bool
}

func parsePattern(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("liveview: route pattern %q must start with /", p)
	}
	var segs []segment
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) == 1 && parts[0] == "" {
		return nil, nil
	}
	for i, part := range parts {
		if strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") {
			name := part[1 : len(part)-1]
			rest := strings.HasSuffix(name, "...")
			name = strings.TrimSuffix(name, "...")
			if name == "" {
				return nil, fmt.Errorf("liveview: route pattern %q has an unnamed wildcard", p)
			}
			if rest && i != len(parts)-1 {
				return nil, fmt.Errorf("liveview: route pattern %q: {%s...} must be the last segment", p, name)
			}
			segs = append(segs, segment{name: name, rest: rest})
			continue
		}
		if strings.ContainsAny(part, "{}") {
			return nil, fmt.Errorf("liveview: route pattern %q: bad segment %q", p, part)
		}
		segs = append(segs, segment{lit: part})
	}
	return segs, nil
}

// match reports whether path matches the route, adding wildcard values to p.
func (r *route) match(path string, p Params) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) == 1 && parts[0] == "" {
		parts = nil
	}
	if len(r.segs) == 0 {
		return len(parts) == 0
	}
	for i, s := range r.segs {
		if s.rest {
			if p != nil {
				p[s.name] = strings.Join(parts[i:], "/")
			}
			return true
		}
		if i >= len(parts) {
			return false
		}
		if s.lit != "" {
			if parts[i] != s.lit {
				return false
			}
			continue
		}
		if parts[i] == "" {
			return false
		}
		if p != nil {
			p[s.name] = parts[i]
		}
	}
	return len(parts) == len(r.segs)
}

// lookup finds the route serving u and the params of u: wildcards and query.
func (s *Server) lookup(u *url.URL) (*route, Params) {
	for _, r := range s.routes {
		p := Params{}
		if r.match(u.Path, p) {
			for k, v := range u.Query() {
				if _, taken := p[k]; taken {
					continue // path parameters win over the query
				}
				if len(v) == 1 {
					p[k] = v[0]
				} else {
					p[k] = v
				}
			}
			return r, p
		}
	}
	return nil, nil
}

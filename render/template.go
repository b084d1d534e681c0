package render

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"text/template/parse"
)

// Template is a compiled template, one of a set of named templates that can
// call each other. Templates are safe for concurrent Execute once parsed;
// Parse, Funcs, Option and Delims must not run concurrently with anything else
// on the set, and Parse after the first Execute is an error.
type Template struct {
	name string
	set  *set
}

type missingKeyMode uint8

const (
	missingDefault missingKeyMode = iota // a missing map key is the zero Value: prints ""
	missingZero                          // the zero value of the map's element type
	missingError                         // an evaluation error
)

// set is what the templates of one family share.
type set struct {
	mu          sync.Mutex
	trees       map[string]*parse.Tree
	funcs       map[string]reflect.Value
	funcNames   map[string]any
	missingKey  missingKeyMode
	left, right string
	executed    atomic.Bool
	compiled    atomic.Pointer[compiledSet]
	sources     map[string]string // source text by parse name, for Error.Source
	components  map[string]*Component
	live        map[string]LiveComponent // declared by LiveComponents, by name
}

// compiledSet holds, per template name, the block Execute starts from (compiled
// in an HTML text context), or why it cannot run.
type compiledSet struct {
	roots map[string]*block
	errs  map[string]error
}

// New returns an empty template named name, in a new set.
func New(name string) *Template {
	return &Template{name: name, set: &set{trees: map[string]*parse.Tree{}}}
}

// Parse parses text as a template named "template" and compiles it. It is the
// short form of New("template").Parse(text).
func Parse(text string) (*Template, error) { return New("template").Parse(text) }

// Must panics if err is not nil, and returns t otherwise. It is meant for
// package-level template variables.
func Must(t *Template, err error) *Template {
	if err != nil {
		panic(err)
	}
	return t
}

// Name returns the template's name.
func (t *Template) Name() string { return t.name }

// New returns a new, empty template named name in t's set, so that templates
// can call each other.
func (t *Template) New(name string) *Template { return &Template{name: name, set: t.set} }

// Lookup returns the template of t's set named name, or nil.
func (t *Template) Lookup(name string) *Template {
	t.set.mu.Lock()
	defer t.set.mu.Unlock()
	if t.set.trees[name] == nil {
		return nil
	}
	return &Template{name: name, set: t.set}
}

// Templates returns the defined templates of t's set.
func (t *Template) Templates() []*Template {
	t.set.mu.Lock()
	defer t.set.mu.Unlock()
	var out []*Template
	for name := range t.set.trees {
		out = append(out, &Template{name: name, set: t.set})
	}
	return out
}

// Funcs adds fns to the functions templates of t's set may call. It must be
// called before Parse. It panics if a value is not a function returning one
// value, or a value and an error, as text/template does: that is a programming
// error.
func (t *Template) Funcs(fns FuncMap) *Template {
	s := t.set
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.funcs == nil {
		s.funcs = map[string]reflect.Value{}
		s.funcNames = map[string]any{}
	}
	for name, fn := range fns {
		v := reflect.ValueOf(fn)
		if v.Kind() != reflect.Func {
			panic(fmt.Sprintf("render: Funcs: value for %q is not a function", name))
		}
		ft := v.Type()
		if !(ft.NumOut() == 1 || ft.NumOut() == 2 && ft.Out(1) == errorType) {
			panic(fmt.Sprintf("render: Funcs: %q must return one value, or a value and an error", name))
		}
		s.funcs[name] = v
		s.funcNames[name] = fn
	}
	s.compiled.Store(nil)
	return t
}

// Option sets options, as text/template does. The one option is missingkey,
// what a map index with a missing key yields:
//
//	"missingkey=default" or "missingkey=invalid": nothing, printed as "".
//	"missingkey=zero": the zero value of the map's element type.
//	"missingkey=error": an evaluation error.
//
// Option panics on an unknown option: that is a programming error.
func (t *Template) Option(opts ...string) *Template {
	for _, o := range opts {
		switch o {
		case "missingkey=default", "missingkey=invalid":
			t.set.missingKey = missingDefault
		case "missingkey=zero":
			t.set.missingKey = missingZero
		case "missingkey=error":
			t.set.missingKey = missingError
		default:
			panic(fmt.Sprintf("render: unknown option %q", o))
		}
	}
	return t
}

// Delims sets the action delimiters for later Parse calls; empty means the
// default "{{" and "}}".
func (t *Template) Delims(left, right string) *Template {
	t.set.left, t.set.right = left, right
	return t
}

// Parse parses text as the body of t, adding the templates it defines to t's
// set, and compiles the set. A call of a template that is not yet defined is
// not an error here, because a later Parse may define it; Execute reports it.
func (t *Template) Parse(text string) (*Template, error) {
	s := t.set
	if s.executed.Load() {
		return nil, fmt.Errorf("render: cannot Parse %q after Execute", t.name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	trees, err := parse.Parse(t.name, text, s.left, s.right, builtinNames, s.funcNames)
	if err != nil {
		return nil, errors.New("render: " + strings.TrimPrefix(err.Error(), "template: "))
	}
	oldSource, hadSource := s.sources[t.name]
	if s.sources == nil {
		s.sources = map[string]string{}
	}
	s.sources[t.name] = text
	saved := make(map[string]*parse.Tree, len(trees))
	for name := range trees {
		saved[name] = s.trees[name]
	}
	for name, tree := range trees {
		// As in text/template, an empty definition does not replace a
		// non-empty one, so that {{block}} defaults can be overridden in any
		// order.
		if old := s.trees[name]; old == nil || parse.IsEmptyTree(old.Root) || !parse.IsEmptyTree(tree.Root) {
			s.trees[name] = tree
		}
	}
	cs, err := s.compile()
	if err == nil {
		err = s.checkLive(trees)
	}
	if err != nil {
		// Leave the set as it was, so that it still executes.
		s.locate(err)
		if hadSource {
			s.sources[t.name] = oldSource
		} else {
			delete(s.sources, t.name)
		}
		for name, old := range saved {
			if old == nil {
				delete(s.trees, name)
			} else {
				s.trees[name] = old
			}
		}
		return nil, err
	}
	s.compiled.Store(cs)
	return t, nil
}

// compile compiles every template of the set. s.mu must be held.
func (s *set) compile() (*compiledSet, error) {
	cs := &compiledSet{roots: map[string]*block{}, errs: map[string]error{}}
	c := &compiler{set: s, memo: map[compKey]*compiled{}}
	an := &depAnalyzer{trees: s.trees, funcs: s.funcs, memo: map[string]*deps{}}
	for name, tree := range s.trees {
		blk, err := c.compileRoot(name)
		if err != nil {
			if errors.Is(err, errNoTemplate) || errors.Is(err, errEndContext) {
				cs.errs[name] = err
				continue
			}
			return nil, err
		}
		if blk.deps == nil {
			blk.deps = an.rootDeps(tree.Root, len(blk.ops))
		}
		cs.roots[name] = blk
	}
	return cs, nil
}

// root returns the block Execute starts from.
func (t *Template) root() (*block, error) {
	s := t.set
	cs := s.compiled.Load()
	if cs == nil {
		s.mu.Lock()
		var err error
		cs, err = s.compile()
		if err == nil {
			s.compiled.Store(cs)
		}
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	if blk := cs.roots[t.name]; blk != nil {
		return blk, nil
	}
	if err := cs.errs[t.name]; err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("render: template %q is not defined", t.name)
}

// Execute returns the template applied to data, to be evaluated later: the
// returned Rendered runs the template when its Evaluate (or AppendHTML or
// WriteTo) is called, so that a caller knowing which fields of data changed can
// skip the slots that depend only on the others. Execute itself fails only if
// the template cannot run at all. data must not change until evaluation.
func (t *Template) Execute(data any) (*Rendered, error) {
	if t == nil || t.set == nil {
		return nil, errors.New("render: Execute of a nil template")
	}
	blk, err := t.root()
	if err != nil {
		return nil, err
	}
	t.set.executed.Store(true)
	r := newRendered(blk.statics, blk.nslots)
	r.lazy = &lazyEval{blk: blk, data: data, st: state{set: t.set}}
	return r, nil
}

// evaluate runs a root block for Rendered.Evaluate.
func (r *Rendered) evaluate(l *lazyEval, ch Changes) error {
	blk, data, st := l.blk, l.data, &l.st
	s := st.set
	dot := reflect.ValueOf(data)
	st.dollar = dot
	st.vars = st.buf[:0]
	var force []bool
	if ch != nil {
		force = blk.forced(reflect.TypeOf(data))
	}
	_, err := st.runBlock(blk, dot, r.dyn, ch, force)
	if err != nil {
		s.mu.Lock()
		s.locate(err)
		s.mu.Unlock()
	}
	return err
}

// ExecuteHTML renders the template applied to data as HTML into w.
func (t *Template) ExecuteHTML(w io.Writer, data any) error {
	r, err := t.Execute(data)
	if err != nil {
		return err
	}
	b, err := r.AppendHTML(make([]byte, 0, 512))
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// ParseFiles creates a template set from the named files. The first file's
// base name names the returned template; each file defines the template named
// by its base name.
func ParseFiles(filenames ...string) (*Template, error) {
	return parseFiles(nil, readFileOS, filenames...)
}

// ParseFiles parses the named files into t's set, each file defining the
// template named by its base name.
func (t *Template) ParseFiles(filenames ...string) (*Template, error) {
	return parseFiles(t, readFileOS, filenames...)
}

// ParseFS is ParseFiles over the files of fsys matching the patterns (as
// fs.Glob does).
func ParseFS(fsys fs.FS, patterns ...string) (*Template, error) { return parseFS(nil, fsys, patterns) }

// ParseFS parses the files of fsys matching the patterns into t's set.
func (t *Template) ParseFS(fsys fs.FS, patterns ...string) (*Template, error) {
	return parseFS(t, fsys, patterns)
}

func parseFS(t *Template, fsys fs.FS, patterns []string) (*Template, error) {
	var names []string
	for _, p := range patterns {
		m, err := fs.Glob(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("render: ParseFS: %w", err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("render: ParseFS: pattern %q matches no files", p)
		}
		names = append(names, m...)
	}
	read := func(name string) (string, []byte, error) {
		b, err := fs.ReadFile(fsys, name)
		return path.Base(name), b, err
	}
	return parseFiles(t, read, names...)
}

func readFileOS(name string) (string, []byte, error) {
	b, err := os.ReadFile(name)
	return filepath.Base(name), b, err
}

func parseFiles(t *Template, read func(string) (string, []byte, error), filenames ...string) (*Template, error) {
	if len(filenames) == 0 {
		return nil, errors.New("render: no files named")
	}
	for _, f := range filenames {
		name, b, err := read(f)
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		if t == nil {
			t = New(name)
		}
		tt := t
		if name != t.name {
			tt = t.New(name)
		}
		if _, err := tt.Parse(string(b)); err != nil {
			return nil, err
		}
	}
	return t, nil
}

package render

import (
	"errors"
	"iter"
	"reflect"
	"strings"
	"testing"
)

type checkItem struct {
	ID    int
	Title string
	Tags  map[string]int
	Any   any
	Iface interface{ Label() string }
}

func (i checkItem) Label() string           { return i.Title }
func (i *checkItem) Rename(s string) string { return s }

type checkState struct {
	Title string
	Items []checkItem
	PItem *checkItem
	ByID  map[string]checkItem
	Seq2  iter.Seq2[string, checkItem]
	Data  any
	N     int
}

func (s checkState) Count() int                     { return len(s.Items) }
func (s checkState) Find(id int) (checkItem, error) { return checkItem{}, nil }

// fullCheckState makes every path of TestCheck's templates run.
func fullCheckState() checkState {
	it := checkItem{ID: 1, Title: "one", Tags: map[string]int{"a": 1}, Any: map[string]any{"x": 1}}
	it.Iface = it
	return checkState{
		Title: "T",
		Items: []checkItem{it},
		PItem: &it,
		ByID:  map[string]checkItem{"a": it},
		Seq2: func(yield func(string, checkItem) bool) {
			yield("k", it)
		},
		Data: map[string]any{"Whatever": map[string]any{"Deeper": 1}},
		N:    1,
	}
}

func TestCheck(t *testing.T) {
	fns := FuncMap{
		"anyOf":  func(v any) any { return v },
		"itemOf": func(s checkState) checkItem { return checkItem{} },
	}
	tests := []struct {
		name, text string
		want       string // "" when Check must pass; else its first message
		// norun skips comparing with execution: the path does not run with
		// fullCheckState, the error is located elsewhere at run time, or
		// Check does not know the type (and execution fails).
		norun bool
	}{
		{"fields", `{{.Title}} {{.N}} {{.Count}} {{.PItem.Title}} {{(.Find 1).Title}}`, "", false},
		{"typo", "<p>\n  {{.Titel}}</p>", `can't evaluate field Titel in type render.checkState`, false},
		{"typo after pointer", `{{.PItem.Titel}}`, `can't evaluate field Titel in type *render.checkItem`, false},
		{"with", `{{with .PItem}}{{.Title}}{{.Nope}}{{end}}`, `can't evaluate field Nope in type *render.checkItem`, false},
		{"with else keeps dot", `{{with .PItem}}{{else}}{{.Title}}{{.Nope}}{{end}}`, `can't evaluate field Nope in type render.checkState`, true},
		{"range element", `{{range .Items}}{{.Title}}{{.Titel}}{{end}}`, `can't evaluate field Titel in type render.checkItem`, false},
		{"range variables", `{{range $i, $it := .Items}}{{$i}}{{$it.ID}}{{$it.Id}}{{end}}`, `can't evaluate field Id in type render.checkItem`, false},
		{"range map", `{{range $k, $v := .ByID}}{{$k}}{{$v.Title}}{{$v.X}}{{end}}`, `can't evaluate field X in type render.checkItem`, false},
		{"range seq2 one variable is the key", `{{range $k := .Seq2}}{{len $k}}{{$k.Title}}{{end}}`, `can't evaluate field Title in type string`, false},
		{"range seq2 two variables", `{{range $k, $v := .Seq2}}{{$v.Title}}{{$v.Nope}}{{end}}`, `can't evaluate field Nope in type render.checkItem`, false},
		{"keyed key", `{{range keyed "Id" .Items}}{{.Title}}{{end}}`, `can't evaluate field Id in type render.checkItem`, true},
		{"keyed piped", `{{range .Items | keyed "ID"}}{{.Nope}}{{end}}`, `can't evaluate field Nope in type render.checkItem`, false},
		{"dollar", `{{range .Items}}{{$.Title}}{{$.Nope}}{{end}}`, `can't evaluate field Nope in type render.checkState`, false},
		{"variable", `{{$x := .PItem}}{{$x.Title}}{{$x.Nope}}`, `can't evaluate field Nope in type *render.checkItem`, false},
		{"map entry by name is not followed", `{{.ByID.missing.Nope}}{{.ByID.a.Title}}`, ``, true},
		{"method args", `{{.Find}}`, `wrong number of args for Find: want 1 got 0`, false},
		{"pointer method on value", `{{range .Items}}{{.Rename "x"}}{{.Rename}}{{end}}`, `wrong number of args for Rename: want 1 got 0`, false},
		{"field with args", `{{.Title 1}}`, `Title has arguments but cannot be invoked as function`, false},
		{"template call with data", `{{define "item"}}{{.Title}}{{.Nope}}{{end}}{{range .Items}}{{template "item" .}}{{end}}`, `can't evaluate field Nope in type render.checkItem`, false},
		{"undefined template", `{{template "nope" .}}`, `no such template "nope"`, false},
		{"func result", `{{(itemOf .).Title}}{{(itemOf .).Nope}}`, `can't evaluate field Nope in type render.checkItem`, false},
		{"index", `{{(index .Items 0).Title}}{{(index .Items 0).Nope}}{{index .ByID "a" | printf "%v"}}`, `can't evaluate field Nope in type render.checkItem`, false},
		{"index of a struct", `{{index .PItem 1}}`, `error calling index: can't index item of type render.checkItem`, false},
		{"several errors", `{{.A}}{{.B}}`, "can't evaluate field A in type render.checkState", false},
		// Where the type is not known, nothing is reported.
		{"interface field", `{{.Data.Whatever.Deeper}}`, "", false},
		{"interface method known", `{{range .Items}}{{.Iface.Label}}{{.Iface.Other}}{{end}}`, "", true},
		{"any result", `{{(anyOf .).Whatever}}`, "", true},
		{"and or", `{{(or .PItem .Title).Whatever}}`, "", true},
		{"assigned variable", `{{$x := .PItem}}{{$x = .Items}}{{$x.Whatever}}`, "", true},
		{"map key of any", `{{range .Items}}{{.Tags.anything}}{{.Any.x}}{{end}}`, "", false},
		{"template without data", `{{define "x"}}{{.Whatever}}{{end}}{{template "x"}}`, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm := Must(New("t").Funcs(fns).Parse(tc.text))
			err := tm.Check(reflect.TypeFor[checkState]())
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Check: %v; want no error", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Check passed; want %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), ": "+tc.want):
				t.Fatalf("Check: %v; want %q", err, tc.want)
			}
			if tc.norun {
				return
			}
			// Executed with data that runs every path, the template fails
			// with the same first error, or runs when Check passes.
			runErr := tm.ExecuteHTML(&strings.Builder{}, fullCheckState())
			if err == nil {
				if runErr != nil {
					t.Fatalf("Check passed, but executing fails: %v", runErr)
				}
				return
			}
			first := strings.SplitN(err.Error(), "\n", 2)[0]
			if runErr == nil || runErr.Error() != first {
				t.Errorf("Check's first error\n%s\nexecuting:\n%v", first, runErr)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Loc == "" {
					t.Errorf("Check's error %v is not a located *render.Error", err)
				}
			}
			// A pointer to the state checks the same.
			if err2 := tm.Check(reflect.TypeFor[*checkState]()); (err2 == nil) != (err == nil) {
				t.Errorf("Check(*checkState) = %v, Check(checkState) = %v", err2, err)
			}
		})
	}
}

// The templates that run fine in the evaluation tests pass Check against
// their data's type (the differential test checks the same on the Go
// toolchain's tables).
func TestCheckPassesTemplatesThatRun(t *testing.T) {
	d := newEvalData()
	for _, text := range []string{
		`{{.MXI.one}} {{len .PAny}} {{index .PAny 1}} {{.PAnyT.Hello}} {{.Deep.Name}} {{.Deep.Hello}}`,
		`{{call .NilOK nil}} {{call .F8 3}} {{slice .PArr 1 2}} {{index .MI8 1}}`,
		`{{range $k := .Seq2}}{{len $k}}{{end}}{{range $k, $v := .Seq2}}{{$v}}{{end}}`,
		`{{$i := 0}}{{range $i = .Rows}}{{end}}{{$i}}{{.Inner.Hello}}`,
	} {
		tm := Must(Parse(text))
		if err := tm.ExecuteHTML(&strings.Builder{}, d); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if err := tm.Check(reflect.TypeOf(d)); err != nil {
			t.Errorf("%s runs but Check says: %v", text, err)
		}
	}
}

func TestMustCheck(t *testing.T) {
	MustCheck[checkState](Parse(`{{.Title}}`))
	defer func() {
		r := recover()
		err, _ := r.(error)
		if err == nil || !strings.Contains(err.Error(), "t2:1:2: can't evaluate field Titel") {
			t.Errorf("MustCheck panicked with %v; want the Check error", r)
		}
	}()
	MustCheck[checkState](New("t2").Parse(`{{.Titel}}`))
}

// With missingkey=zero or error, a map entry looked up by name is a value of
// the element type, and names on it are checked.
func TestCheckMapEntryWithMissingKeyOption(t *testing.T) {
	for _, opt := range []string{"missingkey=zero", "missingkey=error"} {
		tm := Must(New("t").Option(opt).Parse(`{{.ByID.a.Title}}{{.ByID.a.Nope}}`))
		err := tm.Check(reflect.TypeFor[checkState]())
		if err == nil || err.Error() != "render: t:1:24: can't evaluate field Nope in type render.checkItem" {
			t.Errorf("%s: Check = %v", opt, err)
		}
	}
}

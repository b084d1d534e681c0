package render

import (
	"bytes"
	"html"
	htmltemplate "html/template"
	"iter"
	"strings"
	"testing"
	texttemplate "text/template"
)

// evalData holds the shapes of data text/template's evaluation rules are
// about.
type evalData struct {
	X     int
	S     string
	MI8   map[int8]string
	MU16  map[uint16]string
	MXI   map[any]int
	PAny  *any // points to an interface holding a slice
	PAnyT *any // points to an interface holding a value with methods
	PI    *int
	PArr  *[3]int
	Nil   *int
	Empty any
	NilOK func(*int) bool
	F8    func(int8) int8
	Seq2  iter.Seq2[string, int]
	Rows  []int
	None  []int
	Deep  **evalInner
	Inner evalInner
	NilS  *nilStringer
	NilE  *nilError
}

type nilStringer struct{}

func (p *nilStringer) String() string {
	if p == nil {
		return "nil stringer"
	}
	return "stringer"
}

type nilError struct{ msg string }

func (e *nilError) Error() string { return e.msg } // panics on nil

type evalInner struct{ Name string }

func (e evalInner) Hello() string { return "hello " + e.Name }

func newEvalData() *evalData {
	var anySlice any = []int{7, 8, 9}
	var anyT any = evalInner{Name: "t"}
	pi := 23
	inner := &evalInner{Name: "deep"}
	return &evalData{
		X:     1,
		S:     "s",
		MI8:   map[int8]string{1: "one", 2: "two"},
		MU16:  map[uint16]string{2: "two"},
		MXI:   map[any]int{"one": 1, 2: 2},
		PAny:  &anySlice,
		PAnyT: &anyT,
		PI:    &pi,
		PArr:  &[3]int{4, 5, 6},
		NilOK: func(p *int) bool { return p == nil },
		F8:    func(i int8) int8 { return i * 2 },
		Seq2: func(yield func(string, int) bool) {
			_ = yield("a", 1) && yield("b", 2) && yield("c", 3)
		},
		Rows:  []int{1, 2, 3, 4},
		Deep:  &inner,
		Inner: evalInner{Name: "in"},
	}
}

// TestEvaluationAsTextTemplate runs templates through text/template and render
// with the same data: render's output, with its HTML escaping undone, must be
// text/template's, and where text/template fails render must fail too. Cases
// using the html builtin compare with html/template, which replaces it with
// its own escaper.
func TestEvaluationAsTextTemplate(t *testing.T) {
	d := newEvalData()
	tests := []struct {
		name, text string
		data       any
		options    []string
		// raw compares with html/template, without unescaping: the
		// template escapes with html.
		raw bool
	}{
		// Field of nil data is nothing, or an error with missingkey=error.
		{"field of nil data", `[{{.X}}]{{if .X}}x{{end}}{{with .X.Y}}y{{end}}`, nil, nil, false},
		{"field of nil data missingkey=error", `{{.X}}`, nil, []string{"missingkey=error"}, false},
		{"field of nil interface", `{{.Empty.X}}`, d, nil, false},
		{"field of nil map entry", `{{.A.X}}`, map[string]any{"A": nil}, nil, false},
		{"field of missing map entry", `[{{.A.X}}]`, map[string]any{}, nil, false},
		{"field of nil pointer", `{{.Nil.X}}`, d, nil, false},
		// Map keys of any integer type take an int constant.
		{"index int8 key", `{{index .MI8 1}} {{index .MI8 2}}`, d, nil, false},
		{"index uint16 key", `{{index .MU16 2}}`, d, nil, false},
		{"index wrong key type", `{{index .MI8 "a"}}`, d, nil, false},
		// A name on a map whose key a string is assignable to.
		{"field of map[any]int", `{{.MXI.one}}`, d, nil, false},
		// Pointers to interfaces are followed.
		{"len of pointer to interface", `{{len .PAny}}`, d, nil, false},
		{"index of pointer to interface", `{{index .PAny 1}}`, d, nil, false},
		{"method through pointer to interface", `{{.PAnyT.Hello}} {{.PAnyT.Name}}`, d, nil, false},
		{"field through pointer to pointer", `{{.Deep.Name}} {{.Deep.Hello}}`, d, nil, false},
		{"len of nil pointer", `{{len .Nil}}`, d, nil, false},
		// nil arguments to call.
		{"call with nil", `{{call .NilOK nil}}`, d, nil, false},
		{"call with nil interface", `{{call .NilOK .Empty}}`, d, nil, false},
		{"call with nil interface piped", `{{.Empty | call .NilOK}}`, d, nil, false},
		{"call with non-nil pointer", `{{call .NilOK .PI}}`, d, nil, false},
		{"call converts an int constant", `{{call .F8 3}}`, d, nil, false},
		{"call with wrong type", `{{call .F8 "a"}}`, d, nil, false},
		// slice of a pointer to an array.
		{"slice of pointer to array", `{{slice .PArr 1 2}} {{slice .PArr 1}}`, d, nil, false},
		{"slice of nil pointer", `{{slice .Nil}}`, d, nil, false},
		// break and continue keep the row that hits them.
		{"break keeps the row", `{{range .Rows}}({{.}}{{if eq . 3}}{{break}}{{end}}){{end}}`, d, nil, false},
		{"break in the first row, else", `{{range .Rows}}[{{.}}{{break}}]{{else}}E{{end}}`, d, nil, false},
		{"continue keeps the row", `{{range .Rows}}a{{if eq . 2}}{{continue}}{{end}}b{{.}};{{end}}`, d, nil, false},
		{"break nested in if", `{{range .Rows}}{{if gt . 1}}p{{if eq . 3}}{{break}}{{end}}q{{end}}z{{.}}{{end}}`, d, nil, false},
		{"break in with", `{{range .Rows}}{{with .}}w{{if eq . 2}}{{break}}{{end}}{{end}}r{{end}}`, d, nil, false},
		{"break in else", `{{range .Rows}}{{if lt . 2}}l{{else}}{{break}}{{end}}n{{end}}`, d, nil, false},
		{"break in inner range", `{{range .Rows}}({{range $.Rows}}{{.}}{{if eq . 2}}{{break}}{{end}}{{end}}){{end}}`, d, nil, false},
		{"break in inner range else", `{{range .Rows}}({{range $.None}}{{else}}{{if eq $.X .}}{{break}}{{end}}e{{end}}){{end}}`, d, nil, false},
		{"continue after output", `{{range $i, $r := .Rows}}{{$i}}{{continue}}x{{end}}`, d, nil, false},
		// One range variable over an iter.Seq2 is its key.
		{"seq2 one variable", `{{range $k := .Seq2}}{{$k}}{{.}};{{end}}`, d, nil, false},
		{"seq2 two variables", `{{range $k, $v := .Seq2}}{{$k}}{{$v}}{{.}};{{end}}`, d, nil, false},
		{"seq2 no variable", `{{range .Seq2}}{{.}};{{end}}`, d, nil, false},
		// Range assignments outlive the loop.
		{"range assign one", `{{$i := 0}}{{range $i = .Rows}}{{end}}{{$i}}`, d, nil, false},
		{"range assign two", `{{$i := 9}}{{$v := 9}}{{range $i, $v = .Rows}}{{end}}{{$i}}{{$v}}`, d, nil, false},
		{"range assign in body", `{{$i := 0}}{{range $i = .Rows}}{{$i}}{{end}}-{{$i}}`, d, nil, false},
		{"range assign empty", `{{$i := 7}}{{range $i = .None}}{{end}}{{len $i}}`, d, nil, false},
		{"range variable in else", `{{range $x := .None}}{{else}}{{len $x}}{{end}}`, d, nil, false},
		{"range variable gone after", `{{$x := 5}}{{range $x := .Rows}}{{end}}{{$x}}`, d, nil, false},
		// An integer constant that fits no int only converts to a parameter.
		{"constant too big", `{{print 0x8000000000000000}}`, d, nil, false},
		// A nil pointer prints its String method's result when that
		// handles nil (render prints nothing for other nil pointers).
		{"nil stringer", `[{{.NilS}}]`, d, nil, false},
		{"js builtin", `{{js "it's <b>"}}`, d, nil, false},
		// html, js and urlquery print pointers as their value.
		{"html of pointer", `{{html .PI}}`, d, nil, true},
		{"html of pointer piped", `{{.PI | html}}`, d, nil, true},
		{"html of two", `{{html .PI .X}}`, d, nil, true},
		{"js of pointer", `{{js .PI}}`, d, nil, false},
		{"urlquery of pointer", `{{urlquery .PI "a b"}}`, d, nil, false},
		{"html of nil pointer", `{{html .Nil}}`, d, nil, true},
		{"html of nil pointer piped", `{{.Nil | html}}`, d, nil, true},
		{"html of missing", `{{html .Missing}}`, map[string]int{}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want bytes.Buffer
			var wantErr error
			if tc.raw {
				ht, err := htmltemplate.New("t").Option(tc.options...).Parse(tc.text)
				if err != nil {
					t.Fatalf("html/template parse: %v", err)
				}
				wantErr = ht.Execute(&want, tc.data)
			} else {
				tt, err := texttemplate.New("t").Option(tc.options...).Parse(tc.text)
				if err != nil {
					t.Fatalf("text/template parse: %v", err)
				}
				wantErr = tt.Execute(&want, tc.data)
			}

			rt, err := New("t").Option(tc.options...).Parse(tc.text)
			if err != nil {
				t.Fatalf("render parse: %v", err)
			}
			var got bytes.Buffer
			gotErr := rt.ExecuteHTML(&got, tc.data)
			switch {
			case wantErr != nil && gotErr == nil:
				t.Fatalf("render gave %q; text/template failed: %v", got.String(), wantErr)
			case wantErr == nil && gotErr != nil:
				t.Fatalf("render failed: %v; text/template gave %q", gotErr, want.String())
			case wantErr != nil:
				return
			}
			// render prints nothing for a missing value where text/template
			// prints <no value>.
			w := strings.ReplaceAll(want.String(), "<no value>", "")
			g := got.String()
			if !tc.raw {
				g = html.UnescapeString(g)
			}
			if g != w {
				t.Errorf("render:        %q (unescaped %q)\ntext/template: %q", got.String(), g, w)
			}
		})
	}
}

// A break or continue ends the row where it stands, so it must stand where
// the range body starts, as html/template requires.
func TestBreakContext(t *testing.T) {
	for _, text := range []string{
		`{{range .}}<a{{if .}}{{break}}{{end}}>{{end}}`,
		`{{range .}}<a href="{{if .}}{{continue}}{{end}}">{{end}}`,
		`{{range .}}<script>{{break}}</script>{{end}}`,
	} {
		_, err := Parse(text)
		if err == nil || !strings.Contains(err.Error(), "but the {{range}} body starts in") {
			t.Errorf("%s: got %v, want an error saying the break is not where the range body starts", text, err)
		}
	}
	for _, text := range []string{
		`{{range .}}<a>{{if .}}{{break}}{{end}}</a>{{end}}`,
		`{{range .}}{{range .}}<a>{{else}}{{continue}}{{end}}{{end}}`,
	} {
		if _, err := Parse(text); err != nil {
			t.Errorf("%s: %v", text, err)
		}
	}
}

// A nil pointer whose Error method panics on nil prints nothing.
func TestNilErrorPrintsNothing(t *testing.T) {
	got, err := renderString(t, "t", `[{{.NilE}}]`, newEvalData(), nil)
	if err != nil || got != "[]" {
		t.Errorf("got %q, %v; want [] and no error", got, err)
	}
}

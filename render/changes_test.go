package render

import (
	"testing"
)

// only is a Changes reporting the listed fields as changed.
type only []string

func (o only) Changed(f string) bool {
	for _, x := range o {
		if x == f {
			return true
		}
	}
	return false
}

type page struct {
	Count int
	Name  string
	Items []row
	Show  bool
	User  user
}

func (p page) Total() int { return p.Count * 2 }

func kinds(r *Rendered) []Kind {
	out := make([]Kind, r.Len())
	for i := range out {
		out[i] = r.Dynamic(i).Kind()
	}
	return out
}

func TestChangeTracking(t *testing.T) {
	tests := []struct {
		name, text string
		changed    only
		unchanged  []bool // per slot
	}{
		{"fields", `{{.Count}}{{.Name}}{{.User.Name}}`, only{"Count"}, []bool{false, true, true}},
		{"nested field counts as top level", `{{.User.Name}}{{.Count}}`, only{"User"}, []bool{false, true}},
		{"dollar field", `{{$.Count}}{{$.Name}}`, only{"Count"}, []bool{false, true}},
		{"bare dot is everything", `{{.}}{{.Name}}`, only{"Count"}, []bool{false, true}},
		{"bare dollar is everything", `{{$}}`, only{"Count"}, []bool{false}},
		{"method is everything", `{{.Total}}{{.Name}}`, only{"Count"}, []bool{false, true}},
		{"if uses pipeline and body", `{{if .Show}}{{.Count}}{{end}}{{if .Show}}{{.Name}}{{end}}`, only{"Count"}, []bool{false, true}},
		{"with body is relative", `{{with .User}}{{.Name}}{{end}}{{with .Name}}{{.}}{{end}}`, only{"User"}, []bool{false, true}},
		{"with body dollar", `{{with .User}}{{$.Count}}{{end}}`, only{"Count"}, []bool{false}},
		{"range body relative", `{{range .Items}}{{.Name}}{{end}}`, only{"Count"}, []bool{true}},
		{"dollar inside range", `{{range .Items}}{{$.Count}}{{end}}{{range .Items}}{{$.Name}}{{end}}`, only{"Count"}, []bool{false, true}},
		{"range else relative to root", `{{range .Items}}x{{else}}{{.Count}}{{end}}`, only{"Count"}, []bool{false}},
		{"variables carry deps", `{{$n := .Name}}{{$c := .Count}}{{$n}}{{$c}}`, only{"Count"}, []bool{true, false}},
		{"range variables", `{{range $i, $r := .Items}}{{$r.Name}}{{end}}`, only{"Count"}, []bool{true}},
		{"assignment is everything", `{{$x := 1}}{{if .Show}}{{$x = 2}}{{end}}{{$x}}`, only{"Count"}, []bool{false, false}},
		{"template with field", `{{define "t"}}{{.}}{{end}}{{template "t" .Name}}`, only{"Count"}, []bool{true}},
		{"template with dot", `{{define "t"}}{{.Name}}{{end}}{{template "t" .}}`, only{"Count"}, []bool{true}},
		{"template with dot uses count", `{{define "t"}}{{.Count}}{{end}}{{template "t" .}}`, only{"Count"}, []bool{false}},
		{"template without data", `{{define "t"}}x{{end}}{{template "t"}}`, only{"Count"}, []bool{true}},
		{"function args", `{{printf "%d" .Count}}{{printf "%s" .Name}}`, only{"Count"}, []bool{false, true}},
		{"constant", `{{1}}`, only{"Count"}, []bool{true}},
	}
	data := page{Count: 1, Name: "n", Items: []row{{1, "a"}}, Show: true, User: user{Name: "u"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm := Must(Parse(tc.text))
			r := mustExec(t, tm, data, tc.changed)
			if r.Len() != len(tc.unchanged) {
				t.Fatalf("%d slots, want %d", r.Len(), len(tc.unchanged))
			}
			for i, want := range tc.unchanged {
				if got := r.Dynamic(i).Kind() == KindUnchanged; got != want {
					t.Errorf("slot %d: unchanged=%v, want %v (kinds %v)", i, got, want, kinds(r))
				}
			}
			// Without Changes, nothing is skipped.
			full := mustExec(t, tm, data, nil)
			for i := 0; i < full.Len(); i++ {
				if full.Dynamic(i).Kind() == KindUnchanged {
					t.Errorf("slot %d Unchanged in a full render", i)
				}
			}
		})
	}
}

func TestChangeTrackingMapData(t *testing.T) {
	tm := Must(Parse(`{{.A}}{{.B}}`))
	r := mustExec(t, tm, map[string]any{"A": 1, "B": 2}, only{"B"})
	if got := kinds(r); got[0] != KindUnchanged || got[1] != KindString {
		t.Errorf("kinds %v", got)
	}
	if _, err := r.AppendHTML(nil); err == nil {
		t.Error("AppendHTML of a tree with Unchanged slots must fail")
	}
}

func TestChangeTrackingSkipsEvaluation(t *testing.T) {
	calls := 0
	tm := Must(New("skip").Funcs(FuncMap{"expensive": func(s string) string { calls++; return s }}).Parse(`{{.Count}}{{expensive .Name}}`))
	r := mustExec(t, tm, page{Name: "x"}, only{"Count"})
	if calls != 0 || r.Dynamic(1).Kind() != KindUnchanged {
		t.Errorf("unchanged slot was evaluated: calls=%d", calls)
	}
	mustExec(t, tm, page{Name: "x"}, only{"Name"})
	if calls != 1 {
		t.Errorf("changed slot not evaluated: calls=%d", calls)
	}
}

func TestChangeTrackingPointerMethod(t *testing.T) {
	// PtrName is a method of *user: with *user data, .PtrName must count as
	// everything even though it looks like a field.
	tm := Must(Parse(`{{.PtrName}}`))
	r := mustExec(t, tm, &user{Name: "a"}, only{"Age"})
	if r.Dynamic(0).Kind() == KindUnchanged {
		t.Error("a method slot was skipped")
	}
}

func TestChangeTrackingNestedNotPartial(t *testing.T) {
	// A changed if evaluates in full: no Unchanged values inside.
	tm := Must(Parse(`{{if .Show}}{{.Count}}{{.Name}}{{end}}`))
	r := mustExec(t, tm, page{Show: true, Count: 1, Name: "n"}, only{"Count"})
	in := r.Dynamic(0).Tree()
	if in == nil {
		t.Fatal("no tree")
	}
	for i := 0; i < in.Len(); i++ {
		if in.Dynamic(i).Kind() == KindUnchanged {
			t.Errorf("nested slot %d Unchanged", i)
		}
	}
}

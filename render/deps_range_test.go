package render

import "testing"

type changedOnly map[string]bool

func (c changedOnly) Changed(f string) bool { return c[f] }

// A range must be re-evaluated when the field it ranges over changes: its
// pipeline is read with the template's data as dot.
func TestRangeDependsOnItsPipeline(t *testing.T) {
	tmpl := Must(Parse(`<p>{{.Title}}</p><ul>{{range .Saved}}<li>{{.}}</li>{{end}}</ul>`))
	r, err := tmpl.Execute(struct {
		Title string
		Saved []string
	}{"t", []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Evaluate(changedOnly{"Saved": true}); err != nil {
		t.Fatal(err)
	}
	if k := r.Dynamic(0).Kind(); k != KindUnchanged {
		t.Errorf("Title slot kind = %v, want Unchanged", k)
	}
	if k := r.Dynamic(1).Kind(); k != KindComprehension {
		t.Errorf("range slot kind = %v, want a comprehension (Saved changed)", k)
	}
}

package form

import (
	"strings"
	"testing"

	"github.com/liveview-go/liveview/internal/protocol"
)

// FuzzBind feeds any form body the protocol accepts through Bind and the
// template accessors: no panic, and every error names a field.
func FuzzBind(f *testing.F) {
	for _, seed := range []string{
		"name=Ann&age=42&agree=false&agree=true&born=2024-02-29&meet=2024-03-01T09:30",
		"rows[0][name]=a&rows[999999999][name]=x&rows[-1][qty]=1&rows[][cost]=z",
		"address=flat&address[city]=x&tags[]=a&tags[x]=b&nums[][]=1&second[zip]=1e9",
		"_unused_name=&name=&address[_unused_city]=&rows[0][_unused_name]=&nick=&score=7",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		p, err := protocol.DecodeForm(body)
		if err != nil {
			return
		}
		var dst profile
		form := Bind(p, "", &dst)
		for _, e := range form.Errors() {
			if e.Message == "" {
				t.Errorf("an error without a message: %+v", e)
			}
		}
		if len(dst.Rows) > MaxIndex+1 {
			t.Fatalf("decoded %d rows, over the bound", len(dst.Rows))
		}
		for _, name := range []string{"name", "age", "agree", "born", "nick", "tags", "rows", "address"} {
			fd := form.Field(name)
			if !strings.HasPrefix(fd.Name, name) {
				t.Errorf("Field(%q).Name = %q", name, fd.Name)
			}
		}
		for _, row := range form.Inputs("rows") {
			_ = row.Field("name")
		}
		_ = form.Nested("address").Field("city")
		_ = form.Params()
	})
}

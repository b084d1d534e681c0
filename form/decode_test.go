package form

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview/internal/protocol"
)

type address struct {
	Street string `form:"street"`
	City   string `form:"city"`
	Zip    int    `form:"zip"`
}

type row struct {
	Name string  `form:"name"`
	Qty  int     `form:"qty"`
	Cost float64 `form:"cost"`
}

type Base struct {
	ID int `form:"id"`
}

type profile struct {
	Base
	Name    string    `form:"name"`
	Age     int       `form:"age"`
	Small   int8      `form:"small"`
	Count   uint      `form:"count"`
	Ratio   float32   `form:"ratio"`
	Agree   bool      `form:"agree"`
	Born    time.Time `form:"born"`
	Meet    time.Time `form:"meet"`
	Nick    *string   `form:"nick"`
	Score   *int      `form:"score"`
	Tags    []string  `form:"tags"`
	Nums    []int     `form:"nums"`
	Address address   `form:"address"`
	Second  *address  `form:"second"`
	Rows    []row     `form:"rows"`
	Skip    string    `form:"-"`
	Plain   string
	hidden  string   // unexported: never decoded (the test sends it)
	Unknown chan int `form:"unknown"`
}

func mustForm(t *testing.T, s string) map[string]any {
	t.Helper()
	p, err := protocol.DecodeForm(s)
	if err != nil {
		t.Fatalf("DecodeForm(%q): %v", s, err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

func TestDecode(t *testing.T) {
	tests := []struct {
		form string
		want profile
	}{
		{"name=Ann&age=42&small=-3&count=7&ratio=0.5", profile{Name: "Ann", Age: 42, Small: -3, Count: 7, Ratio: 0.5}},
		{"id=9&Plain=p&Skip=no&hidden=no", profile{Base: Base{ID: 9}, Plain: "p"}},
		// checkboxes: the hidden "false" input comes first, the box wins
		{"agree=false&agree=true", profile{Agree: true}},
		{"agree=false", profile{Agree: false}},
		{"agree=on", profile{Agree: true}},
		// an empty number is zero, not an error
		{"age=", profile{}},
		{"born=2024-02-29&meet=2024-03-01T09:30", profile{
			Born: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), Meet: time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)}},
		{"meet=2024-03-01T09:30:15", profile{Meet: time.Date(2024, 3, 1, 9, 30, 15, 0, time.UTC)}},
		{"nick=gopher&score=3", profile{Nick: ptr("gopher"), Score: ptr(3)}},
		{"nick=&score=", profile{}},
		{"tags[]=a&tags[]=b&nums[]=1&nums[]=2", profile{Tags: []string{"a", "b"}, Nums: []int{1, 2}}},
		{"tags=solo", profile{Tags: []string{"solo"}}},
		{"tags[1]=b&tags[0]=a", profile{Tags: []string{"a", "b"}}},
		{"address[street]=Main&address[city]=Oslo&address[zip]=123", profile{Address: address{"Main", "Oslo", 123}}},
		{"second[city]=Rome", profile{Second: &address{City: "Rome"}}},
		// lists of structs: without indexes, and indexed (in index order,
		// gaps closed)
		{"rows[][name]=a&rows[][qty]=1&rows[][name]=b&rows[][qty]=2", profile{Rows: []row{{Name: "a", Qty: 1}, {Name: "b", Qty: 2}}}},
		{"rows[10][name]=c&rows[2][name]=b&rows[0][name]=a&rows[0][cost]=1.5", profile{Rows: []row{{Name: "a", Cost: 1.5}, {Name: "b"}, {Name: "c"}}}},
		// _unused_ keys and unknown fields are ignored
		{"_unused_name=&name=&address[_unused_city]=&address[city]=&rows[0][_unused_name]=&rows[0][name]=x&zzz=1", profile{Rows: []row{{Name: "x"}}}},
	}
	for _, tt := range tests {
		var got profile
		if err := Decode(mustForm(t, tt.form), &got); err != nil {
			t.Errorf("Decode(%q): %v", tt.form, err)
			continue
		}
		if got.hidden != "" {
			t.Errorf("Decode(%q) set an unexported field", tt.form)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Decode(%q)\n got %+v\nwant %+v", tt.form, got, tt.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		form string
		want string // Errors.Error()
	}{
		{"age=x", `age: not a number: "x"`},
		{"age=1.5&name=ok", `age: not a number: "1.5"`},
		{"small=300", `small: number out of range: "300"`},
		{"count=-1", `count: not a number: "-1"`},
		{"ratio=abc", `ratio: not a number: "abc"`},
		{"agree=maybe", `agree: not true or false: "maybe"`},
		{"born=yesterday", `born: not a date or time: "yesterday"`},
		{"score=many", `score: not a number: "many"`},
		{"address[zip]=z&rows[1][qty]=q", `address.zip: not a number: "z"; rows.0.qty: not a number: "q"`},
		{"nums[]=1&nums[]=x", `nums.1: not a number: "x"`},
		{"address=flat", `address: expected nested fields, got a single value`},
		{"name[first]=a", `name: expected a single value, got nested fields`},
		{"unknown=1", `unknown: cannot decode into a chan int`},
		// hostile: huge and odd indexes are refused without allocating
		{"rows[999999999][name]=x&rows[0][name]=a", `rows: list index 999999999 is over the limit of 1000`},
		{"rows[1001][name]=x", `rows: list index 1001 is over the limit of 1000`},
		{"rows[-1][name]=x", `rows: list index "-1" is not a number`},
		{"rows[x][name]=x", `rows: list index "x" is not a number`},
		{"tags[99999999999999999999]=a", `tags: list index "99999999999999999999" is not a number`},
	}
	for _, tt := range tests {
		var got profile
		err := Decode(mustForm(t, tt.form), &got)
		var errs Errors
		if !errors.As(err, &errs) {
			t.Errorf("Decode(%q) = %v, want Errors %q", tt.form, err, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Decode(%q)\n got %q\nwant %q", tt.form, err, tt.want)
		}
	}
}

func TestDecodeBoundsLongLists(t *testing.T) {
	var b strings.Builder
	for i := 0; i < MaxIndex+50; i++ {
		b.WriteString("rows[][name]=x&")
	}
	var got profile
	err := Decode(mustForm(t, b.String()), &got)
	if err == nil || !strings.Contains(err.Error(), "rows: list of 1050 elements is over the limit of 1001") {
		t.Fatalf("Decode of %d rows: err = %v, want the list limit", MaxIndex+50, err)
	}
	if len(got.Rows) != MaxIndex+1 {
		t.Errorf("kept %d rows, want %d", len(got.Rows), MaxIndex+1)
	}
}

type node struct {
	Name     string `form:"name"`
	Children []node `form:"c"`
	Next     *node  `form:"next"`
}

func TestDecodeBoundsDepth(t *testing.T) {
	// JSON params (a hook's pushEvent) can nest without the form decoder's
	// own limit; a recursive type must not follow them forever.
	params := map[string]any{"name": "leaf"}
	for i := 0; i < 100; i++ {
		params = map[string]any{"name": "n", "next": params}
	}
	var got node
	err := Decode(params, &got)
	if err == nil || !strings.Contains(err.Error(), "nested more than 32 levels deep") {
		t.Fatalf("Decode of 100 levels: err = %v, want the depth limit", err)
	}
	p, err := protocol.DecodeForm("name=a&c[0][name]=b&c[0][c][0][name]=c")
	if err != nil {
		t.Fatal(err)
	}
	got = node{}
	if err := Decode(p, &got); err != nil || got.Children[0].Children[0].Name != "c" {
		t.Fatalf("Decode of a small tree = %+v, %v", got, err)
	}
}

func TestDecodeNeedsAStructPointer(t *testing.T) {
	for _, dst := range []any{nil, profile{}, new(int), (*profile)(nil)} {
		err := Decode(map[string]any{}, dst)
		if err == nil || !strings.Contains(err.Error(), "form: Decode needs a non-nil pointer to a struct") {
			t.Errorf("Decode into %T: err = %v", dst, err)
		}
	}
}

func TestDecodeCachesTypeInfo(t *testing.T) {
	a, b := infoOf(reflect.TypeOf(profile{})), infoOf(reflect.TypeOf(profile{}))
	if a != b {
		t.Fatal("infoOf computed the same type twice")
	}
	p := mustForm(t, "name=Ann&age=42&address[city]=Oslo&rows[][name]=a")
	var dst profile
	allocs := testing.AllocsPerRun(100, func() { _ = Decode(p, &dst) })
	// the rows slice, the decoder and reflect's boxing: a handful, not one
	// per field as building type info each call would cost (about 30)
	if allocs > 6 {
		t.Errorf("Decode allocates %.0f times per call, want at most 6", allocs)
	}
}

package form

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

type signup struct {
	Email    string    `form:"email"`
	Password string    `form:"password"`
	Age      int       `form:"age"`
	Terms    bool      `form:"terms"`
	Born     time.Time `form:"born"`
	Address  address   `form:"address"`
	Rows     []row     `form:"rows"`
	Tags     []string  `form:"tags"`
}

func (s *signup) Validate() Errors {
	var errs Errors
	if !strings.Contains(s.Email, "@") {
		errs = append(errs, Error{Field: "email", Code: "email"})
	}
	if len(s.Password) < 8 {
		errs = append(errs, Error{Field: "password", Code: "min", Param: "8", Kind: reflect.String})
	}
	if s.Age < 18 {
		errs.Add("age", "must be 18 or over")
	}
	if s.Address.City == "" {
		errs = append(errs, Error{Field: "address.city", Code: "required"})
	}
	for i, r := range s.Rows {
		if r.Name == "" {
			errs = append(errs, Error{Field: "rows." + itoa(i) + ".name", Code: "required"})
		}
	}
	return errs
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestBindShowsErrorsOnlyForUsedFields(t *testing.T) {
	// A change event after typing into email: the client marks the
	// others with _unused_ keys.
	p := mustForm(t, "user[email]=bob&user[_unused_password]=&user[password]=&user[_unused_age]=&user[age]=x"+
		"&user[address][_unused_city]=&user[address][city]=&user[address][street]=Main")
	var s signup
	f := Bind(p, "user", &s)
	if f.Valid() {
		t.Fatal("Valid() = true for a form with errors")
	}
	email := f.Field("email")
	if !email.Used || email.Name != "user[email]" || email.ID != "user_email" || email.Value != "bob" ||
		!reflect.DeepEqual(email.Errors, []string{"must be a valid email address"}) {
		t.Errorf("email field = %+v", email)
	}
	pw := f.Field("password")
	if pw.Used || len(pw.Errors) != 0 || !reflect.DeepEqual(pw.AllErrors, []string{"should be at least 8 character(s)"}) {
		t.Errorf("unused password field = %+v, want no errors shown and one kept", pw)
	}
	// a value that did not decode is shown as typed, with only its decode
	// error (not also "must be 18 or over")
	age := f.Field("age")
	if age.Value != "x" || !reflect.DeepEqual(age.AllErrors, []string{`not a number: "x"`}) || age.Used {
		t.Errorf("age field = %+v", age)
	}
	addr := f.Nested("address")
	city := addr.Field("city")
	if city.Name != "user[address][city]" || city.ID != "user_address_city" || city.Used || len(city.AllErrors) != 1 {
		t.Errorf("address city = %+v", city)
	}
	if st := addr.Field("street"); !st.Used || st.Value != "Main" {
		t.Errorf("address street = %+v", st)
	}
	if got := addr.Errors().Error(); got != "address.city: can't be blank" {
		t.Errorf("address form errors = %q", got)
	}
	if got := f.Errors().Error(); got != `age: not a number: "x"; email: must be a valid email address; password: should be at least 8 character(s); address.city: can't be blank` {
		t.Errorf("form errors = %q", got)
	}
}

func TestSubmitUsesEveryField(t *testing.T) {
	// A submit sends no _unused_ keys.
	p := mustForm(t, "user[email]=&user[password]=&user[age]=20&user[address][city]=")
	var s signup
	f := Bind(p, "user", &s)
	for _, name := range []string{"email", "password"} {
		if fd := f.Field(name); !fd.Used || len(fd.Errors) != 1 {
			t.Errorf("%s after submit = %+v, want used with its error", name, fd)
		}
	}
	if fd := f.Nested("address").Field("city"); !fd.Used || !reflect.DeepEqual(fd.Errors, []string{"can't be blank"}) {
		t.Errorf("address city after submit = %+v", fd)
	}
	if !f.Field("age").Used || f.Field("age").Invalid() {
		t.Errorf("age after submit = %+v", f.Field("age"))
	}
}

func TestInputsForLists(t *testing.T) {
	p := mustForm(t, "user[rows][0][name]=a&user[rows][0][qty]=1&user[rows][1][_unused_name]=&user[rows][1][name]=&user[rows][1][qty]=z")
	var s signup
	f := Bind(p, "user", &s)
	rows := f.Inputs("rows")
	if len(rows) != 2 {
		t.Fatalf("Inputs(rows) = %d forms, want 2", len(rows))
	}
	if fd := rows[0].Field("name"); fd.Name != "user[rows][0][name]" || fd.ID != "user_rows_0_name" || fd.Value != "a" || !fd.Used {
		t.Errorf("row 0 name = %+v", fd)
	}
	if fd := rows[1].Field("qty"); fd.Value != "z" || !fd.Used || !reflect.DeepEqual(fd.Errors, []string{`not a number: "z"`}) {
		t.Errorf("row 1 qty = %+v", fd)
	}
	if fd := rows[1].Field("name"); fd.Used || !reflect.DeepEqual(fd.AllErrors, []string{"can't be blank"}) {
		t.Errorf("row 1 name = %+v", fd)
	}
	if rows[1].Index() != 1 || rows[1].Name() != "user[rows][1]" || rows[1].ID() != "user_rows_1" {
		t.Errorf("row 1 = %s %s %d", rows[1].Name(), rows[1].ID(), rows[1].Index())
	}
	// the list itself is used once one of its inputs is
	if !f.Field("rows").Used {
		t.Error("rows not used though row 0 was typed into")
	}
}

func TestNewShowsDataAndNothingUsed(t *testing.T) {
	s := signup{Email: "a@b.c", Age: 30, Terms: true, Born: time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC),
		Address: address{City: "Oslo"}, Rows: []row{{Name: "x", Qty: 2, Cost: 1.25}}, Tags: []string{"go"}}
	f := New("user", &s)
	want := map[string]string{"email": "a@b.c", "age": "30", "terms": "true", "born": "2000-01-02", "password": ""}
	for name, v := range want {
		if fd := f.Field(name); fd.Value != v || fd.Used || fd.Errors != nil {
			t.Errorf("New: field %s = %+v, want value %q and unused", name, fd, v)
		}
	}
	if !f.Field("terms").Checked || f.Field("email").Checked {
		t.Error("Checked is wrong")
	}
	if !f.Field("tags").Has("go") || f.Field("tags").Has("rust") {
		t.Errorf("tags = %+v", f.Field("tags"))
	}
	if got := f.Nested("address").Field("city").Value; got != "Oslo" {
		t.Errorf("address city = %q", got)
	}
	rows := f.Inputs("rows")
	if len(rows) != 1 || rows[0].Field("cost").Value != "1.25" || rows[0].Field("qty").Value != "2" {
		t.Errorf("rows = %d, row 0 cost %q", len(rows), rows[0].Field("cost").Value)
	}
	if !f.Valid() || len(f.Errors()) != 0 {
		t.Error("a fresh form has errors")
	}
	// no name: inputs are named by their field alone
	if fd := New("", s).Field("email"); fd.Name != "email" || fd.ID != "email" || fd.Value != "a@b.c" {
		t.Errorf("unnamed form field = %+v", fd)
	}
	if fd := New("", s).Field("meet"); fd.Value != "" {
		t.Errorf("meet = %+v", fd)
	}
	m := New("", profile{Meet: time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC), Nick: ptr("g")})
	if m.Field("meet").Value != "2024-03-01T09:30" || m.Field("nick").Value != "g" || m.Field("score").Value != "" {
		t.Errorf("meet %q nick %q score %q", m.Field("meet").Value, m.Field("nick").Value, m.Field("score").Value)
	}
}

type checkerFunc func(any) Errors

func (c checkerFunc) Check(v any) Errors { return c(v) }

func TestBinderCheckerAndMessages(t *testing.T) {
	b := Binder{
		Checker: checkerFunc(func(v any) Errors {
			s := v.(*signup)
			if s.Age > 150 {
				return Errors{{Field: "age", Code: "lte", Param: "150", Kind: reflect.Int}}
			}
			return nil
		}),
		Message: func(e Error) string {
			if e.Code == "lte" {
				return "doit être au plus " + e.Param
			}
			return "" // the English default
		},
	}
	var s signup
	f := b.Bind(mustForm(t, "email=a@b.c&password=12345678&age=200&address[city]=x"), "", &s)
	if got := f.Field("age").Errors; !reflect.DeepEqual(got, []string{"doit être au plus 150"}) {
		t.Errorf("age errors = %q", got)
	}
	f = b.Bind(mustForm(t, "email=a@b.c&password=1&age=20&address[city]=x"), "", &s)
	if got := f.Field("password").Errors; !reflect.DeepEqual(got, []string{"should be at least 8 character(s)"}) {
		t.Errorf("password errors = %q", got)
	}
}

func TestBindWithoutParamsOrStruct(t *testing.T) {
	var s signup
	f := Bind(map[string]any{"other": "x"}, "user", &s)
	if f.Field("email").Used || f.Valid() {
		t.Errorf("a form bound to nothing: email %+v, valid %v", f.Field("email"), f.Valid())
	}
	f = Bind(nil, "", 42)
	if f.Valid() || !strings.Contains(f.Errors().Error(), "needs a non-nil pointer to a struct") {
		t.Errorf("Bind into an int: %v", f.Errors())
	}
}

func TestDefaultMessages(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{Code: "required"}, "can't be blank"},
		{Error{Code: "min", Param: "3", Kind: reflect.Slice}, "should have at least 3 item(s)"},
		{Error{Code: "max", Param: "3", Kind: reflect.String}, "should be at most 3 character(s)"},
		{Error{Code: "min", Param: "3", Kind: reflect.Int}, "must be greater than or equal to 3"},
		{Error{Code: "len", Param: "4", Kind: reflect.String}, "should be 4 character(s)"},
		{Error{Code: "number", Param: "x"}, `not a number: "x"`},
		{Error{Code: "whatever"}, "is invalid"},
	}
	for _, tt := range tests {
		if got := DefaultMessage(tt.e); got != tt.want {
			t.Errorf("DefaultMessage(%+v) = %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestNilFormIsEmpty(t *testing.T) {
	var f *Form
	fd := f.Field("email")
	if fd.Name != "email" || fd.ID != "email" || fd.Value != "" || fd.Used || fd.Errors != nil {
		t.Errorf("nil form field = %+v", fd)
	}
	if !f.Valid() || f.Name() != "" || len(f.Inputs("rows")) != 0 || f.Nested("a").Field("b").Name != "a[b]" {
		t.Error("a nil form is not the empty form")
	}
}

func TestParamsAndListAddAndRemoveRows(t *testing.T) {
	p := mustForm(t, "user[email]=a@b.c&user[rows][1][name]=b&user[rows][0][name]=a&user[rows][0][_unused_qty]=&user[rows][0][qty]=")
	var s signup
	f := Bind(p, "user", &s)
	params := f.Params()
	user := params["user"].(map[string]any)
	// add an empty row, then remove the first
	rows := append(List(user["rows"]), map[string]any{})
	user["rows"] = append(rows[:0:0], rows[1:]...)
	f2 := Bind(params, "user", &s)
	got := f2.Inputs("rows")
	if len(got) != 2 || got[0].Field("name").Value != "b" || got[1].Field("name").Value != "" || got[1].Field("name").Used {
		t.Fatalf("rows after add and remove: %d, %+v", len(got), got)
	}
	if f2.Field("email").Value != "a@b.c" || !f2.Field("email").Used {
		t.Errorf("email after rebinding = %+v", f2.Field("email"))
	}
	// the first form is unchanged
	if rows := f.Inputs("rows"); len(rows) != 2 || rows[0].Field("name").Value != "a" || rows[0].Field("qty").Used {
		t.Errorf("Params changed the form it was taken from")
	}
	if New("x", s).Params() != nil || f.Nested("address").Params() != nil {
		t.Error("Params of a form not bound from params is not nil")
	}
	if got := Bind(map[string]any{"a": "1"}, "", &struct{ A string }{}).Params(); got["a"] != "1" {
		t.Errorf("Params of an unnamed form = %v", got)
	}
}

package form_test

import (
	"fmt"

	"github.com/liveview-go/liveview/form"
)

// Contact is a form's data: its fields are named by their form tags.
type Contact struct {
	Name   string `form:"name"`
	Age    int    `form:"age"`
	Phones []struct {
		Number string `form:"number"`
	} `form:"phones"`
}

// Validate is the form's own check, run by Bind after decoding.
func (c *Contact) Validate() form.Errors {
	var errs form.Errors
	if c.Name == "" {
		errs.Add("name", "can't be blank")
	}
	return errs
}

// A change event after the user typed into age only: age did not decode
// and shows what was typed with its error; name is blank too, but its error
// waits until the user has used it.
func ExampleBind() {
	// An event's Params, as the client's
	// "contact[name]=&contact[_unused_name]=&contact[age]=ten&contact[phones][0][number]=555"
	// arrives.
	params := map[string]any{"contact": map[string]any{
		"name": "", "_unused_name": "", "age": "ten",
		"phones": map[string]any{"0": map[string]any{"number": "555"}},
	}}
	var c Contact
	f := form.Bind(params, "contact", &c)
	for _, name := range []string{"name", "age"} {
		fd := f.Field(name)
		fmt.Printf("%s id=%s value=%q used=%v errors=%q\n", fd.Name, fd.ID, fd.Value, fd.Used, fd.Errors)
	}
	for _, phone := range f.Inputs("phones") {
		fmt.Println(phone.Field("number").Name, phone.Field("number").Value)
	}
	fmt.Println(f.Valid(), f.Errors())
	// Output:
	// contact[name] id=contact_name value="" used=false errors=[]
	// contact[age] id=contact_age value="ten" used=true errors=["not a number: \"ten\""]
	// contact[phones][0][number] 555
	// false age: not a number: "ten"; name: can't be blank
}

// New gives the form of existing data, before the user sent anything.
func ExampleNew() {
	f := form.New("contact", Contact{Name: "Ann", Age: 30})
	fmt.Println(f.Field("name").Value, f.Field("age").Value, f.Field("age").Used)
	// Output: Ann 30 false
}

// A view adds a row to a list by changing the params the form was bound
// from and binding again: the rows already there keep what was typed.
func ExampleList() {
	params := map[string]any{"contact": map[string]any{
		"name":   "Ann",
		"phones": map[string]any{"0": map[string]any{"number": "555"}},
	}}
	var c Contact
	f := form.Bind(params, "contact", &c)

	// phx-click="add-phone"
	p := f.Params()
	contact := p["contact"].(map[string]any)
	contact["phones"] = append(form.List(contact["phones"]), map[string]any{})
	f = form.Bind(p, "contact", &c)

	for _, phone := range f.Inputs("phones") {
		fd := phone.Field("number")
		fmt.Printf("%s=%q used=%v\n", fd.Name, fd.Value, fd.Used)
	}
	// Output:
	// contact[phones][0][number]="555" used=true
	// contact[phones][1][number]="" used=false
}

// Package form binds a LiveView form to a Go struct, in the manner of
// Phoenix's to_form and used_input?: it decodes an event's form fields into
// the struct, validates it, and gives templates each field's name, id, value
// (as the user typed it, also when it did not decode), errors, and whether
// the user has touched it yet.
//
// # Binding
//
// A form event's Params hold the form's fields as the client sent them,
// decoded with Plug's bracket rules ("user[address][city]" arrives under
// "user", then "address"). Bind decodes the fields under a name into a
// struct and validates the result:
//
//	type Signup struct {
//		Email string `form:"email"`
//		Age   int    `form:"age"`
//	}
//
//	var s Signup
//	f := form.Bind(e.Params, "user", &s)
//	if f.Valid() { save(s) }
//
// A field's form name is its `form` tag, else its Go name; `form:"-"`
// skips it. Decode understands strings, bools (checkboxes: "true", "on",
// "1", "yes" are true; a hidden input with "false" before the checkbox makes
// an unchecked box send false), signed and unsigned integers, floats,
// time.Time (from date "2006-01-02", datetime-local "2006-01-02T15:04" with
// or without seconds, and RFC 3339), pointers to any of them (nil when the
// field is empty), nested structs (embedded structs are inlined), slices of
// values ("tags[]") and slices of structs, as lists ("rows[][x]") or indexed
// ("rows[0][x]", ordered by index; gaps close up). Struct types are inspected
// once and cached.
//
// Decoding is bounded: an index above MaxIndex, a list longer than MaxIndex+1
// or a struct nested deeper than MaxDepth is a field error saying so, and
// nothing is allocated for it.
//
// # Validation
//
// After decoding, Bind runs the Binder's Checker (struct tags, for example
// with github.com/liveview-go/liveview/form/validate, which wraps
// github.com/go-playground/validator/v10) and then the struct's own
// Validate() Errors method, if it has one. Errors name their field by its
// dotted path ("email", "address.city", "rows.0.name"); a field whose value
// did not decode keeps only its decode error. Each Error has a Code and
// Param so that messages can be translated: set Binder.Message; English
// defaults stand in for codes it does not handle.
//
// # Templates
//
// A *Form goes in the view's state. f.Field("email") gives a Field with
// Name "user[email]", ID "user_email", Value, Errors and Used; f.Nested
// ("address") and f.Inputs("rows") give the forms of nested structs and of
// lists of structs (Phoenix's inputs_for):
//
//	{{with .Form.Field "email"}}
//	  <input id="{{.ID}}" name="{{.Name}}" value="{{.Value}}">
//	  {{range .Errors}}<p class="error">{{.}}</p>{{end}}
//	{{end}}
//
// Field.Errors holds the messages to show: none until the field is used,
// exactly as Phoenix 1.0+'s used_input?: while the user has not touched a
// field, the client sends it with an extra "_unused_" key, and a field that
// is absent from the params is unused too. A submit sends no "_unused_"
// keys, so it marks every field it sends as used. Form.Errors has every
// error, used or not.
//
// # Recovery
//
// After a reconnect the client sends each form's values again as a change
// event (phx-change, or the event named by phx-auto-recover) before it shows
// the new render; a view that binds its form in that handler gets back what
// the user had typed and the same errors. The form needs an id.
package form

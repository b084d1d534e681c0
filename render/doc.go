// Package render compiles Go templates into static parts and dynamic slots, so
// that a LiveView diff carries only the slots that changed.
//
// # Templates
//
// Templates use the syntax of text/template, parsed by text/template/parse:
// fields, methods, variables, pipelines, if/else if/else, with/else with,
// range over slices, arrays, maps (in key order), integers, channels and
// iterator functions, break and continue, define, template and block, and the
// usual builtins (and or not len index slice print printf println eq ne lt le
// gt ge html js urlquery call). Parse, Must, ParseFiles, ParseFS, Funcs,
// Lookup, Option("missingkey=...") and Delims behave as in text/template.
//
// # Statics and dynamics
//
// Each template is compiled once, when parsed, into a tree. A node holds the
// static text (its Statics, identified by a fingerprint) and, between the
// static parts, dynamic slots. A slot is filled by an action ({{.Count}}), by
// an if or with (a nested node: each branch has its own Statics, so a branch
// switch shows as a fingerprint change), by a template or block call (a nested
// node), or by a range: a Comprehension whose rows all share one Statics.
// Static text around actions stays in one node; comments and variable
// declarations leave no slot. An if whose condition is false and has no else
// fills its slot with an empty string; a range with no rows and an else fills
// it with the else branch.
//
// # Keyed ranges
//
// Rows of a range are keyed by their index, so that a diff resends the rows
// whose content changed at each position. To let a diff follow rows as they are
// inserted, deleted or moved, key them by a value of the row with the keyed
// builtin: {{range keyed "ID" .Rows}} (or {{range $i, $r := keyed "ID" .Rows}})
// keys each row by its field, method or map key ID, printed as a string; a
// dotted name ("User.ID") follows a path. Two rows with the same key are an
// evaluation error.
//
// # Escaping
//
// Values are escaped for the place they appear in, decided at compile time by
// following the HTML syntax of the static text, with html/template's rules:
// text and RCDATA (textarea, title) are HTML-escaped; attribute values are
// escaped for their quoting (an action that is a whole unquoted value is
// written quoted). Character references in attribute values are decoded before
// the value is read as a URL, JS or CSS, as the browser decodes them.
//
// URLs (href, src, action, formaction, data- and other attributes whose name
// holds src, url or uri, CSS strings and url(), <meta content> after "url=")
// neutralise schemes other than http, https, mailto and tel as "#ZliveviewZ"
// at their start (after the spaces and control characters browsers skip, and
// together with scheme letters the template writes just before the action),
// normalise values in their path and percent-encode values in their query or
// fragment. srcset and imagesrcset are lists: each candidate URL is filtered.
//
// Event handler attributes (on...) and script elements get values as JS: JSON,
// with markup characters escaped, surrounded by spaces; escaped contents
// inside a string, template literal (including nested ${...} and literals) or
// regexp literal. A value that JSON cannot encode becomes null after a comment
// saying why. Style attributes and elements accept only harmless CSS values,
// replacing others with "ZliveviewZ".
//
// HTML comments, and JS and CSS comments in script and style elements, are
// removed from the output, as html/template removes them; an action inside a
// comment writes nothing. Static text is otherwise kept, with html/template's
// two rewrites: a '<' in text, textarea or title that starts no tag, comment
// or declaration is written "&lt;", and "<!--", "<script" and "</script" (in
// any case) inside a JS string, template literal or regexp of a script
// element are written with "\x3C" for '<', so that they cannot end the script
// or change how the browser finds its end.
//
// Branches of an if, with or range may end in different places of a start
// tag: <input type="checkbox" {{if .Done}}checked{{end}}> works; what follows
// must then be a space, '/' or '>', and '=' may not follow. Branches that end
// on both sides of a URL's '?' leave the part unknown, and an action there is
// an error; so is any other disagreement. An action in an attribute name
// (<img on{{.Event}}="...">) writes a name of letters and digits that keeps
// the attribute's kind and is not one html/template refuses there (type,
// value, content, rel, srcdoc, ...), or "ZliveviewZ".
//
// Refused at compile time, as html/template refuses them: an action in a tag
// name (write the tag in the template: {{if .Ordered}}<ol>{{else}}<ul>{{end}}),
// in a JS regexp character class or after a backslash in a JS or CSS string;
// quotes, '=', '<' or backquote in an unquoted attribute value; {{break}} or
// {{continue}} where the range body does not start; the html and urlquery
// escapers before the end of a pipeline. Executing a template that ends inside
// a tag, attribute or raw text element is an error. Invalid UTF-8 is replaced
// with U+FFFD.
//
// Two types are not escaped. An HTML value is inserted as is in text, and
// escaped elsewhere. A *Rendered value in text embeds as a nested node. Where
// an attribute may start (<input {{.Extra}}>) an Attrs renders a whole list of
// attributes with validated names and escaped values (true renders a bare
// attribute, false or nil nothing); any other value is an attribute name,
// filtered as above.
//
// Values are printed as text/template prints them (fmt's %v), except that nil
// pointers and interfaces print as nothing (unless their type's String or
// Error method handles a nil receiver).
//
// # Function components
//
// A function component is a reusable piece of markup with typed attributes
// and named slots, like Phoenix's function components. NewComponent makes one
// from a template and a struct type whose fields are its attributes and
// slots; Template.Components adds it to a set before Parse:
//
//	type TableAttrs struct {
//		ID   string         `attr:"required"`
//		Rows []User         `attr:"required"`
//		Col  []*render.Slot `attr:"required"` // a slot given once per column
//	}
//
//	var table = render.MustComponent[TableAttrs]("table", `<table id="{{.ID}}">
//	  <tr>{{range .Col}}<th>{{.Attr "Label"}}</th>{{end}}</tr>
//	  {{range $row := .Rows}}<tr>{{range $.Col}}<td>{{render_slot . $row}}</td>{{end}}</tr>{{end}}
//	</table>`)
//
// A template calls it with the component builtin: attributes are name and
// value pairs, and the body of a {{with component}} holds its slots, each a
// {{with slot}} whose variable receives what the component passes to
// render_slot (Phoenix's :let); everything else in the body is the inner
// block, given to the field named Inner:
//
//	{{with component "table" "ID" "users" "Rows" .Users}}
//	  {{with $u := slot "Col" "Label" "Name"}}{{$u.Name}}{{end}}
//	  {{with $u := slot "Col" "Label" "Email"}}<a href="mailto:{{$u.Email}}">{{$u.Email}}</a>{{end}}
//	{{end}}
//
// A call without slots is an action: {{component "button" "Type" "submit"}}.
// Unlike a plain {{with}}, dot in a component's or slot's body stays the
// caller's dot, so content reads the caller's data as Phoenix's @assigns do;
// the caller's variables are in scope too.
//
// Why this syntax: text/template/parse accepts no new keywords, so the call
// has to be a builtin, and only {{with}}, {{if}}, {{range}} and {{block}} carry
// a body. {{with}} reads as "with this component" and, with a variable
// ({{with $row := slot ...}}), binds the slot's argument as :let does; a body
// written inline keeps the call and its content in one place (a {{define}}
// per slot would scatter them, and its content could not see the caller's
// variables). A struct type makes attributes typed and checkable: Parse
// reports an unknown component, attribute or slot, a missing required
// attribute or slot (tag `attr:"required"`), a slot given twice where its
// field is not a slice, and inner content for a component without Inner;
// NewComponent checks the component's own template against the struct as
// Check does. Only the value of an attribute is checked at render time
// (assignable, or a number convertible to the field's number type).
//
// An Attrs field tagged `attr:"rest"` collects the other attributes of a
// call, written in lower case ("class", "phx-click", "data-id"), for the
// component to spread where an attribute may start: <button {{.Rest}}>.
//
// A component's output is a nested node whose statics are the same at every
// call, and each slot's content a nested node of its own, so a component in a
// keyed range diffs row by row like any other markup: a change in one row
// sends that row's changed slots only, and the statics the rows share travel
// once per message. Change tracking counts the whole call,
// its attributes and its slots' content, as one slot of the caller.
//
// Escaping is unchanged: attribute values are data, escaped wherever the
// component's template writes them; slot content is compiled in the caller
// as HTML text, which is the only place render_slot and component are
// allowed, and must end where it starts (a {{break}} in it cannot leave a
// range of the caller's). A component's template must end in HTML text too.
//
// # Lazy evaluation and change tracking
//
// Execute does not evaluate: it returns a Rendered that runs the template when
// its Evaluate is called (AppendHTML and WriteTo call it, evaluating all). A
// caller that knows which top-level fields of the data changed since the
// previous render passes them to Evaluate as a Changes; a slot of the executed
// template that depends only on unchanged fields is then not evaluated and
// holds an Unchanged value. Dependencies are found at compile time: .Foo,
// .Foo.Bar and $.Foo depend on Foo; a bare . or $, a method of the data, or a
// variable that is assigned depend on everything. A slot holding an if, with,
// range or template call depends on all its parts together, and is evaluated
// in full when any of them changed.
//
// # Checking templates at startup
//
// A misspelt name ({{.Titel}}) is an evaluation error, found when the template
// first runs that path. Check finds it before any data exists, from the type
// the template will be executed with: it follows types along dot, $,
// variables, with and range, method and function results and template calls,
// and reports names the types lack, arguments to fields, wrong argument counts
// and calls of undefined templates. Where a type is not known statically (an
// interface, a function returning any, and, or, a variable that is assigned, a
// map entry looked up by name, which may be missing), it checks nothing
// further on that path: what Check reports fails whenever the path runs.
// MustCheck is Must with that check, for package-level templates:
//
//	var page = render.MustCheck[State](render.Parse(`<h1>{{.Title}}</h1>`))
//
// A typo then stops the program at startup with the template's name, line and
// column, as evaluation errors do.
//
// Errors name the template, line and column: "render: counter:3:14: can't
// evaluate field Cnt in type main.Counter".
package render

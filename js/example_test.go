package js_test

import (
	"fmt"
	"os"
	"time"

	"github.com/liveview-go/liveview/js"
	"github.com/liveview-go/liveview/render"
)

// A modal opened and closed in the browser alone: the commands are the
// bindings' values, so no event goes to the server.
func Example() {
	type modal struct{ Open, Close js.Cmd }
	tmpl := render.Must(render.Parse(`<button phx-click="{{.Open}}">Open</button>
<div id="modal" hidden phx-window-keydown="{{.Close}}" phx-key="Escape">
  <button phx-click="{{.Close}}">Close</button>
</div>`))

	fade := js.Classes{Run: "transition-opacity duration-200", Start: "opacity-0", End: "opacity-100"}
	data := modal{
		Open:  js.PushFocus("").Show("#modal", js.ShowOptions{Transition: fade}).FocusFirst("#modal"),
		Close: js.Hide("#modal").PopFocus(),
	}
	if err := tmpl.ExecuteHTML(os.Stdout, data); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <button phx-click="[[&#34;push_focus&#34;,{}],[&#34;show&#34;,{&#34;to&#34;:&#34;#modal&#34;,&#34;transition&#34;:[[&#34;transition-opacity&#34;,&#34;duration-200&#34;],[&#34;opacity-0&#34;],[&#34;opacity-100&#34;]]}],[&#34;focus_first&#34;,{&#34;to&#34;:&#34;#modal&#34;}]]">Open</button>
	// <div id="modal" hidden phx-window-keydown="[[&#34;hide&#34;,{&#34;to&#34;:&#34;#modal&#34;}],[&#34;pop_focus&#34;,{}]]" phx-key="Escape">
	//   <button phx-click="[[&#34;hide&#34;,{&#34;to&#34;:&#34;#modal&#34;}],[&#34;pop_focus&#34;,{}]]">Close</button>
	// </div>
}

// Push sends an event with options a plain phx-click lacks: a value, a
// loading class on other elements, a target component.
func ExamplePush() {
	fmt.Println(js.Push("save", js.PushOptions{Value: map[string]any{"id": 42}, Loading: "#form"}))
	// Output:
	// [["push",{"event":"save","loading":"#form","value":{"id":42}}]]
}

// Commands compose: this one hides a flash message with a transition, then
// tells the server.
func ExampleCmd_Push() {
	dismiss := js.Hide(js.Closest(".flash"), js.AnimOptions{
		Transition: js.Classes{Run: "transition-opacity", Start: "opacity-100", End: "opacity-0"},
		Time:       300 * time.Millisecond,
	}).Push("lv:clear-flash", js.PushOptions{Value: map[string]any{"key": "info"}})
	fmt.Println(dismiss)
	// Output:
	// [["hide",{"time":300,"to":{"closest":".flash"},"transition":[["transition-opacity"],["opacity-100"],["opacity-0"]]}],["push",{"event":"lv:clear-flash","value":{"key":"info"}}]]
}

// Toggle shows or hides a menu, with a transition each way.
func ExampleToggle() {
	menu := js.Toggle("#menu", js.ToggleOptions{
		In:  js.Classes{Run: "ease-out duration-100", Start: "opacity-0", End: "opacity-100"},
		Out: js.Classes{Run: "ease-in duration-75", Start: "opacity-100", End: "opacity-0"},
	}).ToggleAttribute("", "aria-expanded", "true", "false")
	fmt.Println(menu)
	// Output:
	// [["toggle",{"ins":[["ease-out","duration-100"],["opacity-0"],["opacity-100"]],"outs":[["ease-in","duration-75"],["opacity-100"],["opacity-0"]],"to":"#menu"}],["toggle_attr",{"attr":["aria-expanded","true","false"]}]]
}

// A command the client must not run makes the whole list invalid: Err says
// why, and it renders as an empty list.
func ExampleCmd_Err() {
	c := js.Show("#panel").Navigate("javascript:alert(1)")
	fmt.Println(c.Err())
	fmt.Println(c)
	// Output:
	// js: navigate: unsupported scheme "javascript" in "javascript:alert(1)": a live navigation goes to a path or an http(s) URL
	// []
}

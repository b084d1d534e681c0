package js_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview/js"
)

// The wanted JSON is what Phoenix LiveView 1.2 emits for the same command:
// read from lib/phoenix_live_view/js.ex (put_op drops nil options; the
// options land in an Elixir map, which Jason writes with its keys sorted
// because maps of up to 32 keys are ordered; class names are split at
// spaces; a transition is three class lists; navigate and patch always
// write replace) and from the encodings its test/phoenix_live_view/js_test.exs
// asserts, e.g. ~S<[["transition",{"to":"#modal","transition":[["shake"],[],[]]}]]>.
// The argument names are those the client's exec_* functions destructure in
// assets/js/phoenix_live_view/js.js (1.2.12), which also applies the
// defaults left out here (time 200, blocking true, bubbles true, display
// "block").
func TestCommandsEncodeAsPhoenix(t *testing.T) {
	fade := js.Classes{Run: "ease-out duration-300", Start: "opacity-0", End: "opacity-100"}
	for _, tc := range []struct {
		name string
		cmd  js.Cmd
		want string
	}{
		{"zero", js.Cmd{}, `[]`},

		// JS.push(event, target:, loading:, page_loading:, value:)
		{"push", js.Push("inc"), `[["push",{"event":"inc"}]]`},
		{"push target", js.Push("inc", js.PushOptions{Target: "#modal"}), `[["push",{"event":"inc","target":"#modal"}]]`},
		{"push cid target", js.Push("inc", js.PushOptions{Target: "1"}), `[["push",{"event":"inc","target":"1"}]]`},
		{"push loading", js.Push("inc", js.PushOptions{Loading: ".thermo"}), `[["push",{"event":"inc","loading":".thermo"}]]`},
		{"push page_loading", js.Push("inc", js.PushOptions{PageLoading: true}), `[["push",{"event":"inc","page_loading":true}]]`},
		{"push value", js.Push("inc", js.PushOptions{Value: map[string]any{"two": 2, "one": 1}}), `[["push",{"event":"inc","value":{"one":1,"two":2}}]]`},
		{"push empty value", js.Push("inc", js.PushOptions{Value: map[string]any{}}), `[["push",{"event":"inc","value":{}}]]`},
		{"push all", js.Push("inc", js.PushOptions{Target: "#c", Loading: ".l", PageLoading: true, Value: map[string]any{"id": 7}}),
			`[["push",{"event":"inc","loading":".l","page_loading":true,"target":"#c","value":{"id":7}}]]`},

		// JS.navigate/patch(href, replace:): replace is always written (!!opts[:replace]).
		{"navigate", js.Navigate("/home"), `[["navigate",{"href":"/home","replace":false}]]`},
		{"navigate replace", js.Navigate("/home", js.NavOptions{Replace: true}), `[["navigate",{"href":"/home","replace":true}]]`},
		{"navigate https", js.Navigate("https://example.com/home"), `[["navigate",{"href":"https://example.com/home","replace":false}]]`},
		{"navigate relative with colon", js.Navigate("items/a:b?x=1"), `[["navigate",{"href":"items/a:b?x=1","replace":false}]]`},
		{"patch", js.Patch("/home"), `[["patch",{"href":"/home","replace":false}]]`},
		{"patch replace", js.Patch("/home?page=2", js.NavOptions{Replace: true}), `[["patch",{"href":"/home?page=2","replace":true}]]`},

		// JS.dispatch(event, to:, detail:, bubbles:, blocking:): bubbles
		// only when given, blocking only when true.
		{"dispatch", js.Dispatch("", "click"), `[["dispatch",{"event":"click"}]]`},
		{"dispatch to", js.Dispatch(".foo", "click"), `[["dispatch",{"event":"click","to":".foo"}]]`},
		{"dispatch detail", js.Dispatch("#x", "app:copy", js.DispatchOptions{Detail: map[string]any{"id": 1}}), `[["dispatch",{"detail":{"id":1},"event":"app:copy","to":"#x"}]]`},
		{"dispatch no bubbles", js.Dispatch("", "click", js.DispatchOptions{NoBubble: true}), `[["dispatch",{"bubbles":false,"event":"click"}]]`},
		{"dispatch blocking", js.Dispatch("", "app:wait", js.DispatchOptions{Blocking: true}), `[["dispatch",{"blocking":true,"event":"app:wait"}]]`},

		// JS.exec(attr, to:)
		{"exec", js.Exec("", "phx-remove"), `[["exec",{"attr":"phx-remove"}]]`},
		{"exec to", js.Exec("#modal", "phx-remove"), `[["exec",{"attr":"phx-remove","to":"#modal"}]]`},

		// JS.show(to:, display:, transition:, time:, blocking:)
		{"show", js.Show("#modal"), `[["show",{"to":"#modal"}]]`},
		{"show self", js.Show(""), `[["show",{}]]`},
		{"show display", js.Show("#modal", js.ShowOptions{Display: "flex"}), `[["show",{"display":"flex","to":"#modal"}]]`},
		{"show transition string", js.Show("#modal", js.ShowOptions{Transition: js.Classes{Run: "fade-in  scale-in"}}), `[["show",{"to":"#modal","transition":[["fade-in","scale-in"],[],[]]}]]`},
		{"show transition tuple", js.Show("#modal", js.ShowOptions{Transition: fade, Time: 300 * time.Millisecond}),
			`[["show",{"time":300,"to":"#modal","transition":[["ease-out","duration-300"],["opacity-0"],["opacity-100"]]}]]`},
		{"show non-blocking", js.Show("#modal", js.ShowOptions{NonBlocking: true}), `[["show",{"blocking":false,"to":"#modal"}]]`},

		// JS.hide(to:, transition:, time:, blocking:)
		{"hide", js.Hide("#modal"), `[["hide",{"to":"#modal"}]]`},
		{"hide transition", js.Hide("#modal", js.AnimOptions{Transition: js.Classes{Run: "fade-out"}, Time: 100 * time.Millisecond}),
			`[["hide",{"time":100,"to":"#modal","transition":[["fade-out"],[],[]]}]]`},

		// JS.toggle(to:, in:, out:, display:, time:, blocking:)
		{"toggle", js.Toggle("#modal"), `[["toggle",{"to":"#modal"}]]`},
		{"toggle in out", js.Toggle("#modal", js.ToggleOptions{In: js.Classes{Run: "fade-in d-block"}, Out: js.Classes{Run: "fade-out d-block"}}),
			`[["toggle",{"ins":[["fade-in","d-block"],[],[]],"outs":[["fade-out","d-block"],[],[]],"to":"#modal"}]]`},
		{"toggle tuples", js.Toggle("#modal", js.ToggleOptions{In: js.Classes{"fade-in", "opacity-0", "opacity-100"}, Out: js.Classes{"fade-out", "opacity-100", "opacity-0"}}),
			`[["toggle",{"ins":[["fade-in"],["opacity-0"],["opacity-100"]],"outs":[["fade-out"],["opacity-100"],["opacity-0"]],"to":"#modal"}]]`},
		{"toggle time display", js.Toggle("#modal", js.ToggleOptions{Time: 123 * time.Millisecond, Display: "block", NonBlocking: true}),
			`[["toggle",{"blocking":false,"display":"block","time":123,"to":"#modal"}]]`},

		// JS.add_class/remove_class/toggle_class(names, to:, transition:, time:, blocking:)
		{"add_class", js.AddClass("", "show"), `[["add_class",{"names":["show"]}]]`},
		{"add_class to time", js.AddClass("#modal", "show", js.AnimOptions{Time: 100 * time.Millisecond}), `[["add_class",{"names":["show"],"time":100,"to":"#modal"}]]`},
		{"add_class several", js.AddClass("#x", " a b  c "), `[["add_class",{"names":["a","b","c"],"to":"#x"}]]`},
		{"add_class none", js.AddClass("#x", ""), `[["add_class",{"names":[],"to":"#x"}]]`},
		{"add_class transition", js.AddClass("#x", "big", js.AnimOptions{Transition: js.Classes{Run: "grow"}, NonBlocking: true}),
			`[["add_class",{"blocking":false,"names":["big"],"to":"#x","transition":[["grow"],[],[]]}]]`},
		{"remove_class", js.RemoveClass("", "show"), `[["remove_class",{"names":["show"]}]]`},
		{"remove_class to", js.RemoveClass("#modal", "show hidden"), `[["remove_class",{"names":["show","hidden"],"to":"#modal"}]]`},
		{"toggle_class", js.ToggleClass("", "show"), `[["toggle_class",{"names":["show"]}]]`},
		{"toggle_class transition", js.ToggleClass("#m", "open", js.AnimOptions{Transition: fade, Time: time.Second}),
			`[["toggle_class",{"names":["open"],"time":1000,"to":"#m","transition":[["ease-out","duration-300"],["opacity-0"],["opacity-100"]]}]]`},

		// JS.transition(transition, to:, time:, blocking:): transition is always written.
		{"transition", js.Transition("", js.AnimOptions{Transition: js.Classes{Run: "shake"}}), `[["transition",{"transition":[["shake"],[],[]]}]]`},
		{"transition to", js.Transition("#modal", js.AnimOptions{Transition: js.Classes{Run: "shake"}}), `[["transition",{"to":"#modal","transition":[["shake"],[],[]]}]]`},
		{"transition time", js.Transition("#m", js.AnimOptions{Transition: fade, Time: 300 * time.Millisecond}),
			`[["transition",{"time":300,"to":"#m","transition":[["ease-out","duration-300"],["opacity-0"],["opacity-100"]]}]]`},
		{"transition empty", js.Transition("#m", js.AnimOptions{}), `[["transition",{"to":"#m","transition":[[],[],[]]}]]`},

		// JS.set_attribute({attr, val}, to:), remove_attribute(attr, to:),
		// toggle_attribute({attr, val} | {attr, val1, val2}, to:)
		{"set_attr", js.SetAttribute("", "disabled", "true"), `[["set_attr",{"attr":["disabled","true"]}]]`},
		{"set_attr to", js.SetAttribute("#b", "aria-expanded", "true"), `[["set_attr",{"attr":["aria-expanded","true"],"to":"#b"}]]`},
		{"remove_attr", js.RemoveAttribute("", "disabled"), `[["remove_attr",{"attr":"disabled"}]]`},
		{"remove_attr to", js.RemoveAttribute("#b", "disabled"), `[["remove_attr",{"attr":"disabled","to":"#b"}]]`},
		{"toggle_attr", js.ToggleAttribute("", "disabled", "true"), `[["toggle_attr",{"attr":["disabled","true"]}]]`},
		{"toggle_attr two", js.ToggleAttribute("#d", "aria-expanded", "true", "false"), `[["toggle_attr",{"attr":["aria-expanded","true","false"],"to":"#d"}]]`},

		// JS.ignore_attributes(attrs, to:)
		{"ignore_attrs", js.IgnoreAttributes("#d", "open", "data-*"), `[["ignore_attrs",{"attrs":["open","data-*"],"to":"#d"}]]`},
		{"ignore_attrs none", js.IgnoreAttributes(""), `[["ignore_attrs",{"attrs":[]}]]`},

		// JS.focus/focus_first/push_focus(to:), pop_focus()
		{"focus", js.Focus(""), `[["focus",{}]]`},
		{"focus to", js.Focus("#name"), `[["focus",{"to":"#name"}]]`},
		{"focus_first", js.FocusFirst(""), `[["focus_first",{}]]`},
		{"focus_first to", js.FocusFirst("#modal"), `[["focus_first",{"to":"#modal"}]]`},
		{"push_focus", js.PushFocus(""), `[["push_focus",{}]]`},
		{"push_focus to", js.PushFocus("#opener"), `[["push_focus",{"to":"#opener"}]]`},
		{"pop_focus", js.PopFocus(), `[["pop_focus",{}]]`},

		// to: {:closest, sel} and {:inner, sel} become %{closest: sel} and %{inner: sel}.
		{"closest", js.Toggle(js.Closest(".modal")), `[["toggle",{"to":{"closest":".modal"}}]]`},
		{"inner", js.Transition(js.Inner("a"), js.AnimOptions{Transition: js.Classes{Run: "shake"}}), `[["transition",{"to":{"inner":"a"},"transition":[["shake"],[],[]]}]]`},

		// Composition keeps the order, as JS.push |> JS.push does.
		{"composed", js.Push("inc").Push("dec", js.PushOptions{Loading: ".foo"}), `[["push",{"event":"inc"}],["push",{"event":"dec","loading":".foo"}]]`},
		{"composed mixed", js.Push("inc", js.PushOptions{Value: map[string]any{"one": 1, "two": 2}}).AddClass("#modal", "show", js.AnimOptions{Time: 100 * time.Millisecond}).RemoveClass("", "hidden"),
			`[["push",{"event":"inc","value":{"one":1,"two":2}}],["add_class",{"names":["show"],"time":100,"to":"#modal"}],["remove_class",{"names":["hidden"]}]]`},
		{"then", js.Show("#m").Then(js.Focus("#i").PopFocus()), `[["show",{"to":"#m"}],["focus",{"to":"#i"}],["pop_focus",{}]]`},
		{"then zero", js.Cmd{}.Then(js.Cmd{}), `[]`},

		// Phoenix's encoder leaves markup characters alone; render escapes
		// them for where the JSON is written.
		{"markup kept", js.Push("<b>&", js.PushOptions{Value: map[string]any{"q": `"</script>'`}}), `[["push",{"event":"<b>&","value":{"q":"\"</script>'"}}]]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cmd.Err(); err != nil {
				t.Fatalf("Err() = %v, want nil", err)
			}
			if got := tc.cmd.String(); got != tc.want {
				t.Errorf("String()\n got %s\nwant %s", got, tc.want)
			}
			b, err := json.Marshal(tc.cmd)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			// json.Marshal escapes markup characters in what MarshalJSON
			// returns; decoded, the value must be the same.
			var got, want any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("json.Marshal gave invalid JSON %s: %v", b, err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatalf("bad test: %v", err)
			}
			if gb, wb := mustJSON(t, got), mustJSON(t, want); gb != wb {
				t.Errorf("json.Marshal decodes to %s, want %s", gb, wb)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A Cmd is a value: extending it twice gives two independent lists.
func TestCmdIsImmutable(t *testing.T) {
	base := js.Show("#a")
	// Grow base's array so that a careless append would have room to share.
	base = base.Show("#b").Show("#c")
	x := base.Hide("#x")
	y := base.Hide("#y")
	if want := `[["show",{"to":"#a"}],["show",{"to":"#b"}],["show",{"to":"#c"}]]`; base.String() != want {
		t.Errorf("base changed: %s", base)
	}
	if !strings.HasSuffix(x.String(), `["hide",{"to":"#x"}]]`) || !strings.HasSuffix(y.String(), `["hide",{"to":"#y"}]]`) {
		t.Errorf("extensions share commands:\nx = %s\ny = %s", x, y)
	}
}

// Cmds compare equal when they hold the same commands, so that a view's
// state can tell an unchanged binding from a new one.
func TestCmdIsComparable(t *testing.T) {
	a := js.Show("#m").FocusFirst("#m")
	b := js.Show("#m").Then(js.FocusFirst("#m"))
	if a != b {
		t.Errorf("%s != %s", a, b)
	}
	if a == js.Show("#m") || a == js.Show("#m").FocusFirst("#n") {
		t.Error("different command lists compare equal")
	}
	if js.Show("#m").Then(js.Cmd{}) != js.Show("#m") || (js.Cmd{}).Then(js.Show("#m")) != js.Show("#m") {
		t.Error("Then with an empty list changes the list")
	}
}

// Phoenix raises ArgumentError for these; a Cmd records the error, renders
// nothing and refuses to be encoded.
func TestInvalidCommands(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmd  js.Cmd
		want string // in the error
	}{
		{"javascript navigate", js.Navigate("javascript:alert(1)"), `js: navigate: unsupported scheme "javascript"`},
		{"JavaScript patch", js.Patch("JavaScript:alert(1)"), `js: patch: unsupported scheme "JavaScript"`},
		{"data navigate", js.Navigate("data:text/html,<script>alert(1)</script>"), `unsupported scheme "data"`},
		{"spaced scheme", js.Navigate(" javascript:alert(1)"), `unsupported scheme " javascript"`},
		{"mailto", js.Patch("mailto:a@example.com"), `unsupported scheme "mailto"`},
		{"click detail", js.Dispatch("", "click", js.DispatchOptions{Detail: map[string]any{"id": 1}}), `js: dispatch: a "click" event cannot carry a detail`},
		{"blocking done", js.Dispatch("", "x", js.DispatchOptions{Blocking: true, Detail: map[string]any{"done": 1}}), `"done"`},
		{"unencodable value", js.Push("x", js.PushOptions{Value: map[string]any{"c": make(chan int)}}), `js: push: json: unsupported type: chan int`},
		{"two options", js.Show("#m", js.ShowOptions{}, js.ShowOptions{}), `js: show: 2 options values given, want at most one`},
		{"negative time", js.Hide("#m", js.AnimOptions{Time: -time.Second}), `js: hide: negative Time -1s`},
		{"toggle_attr no value", js.ToggleAttribute("#m", "open"), `js: toggle_attr: 0 values for attribute "open", want 1 or 2`},
		{"toggle_attr three", js.ToggleAttribute("#m", "open", "a", "b", "c"), `3 values`},
		// An invalid command spoils the list, before or after others.
		{"first of several", js.Navigate("javascript:x").Show("#m"), `js: navigate`},
		{"last of several", js.Show("#m").Navigate("javascript:x"), `js: navigate`},
		{"then invalid", js.Show("#m").Then(js.Navigate("javascript:x")), `js: navigate`},
		{"invalid then", js.Navigate("javascript:x").Then(js.Show("#m")), `js: navigate`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cmd.Err()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Err() = %v, want an error containing %q", err, tc.want)
			}
			if got := tc.cmd.String(); got != "[]" {
				t.Errorf("String() = %s, want [] for an invalid command", got)
			}
			if b, err := json.Marshal(tc.cmd); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("json.Marshal = %s, %v; want an error containing %q", b, err, tc.want)
			}
		})
	}
}

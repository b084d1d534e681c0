package liveview

import "github.com/liveview-go/liveview/js"

// ExecJSEvent is the name of the event ExecJS pushes. The bundled client
// runs it; a page with a client of its own adds the listener:
//
//	window.addEventListener("phx:lv:exec", e => {
//	  document.querySelectorAll(e.detail.to).forEach(el => liveSocket.execJS(el, e.detail.js))
//	})
const ExecJSEvent = "lv:exec"

// ExecJS runs cmd in the browser on each element matching the CSS selector,
// as if the element's binding had fired it, after the next patch: commands
// of cmd with an empty selector act on that element. For example, once a
// form is saved, close its modal with the transition its template uses:
//
//	s.ExecJS("#modal", js.Exec("", "data-close"))
//
// It is pushed as the event ExecJSEvent, with payload {"to": selector,
// "js": cmd}; an invalid cmd (see js.Cmd.Err) fails the callback's render
// as an unencodable PushEvent payload does.
func (c *core) ExecJS(selector string, cmd js.Cmd) {
	c.own("Socket.ExecJS")
	c.fx.events = append(c.fx.events, pushedEvent{name: ExecJSEvent, payload: execJS{To: selector, JS: cmd}})
}

type execJS struct {
	To string `json:"to"`
	JS js.Cmd `json:"js"`
}

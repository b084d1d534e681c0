package liveview

import "github.com/liveview-go/liveview/render"

// PatchLink returns the attributes of a link that patches the current view to
// href without a page load: the URL changes and HandleParams runs. With
// replace, the browser history entry is replaced instead of pushed. A
// template writes it where attributes go: <a {{.NextPage}}>next</a>.
func PatchLink(href string, replace bool) render.Attrs {
	return render.Attrs{"href": href, "data-phx-link": "patch", "data-phx-link-state": linkState(replace)}
}

// NavigateLink returns the attributes of a link that mounts the view routed
// at href over the same connection when it is in the same live session, and
// loads the page in full otherwise.
func NavigateLink(href string, replace bool) render.Attrs {
	return render.Attrs{"href": href, "data-phx-link": "redirect", "data-phx-link-state": linkState(replace)}
}

func linkState(replace bool) string {
	if replace {
		return "replace"
	}
	return "push"
}

// TemplateFuncs are template functions for live links, to add with
// render.Template.Funcs: {{patch "/items?page=2"}} and {{navigate "/other"}}
// render the attributes of a pushing link, {{patchReplace ...}} and
// {{navigateReplace ...}} of a replacing one.
var TemplateFuncs = render.FuncMap{
	"patch":           func(href string) render.Attrs { return PatchLink(href, false) },
	"patchReplace":    func(href string) render.Attrs { return PatchLink(href, true) },
	"navigate":        func(href string) render.Attrs { return NavigateLink(href, false) },
	"navigateReplace": func(href string) render.Attrs { return NavigateLink(href, true) },
}

package liveview

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"strings"

	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/render"
)

// frame is one call on a panic's stack.
type frame struct {
	Func string // package path and name, without arguments
	File string // "path/file.go:31"
}

func (f frame) String() string { return f.Func + " " + f.File }

// panicFrames returns the calls of a debug.Stack text that matter to the
// reader: from the one that panicked to the view callback the library
// called, without the runtime's and the library's own frames around them.
func panicFrames(stack []byte) []frame {
	var all []frame
	lines := strings.Split(string(stack), "\n")
	for i := 0; i+1 < len(lines); i++ {
		fn, file := lines[i], lines[i+1]
		if !strings.HasPrefix(file, "\t") || strings.HasPrefix(fn, "\t") || strings.HasPrefix(fn, "goroutine ") {
			continue
		}
		if j := strings.LastIndexByte(fn, '('); j > 0 && strings.HasSuffix(fn, ")") {
			fn = fn[:j]
		}
		file = strings.TrimPrefix(file, "\t")
		if j := strings.Index(file, " +0x"); j >= 0 {
			file = file[:j]
		}
		all = append(all, frame{Func: fn, File: file})
		i++
	}
	// After the last panic call: the panicking code, under the runtime's
	// helpers (runtime.goPanicIndex and the like).
	start := 0
	for i, f := range all {
		if f.Func == "panic" {
			start = i + 1
		}
	}
	for start < len(all) && strings.HasPrefix(all[start].Func, "runtime.") {
		start++
	}
	// Up to the library's safely, less the library's frames that call the
	// user's code (a panic inside the library itself keeps them all).
	const lib = "github.com/liveview-go/liveview."
	end := len(all)
	for i := start; i < len(all); i++ {
		if all[i].Func == lib+"safely" {
			end = i
			break
		}
	}
	trimmed := end
	for trimmed > start && strings.HasPrefix(all[trimmed-1].Func, lib) {
		trimmed--
	}
	if trimmed > start {
		end = trimmed
	}
	if start >= end {
		return all
	}
	return all[start:end]
}

// formatFrames writes frames as Go prints a panic: the function, then its
// file and line indented.
func formatFrames(frames []frame) string {
	var b strings.Builder
	for _, f := range frames {
		b.WriteString(f.Func)
		b.WriteString("\n\t")
		b.WriteString(f.File)
		b.WriteByte('\n')
	}
	return b.String()
}

// logFailure logs err, a view's failure, with where a panic happened; in
// development mode it also prints the panic's stack to standard error as Go
// prints it, one call per line, since log handlers quote line breaks.
func (s *Server) logFailure(log logger, msg string, err error, args ...any) {
	args = append(args, "err", err)
	var pe *PanicError
	if errors.As(err, &pe) {
		frames := panicFrames(pe.Stack)
		calls := make([]string, len(frames))
		for i, f := range frames {
			calls[i] = f.String()
		}
		if len(frames) > 0 {
			args = append(args, "at", frames[0].File)
		}
		args = append(args, "stack", calls)
		if s.cfg.Dev {
			fmt.Fprintf(os.Stderr, "%s: %v\n\n%s\n", msg, err, formatFrames(frames))
		}
	}
	log.Error(msg, args...)
}

// devError is what the development mode shows of a failure: in the error
// page of the HTTP render, and to the client after the join (as "dev_error"
// in phx_error and in a failed join's reply, which the client passes to
// phx:page-loading-start listeners, where the layout's script shows it).
type devError struct {
	Error    string `json:"error"`
	Template string `json:"template,omitempty"` // name:line:col
	Name     string `json:"-"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"column,omitempty"`
	Source   string `json:"source,omitempty"` // the template line
	Stack    string `json:"stack,omitempty"`
}

func newDevError(err error) devError {
	d := devError{Error: err.Error()}
	var re *render.Error
	if errors.As(err, &re) {
		d.Template = re.Loc
		d.Name, d.Line, d.Col, _ = re.Position()
		d.Source = re.Source
	}
	var pe *PanicError
	if errors.As(err, &pe) {
		d.Stack = formatFrames(panicFrames(pe.Stack))
	}
	return d
}

// devReason returns the payload telling the client why a view failed:
// {"reason":reason}, plus the failure's details in development mode.
func (s *Server) devReason(reason string, err error) []byte {
	b := protocol.AppendReason(nil, reason)
	if !s.cfg.Dev || err == nil {
		return b
	}
	d, jerr := json.Marshal(newDevError(err))
	if jerr != nil {
		return b
	}
	return protocol.AppendReasonWith(b[:0], reason, "dev_error", d)
}

// serveDevError answers a failed HTTP render in development mode: a page
// with the error, the template line it points at, and the stack of a panic.
// It reloads itself once the server restarts.
func (s *Server) serveDevError(w http.ResponseWriter, r *http.Request, step string, err error) {
	d := newDevError(err)
	page := struct {
		devError
		Step, Path, Build, BuildURL string
		Before, At, After           string
	}{devError: d, Step: step, Path: r.URL.Path, Build: s.build, BuildURL: s.cfg.SocketPath + "/dev/build"}
	if d.Source != "" && d.Col >= 0 && d.Col <= len(d.Source) {
		page.Before, page.At = d.Source[:d.Col], d.Source[d.Col:]
		// Mark the action or name the column points at.
		if n := strings.IndexAny(page.At, " }|)"); n > 0 {
			page.At, page.After = page.At[:n], page.At[n:]
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	if err := devErrorPage.Execute(w, page); err != nil {
		s.log.Error("liveview: writing the development error page", "err", err)
	}
}

// serveDevBuild answers the error page's poll with this run's build id.
func (s *Server) serveDevBuild(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, s.build)
}

var devErrorPage = template.Must(template.New("dev").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Error: {{.Error}}</title>
<style>
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f8fafc; color: #0f172a; }
main { max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
.tag { display: inline-block; font-size: .8rem; color: #fff; background: #b91c1c; border-radius: 4px; padding: .1rem .5rem; }
h1 { font-size: 1.35rem; margin: .6rem 0 1rem; word-break: break-word; }
pre { background: #0f172a; color: #e2e8f0; padding: 1rem; border-radius: 6px; overflow-x: auto; font: 13px/1.5 ui-monospace, monospace; }
.ln { color: #64748b; user-select: none; margin-right: 1rem; }
mark { background: #b91c1c; color: #fff; border-radius: 2px; padding: 0 1px; }
.where { font-family: ui-monospace, monospace; }
.hint { color: #64748b; font-size: .85rem; }
</style>
</head>
<body><main>
<span class="tag">{{.Step}} failed</span> <span class="where">{{.Path}}</span>
<h1 id="lv-error">{{.Error}}</h1>
{{if .Template}}<p>In template <b class="where">{{.Name}}</b>, line {{.Line}}, column {{.Col}}:</p>
<pre id="lv-source"><span class="ln">{{.Line}}</span>{{.Before}}<mark>{{.At}}</mark>{{.After}}</pre>
{{end}}{{with .Stack}}<p>Panic, most recent call first:</p>
<pre id="lv-stack">{{.}}</pre>
{{end}}<p class="hint">You see this because Config.Dev is set: in production the browser gets a bare
"internal server error" and the log has the details. This page reloads itself when the server restarts.</p>
</main>
<script>
(() => {
  const build = {{.Build}};
  const poll = () => fetch({{.BuildURL}}, {cache: "no-store"})
    .then(r => r.ok ? r.text() : build)
    .then(b => { if (b !== build) { location.reload(); } else { setTimeout(poll, 1000); } },
          () => setTimeout(poll, 1000));
  setTimeout(poll, 1000);
})();
</script>
</body>
</html>
`))

// devScript is the development mode's part of Page.Head: it shows a view's
// failure after the join, which the client reports with a
// phx:page-loading-start event of kind "error" carrying the server's
// payload, as a console error and an overlay.
const devScript = `<script>
addEventListener("phx:page-loading-start", (e) => {
  const r = e.detail && e.detail.kind === "error" && e.detail.unstructuredError;
  const d = r && r.dev_error;
  if (!d) { return; }
  console.error("liveview: view failed: " + d.error +
    (d.template ? "\n  at " + d.template + ": " + d.source : "") + (d.stack ? "\n" + d.stack : ""));
  let o = document.getElementById("lv-dev-error");
  if (!o) {
    o = document.createElement("div");
    o.id = "lv-dev-error";
    o.setAttribute("role", "alert");
    o.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:2147483647;max-height:60vh;overflow:auto;" +
      "background:#0f172a;color:#e2e8f0;border-left:6px solid #dc2626;border-radius:6px;padding:1rem 1.2rem;" +
      "font:13px/1.5 ui-monospace,monospace;box-shadow:0 8px 24px rgba(0,0,0,.35);white-space:pre-wrap";
    document.body.appendChild(o);
  }
  o.replaceChildren();
  const close = document.createElement("button");
  close.textContent = "\u00d7";
  close.title = "Dismiss";
  close.style.cssText = "float:right;background:none;border:0;color:inherit;font-size:1.4rem;cursor:pointer";
  close.onclick = () => o.remove();
  const head = document.createElement("strong");
  head.textContent = "View failed: " + d.error;
  o.append(close, head);
  if (d.template) { o.append("\n\n" + d.template + "\n" + d.source); }
  if (d.stack) { o.append("\n\n" + d.stack); }
});
</script>`

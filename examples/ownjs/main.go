// Command ownjs is an app that builds its own JavaScript bundle: the
// official LiveView client from the same pinned packages as liveview's own
// bundle, plus the app's hooks (src/hooks.js), built with npm and esbuild
// into static/ and served by the liveview server in place of the embedded
// client (Config.ClientFS).
//
//	cd examples/ownjs
//	npm ci && npm run build
//	go run .
//
// then open http://127.0.0.1:8080/.
package main

import (
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"time"
	_ "time/tzdata" // browsers name zones that a small image may lack

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/render"
)

// static holds the built bundle. The directory is committed with only a
// README in it, so that this package compiles before the first build.
//
//go:embed static
var static embed.FS

// bundle is the bundle's name in static.
const bundle = "static/app.js"

// State is what the page shows: the browser's time zone, once its hook has
// told the server.
type State struct {
	Zone string
	Time string
}

// View shows the time in the browser's time zone.
type View struct{}

var tmpl = render.MustCheck[State](render.Parse(`<section>
<h1>Your own JavaScript</h1>
<p id="zone" phx-hook="TimeZone">{{if .Zone}}Your time zone is {{.Zone}}: it is {{.Time}} there.{{else}}Waiting for the TimeZone hook...{{end}}</p>
</section>`))

// Mount does nothing: the hook sends the time zone once the page is live.
func (View) Mount(*liveview.Socket[State], liveview.Params) error { return nil }

// HandleEvent takes the time zone the TimeZone hook pushes.
func (View) HandleEvent(s *liveview.Socket[State], e liveview.Event) error {
	if e.Name != "time-zone" {
		return &liveview.UnknownEventError{Name: e.Name}
	}
	zone := e.Params.String("tz")
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		return fmt.Errorf("ownjs: the browser's time zone %q: %v", zone, err)
	}
	s.Assign(func(st *State) {
		st.Zone = zone
		st.Time = time.Now().In(loc).Format("15:04")
	})
	return nil
}

// Render renders the state.
func (View) Render(st State) (*render.Rendered, error) { return tmpl.Execute(st) }

// newServer serves the view with the bundle in assets.
func newServer(assets fs.FS) *liveview.Server {
	lv := liveview.NewServer(liveview.Config{
		SigningKey: []byte(os.Getenv("LIVEVIEW_SIGNING_KEY")),
		ClientFS:   assets,
		ClientFile: bundle,
		Title:      "Own JavaScript",
	})
	lv.Handle("/", liveview.View[State](View{}))
	return lv
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if _, err := fs.Stat(static, bundle); errors.Is(err, fs.ErrNotExist) {
		log.Fatalf("%s is not built: run `npm ci && npm run build` in examples/ownjs, then `go run .` again", bundle)
	}
	srv := &http.Server{
		Addr:              *addr,
		Handler:           newServer(static),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Printf("listening on http://%s", *addr)
	if err := srv.ListenAndServe(); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

// Command gallery serves every example on one port, with an index page.
//
//	go run ./examples/gallery -addr 127.0.0.1:8080
package main

import (
	"flag"
	"html/template"
	"log/slog"
	"net/http"
	"os"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/counter"
)

type example struct {
	Path, Title, About string
	register           func(*liveview.Server, string)
}

var examples = []example{
	{"/counter", "Counter", "Assign and HandleEvent: the smallest LiveView.", counter.Register},
}

var index = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>liveview examples</title></head>
<body><h1>liveview examples</h1><ul>
{{range .}}<li><a href="{{.Path}}">{{.Title}}</a>: {{.About}}</li>
{{end}}</ul></body></html>`))

// newHandler returns the gallery: every example plus the index at /.
func newHandler(lv *liveview.Server) http.Handler {
	for _, ex := range examples {
		ex.register(lv, ex.Path)
	}
	mux := http.NewServeMux()
	mux.Handle("/", lv)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		index.Execute(w, examples)
	})
	return mux
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	lv := liveview.NewServer(liveview.Config{Logger: log, TitleSuffix: " · liveview"})
	log.Info("serving the example gallery", "url", "http://"+*addr+"/")
	if err := http.ListenAndServe(*addr, newHandler(lv)); err != nil {
		log.Error("gallery stopped", "err", err)
		os.Exit(1)
	}
}

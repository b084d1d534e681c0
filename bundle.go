package liveview

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/liveview-go/liveview/client"
	"github.com/liveview-go/liveview/internal/asset"
)

// clientBundle is the JavaScript a server's pages load, read once.
type clientBundle struct {
	js        *asset.File
	sourceMap *asset.File // nil when the bundle has none
	err       error       // why there is no bundle
}

// embeddedClient is the official client built into package client, shared
// by every Server that does not set Config.ClientFS so that it is hashed and
// compressed once per process.
var embeddedClient = sync.OnceValue(func() *clientBundle { return loadClient(client.FS(), client.FileName) })

// loadClient reads the bundle name and its source map name+".map", if any,
// from fsys.
func loadClient(fsys fs.FS, name string) *clientBundle {
	js, err := fs.ReadFile(fsys, name)
	if err != nil {
		return &clientBundle{err: fmt.Errorf("liveview: reading the client bundle %s from Config.ClientFS: %w", name, err)}
	}
	if len(js) == 0 {
		return &clientBundle{err: fmt.Errorf("liveview: the client bundle %s in Config.ClientFS is empty", name)}
	}
	b := &clientBundle{js: asset.New(js, "text/javascript; charset=utf-8")}
	m, err := fs.ReadFile(fsys, name+".map")
	switch {
	case err == nil:
		b.sourceMap = asset.New(m, "application/json")
	case !errors.Is(err, fs.ErrNotExist):
		b.err = fmt.Errorf("liveview: reading the client bundle's source map %s.map from Config.ClientFS: %w", name, err)
	}
	return b
}

// client returns the server's client bundle, reading it on first use.
func (s *Server) client() *clientBundle {
	s.clientOnce.Do(func() {
		if s.cfg.ClientFS == nil {
			s.clientJS = embeddedClient()
		} else {
			s.clientJS = loadClient(s.cfg.ClientFS, s.cfg.ClientFile)
		}
		if s.clientJS.err != nil {
			s.log.Error("liveview: pages will not connect: no client bundle", "err", s.clientJS.err)
		}
	})
	return s.clientJS
}

// clientURL is the URL pages load the client bundle from: the content-hashed
// one when there is a bundle.
func (s *Server) clientURL() string {
	if b := s.client(); b.err == nil {
		return b.js.HashedPath(s.cfg.ClientPath)
	}
	return s.cfg.ClientPath
}

// serveClient serves the client bundle and its source map if the request is
// for one of their URLs, and reports whether it was. The hashed URLs are
// cached for ever; the plain ones (ClientPath, for pages that name it
// directly) and hashed URLs of another build (a page rendered by another
// node during a rolling deploy) are revalidated on each use.
func (s *Server) serveClient(w http.ResponseWriter, r *http.Request) bool {
	p, plain := r.URL.Path, s.cfg.ClientPath
	isMap := strings.HasSuffix(p, ".map")
	if isMap {
		p = strings.TrimSuffix(p, ".map")
	}
	if p != plain && !asset.IsHashedPath(p, plain) {
		return false
	}
	b := s.client()
	if b.err != nil {
		http.Error(w, b.err.Error(), http.StatusNotFound)
		return true
	}
	f := b.js
	if isMap {
		if f = b.sourceMap; f == nil {
			http.NotFound(w, r)
			return true
		}
	} else if b.sourceMap != nil {
		w.Header().Set("SourceMap", b.js.HashedPath(plain)+".map")
	}
	cache := asset.Revalidate
	if p == b.js.HashedPath(plain) {
		cache = asset.Immutable
	}
	f.Serve(w, r, cache)
	return true
}

// clientProblem returns why there is no client bundle, or "".
func (s *Server) clientProblem() string {
	if err := s.client().err; err != nil {
		return err.Error()
	}
	return ""
}

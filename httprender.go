package liveview

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// serveDead renders a view over plain HTTP (the "dead" render): the mount
// sequence, not connected, then the layout around a container that lets
// the client join.
func (s *Server) serveDead(w http.ResponseWriter, r *http.Request, rt *route, params Params) {
	csrf := s.csrfToken(w, r)
	// The view's callbacks own its socket while the render runs, and
	// nothing may use it afterwards: no later callback will come.
	busy := new(renderFlag)
	c := &core{id: "phx-" + randomID(9), busy: busy}
	c.fx.flash = s.takeFlashCookie(w, r)
	log := newLogger(s.log, logPath, r.URL.Path)
	m := newMount(s, rt, requestURL(r), c, log)

	var res mountResult
	var html []byte
	busy.Store(true)
	err := safely(func() error {
		var err error
		if res, err = m.run(r, params); err != nil || res.rendered == nil {
			return err
		}
		if err = m.renderComponents(&res); err != nil || res.leave != nil {
			return err
		}
		html, err = res.rendered.AppendHTML(nil)
		return err
	})
	busy.Store(false)
	switch {
	case err != nil:
		s.deadFailed(w, r, log, "view", err)
	case res.leave != nil:
		if len(c.fx.flash) > 0 {
			s.setFlashCookie(w, r, c.fx.flash)
		}
		http.Redirect(w, r, res.leave.to, http.StatusFound)
	default:
		s.writePage(w, r, log, rt, c, csrf, html)
	}
}

// deadFailed answers a failed HTTP render: an error page with the details
// in development mode, a bare 500 otherwise.
func (s *Server) deadFailed(w http.ResponseWriter, r *http.Request, log logger, step string, err error) {
	s.logFailure(log, "liveview: HTTP render failed", err, "step", step)
	if s.cfg.Dev {
		s.serveDevError(w, r, step, err)
		return
	}
	http.Error(w, "internal server error", http.StatusInternalServerError)
}

// writePage writes the layout around the view's HTML, in a container whose
// signed tokens let the client join the same view over the websocket.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, log logger, rt *route, c *core, csrf string, html []byte) {
	session, err := s.sign.sign(purposeSession, sessionClaims{ID: c.id, Route: rt.pattern, Session: rt.session.name})
	if err != nil {
		s.deadFailed(w, r, log, "session token", err)
		return
	}
	static, err := s.sign.sign(purposeStatic, staticClaims{ID: c.id, Flash: c.fx.flash, Build: s.devBuild()})
	if err != nil {
		s.deadFailed(w, r, log, "static token", err)
		return
	}
	var body strings.Builder
	body.Grow(len(html) + 512)
	fmt.Fprintf(&body, `<div id="%s" data-phx-main data-phx-session="%s" data-phx-static="%s">`,
		c.id, template.HTMLEscapeString(session), template.HTMLEscapeString(static))
	body.Write(html)
	body.WriteString(`</div>`)
	title := s.cfg.Title
	if c.fx.hasTitle && strings.TrimSpace(c.fx.title) != "" {
		title = c.fx.title // the client shows data-default for a blank title too
	}
	page := Page{
		Title:       title,
		TitleAttrs:  template.HTMLAttr(fmt.Sprintf(`data-default="%s" data-prefix="%s" data-suffix="%s"`, template.HTMLEscapeString(s.cfg.Title), template.HTMLEscapeString(s.cfg.TitlePrefix), template.HTMLEscapeString(s.cfg.TitleSuffix))),
		FullTitle:   s.cfg.TitlePrefix + title + s.cfg.TitleSuffix,
		CSRFToken:   csrf,
		SocketPath:  s.cfg.SocketPath,
		ClientPath:  s.clientURL(),
		Body:        template.HTML(body.String()),
		Extra:       s.cfg.Head,
		bundleError: s.clientProblem(),
		dev:         s.cfg.Dev,
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.cfg.Layout(w, page); err != nil {
		s.log.Error("liveview: layout failed", "path", r.URL.Path, "err", err)
	}
}

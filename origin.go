package liveview

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// checkOrigin decides whether the websocket upgrade r may proceed: whether
// the page that opens it is one of the app's. Browsers send the page's
// origin with every websocket; a page on another site that opened one would
// ride on the user's cookies.
func (s *Server) checkOrigin(r *http.Request) bool {
	if s.cfg.CheckOrigin != nil {
		return s.cfg.CheckOrigin(r)
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o, err := normalOrigin(origin)
	if err != nil {
		return false // "null" (sandboxed frames, file: pages) among others
	}
	if s.origins != nil {
		return s.origins[o]
	}
	own, err := s.ownOrigin(r)
	return err == nil && o == own
}

// ownOrigin is the origin r was sent to: the scheme the browser used (see
// isHTTPS; a websocket's is that of its page, http for ws, https for wss)
// and the Host header, normalised as normalOrigin does.
func (s *Server) ownOrigin(r *http.Request) (string, error) {
	return normalOrigin(s.requestScheme(r) + "://" + r.Host)
}

// checkJoinURL checks that a join's url, the address of the page that
// joins, is on that page's own origin: the Origin its browser sent with the
// websocket, or, without one (not a browser), the origin the websocket
// request r was sent to. The url decides the route, its params and what
// HandleParams sees; a page has no business naming another site's. A url
// without scheme and host is a path on the page's origin.
func (s *Server) checkJoinURL(r *http.Request, u *url.URL) error {
	if u.Scheme == "" && u.Host == "" && u.Opaque == "" {
		return nil
	}
	got, err := normalOrigin((&url.URL{Scheme: u.Scheme, Host: u.Host}).String())
	if err != nil {
		return fmt.Errorf("join url %q: not an http(s) URL", u.Redacted())
	}
	page := ""
	if origin := r.Header.Get("Origin"); origin != "" {
		page, err = normalOrigin(origin)
	} else {
		page, err = s.ownOrigin(r)
	}
	if err != nil {
		return fmt.Errorf("join url %q: the page's origin: %w", u.Redacted(), err)
	}
	if got != page {
		return fmt.Errorf("join url %q is on %s, not on the page's origin %s", u.Redacted(), got, page)
	}
	return nil
}

// parseOrigins checks and normalises Config.AllowedOrigins.
func parseOrigins(list []string) (map[string]bool, error) {
	if len(list) == 0 {
		return nil, nil
	}
	m := make(map[string]bool, len(list))
	for _, o := range list {
		n, err := normalOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("liveview: Config.AllowedOrigins: %w", err)
		}
		m[n] = true
	}
	return m, nil
}

// normalOrigin returns origin as "scheme://host:port", lower case, with the
// scheme's default port made explicit, so that equal origins compare equal.
func normalOrigin(origin string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil {
		return "", fmt.Errorf("origin %q: %w", origin, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("origin %q: want scheme://host[:port], as in https://example.com", origin)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" || strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("origin %q: want scheme://host[:port], as in https://example.com", origin)
	}
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + strings.ToLower(host) + ":" + port, nil
}

package liveview

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

func (s *Server) checkOrigin(r *http.Request) bool {
	if s.cfg.CheckOrigin != nil {
		return s.cfg.CheckOrigin(r)
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if s.origins != nil {
		o, err := normalOrigin(origin)
		return err == nil && s.origins[o]
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
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

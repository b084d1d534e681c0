package liveview

import (
	"fmt"
	"net/http"
	"net/textproto"
	"sort"
	"strings"
)

// defaultSecurityHeaders are what every response of the server carries
// unless Config.SecurityHeaders says otherwise. They are the browser
// protections that cost a normal app nothing:
//   - frame-ancestors and X-Frame-Options keep other sites from framing a
//     page, where a user's clicks on an invisible live page would act for
//     them (clickjacking); X-Frame-Options is for browsers that predate
//     frame-ancestors, which newer ones obey instead;
//   - base-uri keeps injected markup from redirecting the page's relative
//     URLs (the client bundle's among them) with a <base> element;
//   - nosniff makes browsers trust the Content-Type: an upload served back
//     as text/plain is not run as a script or page;
//   - the referrer policy sends other origins the origin only, never the
//     path and query, which may hold ids or tokens;
//   - X-Permitted-Cross-Domain-Policies keeps Adobe clients from reading
//     the site's data through a policy file.
//
// A Content-Security-Policy restricting scripts and styles is not among
// them: it depends on what the app's own markup loads (see the README's
// strict policy, which the default layout satisfies).
var defaultSecurityHeaders = map[string]string{
	"Content-Security-Policy":           "frame-ancestors 'self'; base-uri 'self'",
	"X-Frame-Options":                   "SAMEORIGIN",
	"X-Content-Type-Options":            "nosniff",
	"Referrer-Policy":                   "strict-origin-when-cross-origin",
	"X-Permitted-Cross-Domain-Policies": "none",
}

// securityHeaders merges Config.SecurityHeaders into the defaults: an entry
// replaces or adds a header, an empty value removes one. It fails on a name
// or value that cannot be a header, so that a typo shows at startup rather
// than as a header the browser ignores.
func securityHeaders(cfg map[string]string) ([]securityHeader, error) {
	merged := make(map[string]string, len(defaultSecurityHeaders)+len(cfg))
	for k, v := range defaultSecurityHeaders {
		merged[k] = v
	}
	for k, v := range cfg {
		if !validHeaderName(k) {
			return nil, fmt.Errorf("liveview: Config.SecurityHeaders: %q is not a header name", k)
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("liveview: Config.SecurityHeaders: the value of %s holds a line break or NUL", k)
		}
		k = textproto.CanonicalMIMEHeaderKey(k)
		if v = strings.TrimSpace(v); v == "" {
			delete(merged, k)
			continue
		}
		merged[k] = v
	}
	list := make([]securityHeader, 0, len(merged))
	for k, v := range merged {
		list = append(list, securityHeader{k, []string{v}})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	return list, nil
}

// securityHeader is one header of every response. Its value slice is shared
// by every response, which saves an allocation per header per response; its
// capacity is 1, so a handler's Header().Add copies instead of writing into
// it.
type securityHeader struct {
	name  string
	value []string
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// setSecurityHeaders puts the server's security headers on a response
// before anything writes it. Setting them on every path (the bundle, errors
// and redirects too) costs a few bytes and leaves no page unprotected; an
// error page framed by another site is as clickable as a view. The
// websocket upgrade writes its own response, without them, where they mean
// nothing.
func (s *Server) setSecurityHeaders(w http.ResponseWriter) {
	h := w.Header()
	for _, sh := range s.headers {
		h[sh.name] = sh.value[:1:1]
	}
}

// isHTTPS reports whether the browser reached the server over TLS: the
// connection is TLS, or, when Config.TrustForwardedProto says a proxy in
// front terminates TLS, the proxy's X-Forwarded-Proto says https. With
// several values (proxies that append), the last one counts: the one the
// nearest proxy, the trusted one, added.
func (s *Server) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !s.cfg.TrustForwardedProto {
		return false
	}
	vals := r.Header.Values("X-Forwarded-Proto")
	if len(vals) == 0 {
		return false
	}
	last := vals[len(vals)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(last), "https")
}

// requestScheme is "https" or "http", as isHTTPS decides.
func (s *Server) requestScheme(r *http.Request) string {
	if s.isHTTPS(r) {
		return "https"
	}
	return "http"
}

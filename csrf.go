package liveview

import (
	"crypto/hmac"
	"encoding/base64"
	"net/http"
)

// csrfCookie holds a random per-browser secret. The page's CSRF token is an
// HMAC of it, so only a page served to this browser can open a websocket that
// carries the browser's cookies; a page on another origin cannot read the
// token.
const csrfCookie = "_liveview_csrf"

// csrfToken returns the token for r's browser, setting the secret cookie if
// the browser has none yet. Over HTTPS the cookie is Secure, so that the
// secret never travels over plain HTTP, where anyone on the path could read
// it and forge the page's token.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	secret := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		secret = c.Value
	} else {
		secret = randomID(32)
		http.SetCookie(w, &http.Cookie{
			Name: csrfCookie, Value: secret, Path: "/",
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.isHTTPS(r),
		})
	}
	return base64.RawURLEncoding.EncodeToString(s.sign.mac(purposeCSRF, []byte(secret)))
}

// csrfValid reports whether the websocket request r carries the token that
// belongs to its cookie.
func (s *Server) csrfValid(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.URL.Query().Get("_csrf_token"))
	if err != nil {
		return false
	}
	return hmac.Equal(got, s.sign.mac(purposeCSRF, []byte(c.Value)))
}

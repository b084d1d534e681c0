package liveview

import (
	"net/http"
	"time"
)

// flashCookie is where the client keeps the flash token of a full-page
// redirect until the next HTTP request reads it (the name is the client's).
const flashCookie = "__phoenix_flash__"

// flashMaxAge bounds a flash token's life: it only has to cross one redirect.
const flashMaxAge = 60 * time.Second

// signFlash returns the token that carries flash across a redirect, or "" for
// no flash.
func (s *Server) signFlash(flash map[string]string) string {
	if len(flash) == 0 {
		return ""
	}
	tok, err := s.sign.sign(purposeFlash, flash)
	if err != nil {
		s.log.Error("liveview: flash lost", "err", err)
		return ""
	}
	return tok
}

// verifyFlash decodes a flash token; a bad or expired one yields no flash,
// logged, because losing a notice is better than failing a page.
func (s *Server) verifyFlash(token string) map[string]string {
	if token == "" {
		return nil
	}
	var f map[string]string
	if err := s.sign.verify(purposeFlash, token, flashMaxAge, &f); err != nil {
		s.log.Warn("liveview: flash token rejected", "err", err)
		return nil
	}
	return f
}

// takeFlashCookie reads, verifies and deletes the flash cookie a redirect
// left behind.
func (s *Server) takeFlashCookie(w http.ResponseWriter, r *http.Request) map[string]string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Secure: s.isHTTPS(r)})
	return s.verifyFlash(c.Value)
}

// setFlashCookie carries flash across an HTTP redirect issued by the server
// in answer to r. Over HTTPS the cookie is Secure: a flash may tell what
// the user just did, and must not cross a plain-HTTP request.
func (s *Server) setFlashCookie(w http.ResponseWriter, r *http.Request, flash map[string]string) {
	if tok := s.signFlash(flash); tok != "" {
		http.SetCookie(w, &http.Cookie{
			Name: flashCookie, Value: tok, Path: "/", MaxAge: int(flashMaxAge / time.Second),
			SameSite: http.SameSiteLaxMode, Secure: s.isHTTPS(r),
		})
	}
}

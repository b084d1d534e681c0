package liveview

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"
)

// Tokens are base64url(JSON) "." base64url(HMAC-SHA256(key, purpose "\x00" JSON)).
// The purpose keeps a token minted for one use (a view session, its static
// data, a flash, an upload) from being accepted for another.
const (
	purposeSession = "session"
	purposeStatic  = "static"
	purposeFlash   = "flash"
	purposeCSRF    = "csrf"
	purposeUpload  = "upload"
)

var (
	errTokenMalformed = errors.New("malformed token")
	errTokenSignature = errors.New("bad token signature")
	errTokenExpired   = errors.New("token expired")
)

type signer struct {
	key []byte
	now func() time.Time

	// macs holds HMACs keyed with key, reset for each use: a page load and
	// its join sign and verify three tokens, and a new HMAC costs two
	// SHA-256 states and the key schedule each time.
	macs sync.Pool
}

func (s *signer) mac(purpose string, payload []byte) []byte {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, s.key)
	} else {
		m.Reset()
	}
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(payload)
	sum := m.Sum(nil)
	s.macs.Put(m)
	return sum
}

// sign returns a token carrying v (encoded as JSON) and the signing time.
func (s *signer) sign(purpose string, v any) (string, error) {
	body, err := json.Marshal(envelope{At: s.now().Unix(), V: v})
	if err != nil {
		return "", fmt.Errorf("liveview: encoding %s token: %w", purpose, err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(body) + "." + enc.EncodeToString(s.mac(purpose, body)), nil
}

type envelope struct {
	At int64 `json:"at"`
	V  any   `json:"v"`
}

// verify checks token's signature and age and decodes its value into v.
func (s *signer) verify(purpose, token string, maxAge time.Duration, v any) error {
	b64, sig64, ok := strings.Cut(token, ".")
	if !ok {
		return errTokenMalformed
	}
	enc := base64.RawURLEncoding
	body, err := enc.DecodeString(b64)
	if err != nil {
		return errTokenMalformed
	}
	sig, err := enc.DecodeString(sig64)
	if err != nil {
		return errTokenMalformed
	}
	if !hmac.Equal(sig, s.mac(purpose, body)) {
		return errTokenSignature
	}
	env := envelope{V: v}
	if err := json.Unmarshal(body, &env); err != nil {
		return errTokenMalformed
	}
	age := s.now().Sub(time.Unix(env.At, 0))
	if age > maxAge || age < -time.Minute {
		return errTokenExpired
	}
	return nil
}

// sessionClaims is what data-phx-session carries: enough to remount the view.
type sessionClaims struct {
	ID      string `json:"id"`
	Route   string `json:"r"`
	Session string `json:"ls,omitempty"` // live session name
}

// checkTokenRoute enforces Config.RouteBoundTokens: a session token joins
// only the route (the pattern, so any params) it was minted for. Live
// navigation joins with the page's first token too, so with the option on
// it is refused across routes, and the client loads the target page in
// full, where the HTTP pipeline authorizes it and a new token is minted.
// Allowing navigation joins alone would bind nothing: whoever holds a token
// can send a join that looks like navigation.
func (s *Server) checkTokenRoute(claims sessionClaims, rt *route) error {
	if !s.cfg.RouteBoundTokens || claims.Route == rt.pattern {
		return nil
	}
	return fmt.Errorf("token minted for route %s, join for route %s", claims.Route, rt.pattern)
}

// staticClaims is what data-phx-static carries: the flash of the HTTP render,
// shown again only by the first connected mount.
type staticClaims struct {
	ID    string            `json:"id"`
	Flash map[string]string `json:"f,omitempty"`
	// Build is the rendering process's build id, in development mode only:
	// a page rendered by an earlier run of the server reloads on rejoin.
	Build string `json:"b,omitempty"`
}

// randomID returns n random bytes as base64url: ids, secrets.
func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand does not fail on supported platforms; if it ever does,
		// continuing with predictable ids would be a security hole.
		panic("liveview: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

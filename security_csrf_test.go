package liveview_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/liveview-go/liveview"
)

// A websocket is trusted to join views only with the CSRF token of the page
// served to its own browser: the token of the browser's cookie. Anything
// else, however close, makes every join answer "stale" (the client then
// reloads the page and so gets the right token).
func TestCSRFTokenMustMatchTheBrowsersCookie(t *testing.T) {
	ts := secServer(t, liveview.Config{})
	alice := secGet(t, ts.URL, "/sec", nil)
	bob := secGet(t, ts.URL, "/sec", nil)
	if alice.Cookie.Value == bob.Cookie.Value || alice.CSRF == bob.CSRF {
		t.Fatalf("two browsers got the same CSRF secret or token: %q %q", alice.Cookie.Value, alice.CSRF)
	}
	random := make([]byte, 32)
	rand.Read(random)
	// One letter changed to another base64 letter, so that it still decodes.
	flipped := []byte(alice.CSRF)
	if i := len(flipped) / 2; flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}

	cases := []struct {
		name   string
		csrf   string
		cookie *http.Cookie
		ok     bool
	}{
		{"the page's token with its cookie", alice.CSRF, alice.Cookie, true},
		{"a wrong token of the right length", base64.RawURLEncoding.EncodeToString(random), alice.Cookie, false},
		{"the token with one letter changed", string(flipped), alice.Cookie, false},
		{"the token cut short", alice.CSRF[:len(alice.CSRF)-4], alice.Cookie, false},
		{"one byte of token", "AA", alice.Cookie, false},
		{"a token that is not base64", alice.CSRF + "!", alice.Cookie, false},
		{"another browser's token", bob.CSRF, alice.Cookie, false},
		{"the cookie's secret itself as the token", alice.Cookie.Value, alice.Cookie, false},
		{"no token", "", alice.Cookie, false},
		{"a token without its cookie", alice.CSRF, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws, _, err := secDial(ts.URL, tc.csrf, tc.cookie, nil)
			if err != nil {
				t.Fatalf("upgrade refused (a bad token must not refuse the upgrade, only the joins): %v", err)
			}
			defer ws.Close()
			status, resp := secJoin(t, ws, ts.URL, alice, alice.Session, alice.Static)
			if tc.ok {
				if status != "ok" {
					t.Errorf("join with the genuine token: %s %s, want ok", status, resp)
				}
				return
			}
			if status != "error" || resp != `{"reason":"stale"}` {
				t.Errorf("join: %s %s, want error {\"reason\":\"stale\"}", status, resp)
			}
		})
	}
}

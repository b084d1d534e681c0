package liveview_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/liveviewtest"
)

// originCase is an Origin header and whether the websocket upgrade must go
// through (101) or be refused (403).
type originCase struct {
	origin string
	ok     bool
}

// checkOrigins dials the websocket of ts once per case, with the Host header
// host ("" for the real one), and checks the upgrade's answer.
func checkOrigins(t *testing.T, ts *liveviewtest.Server, host string, cases []originCase) {
	t.Helper()
	for _, tc := range cases {
		h := http.Header{"Origin": {tc.origin}}
		if tc.origin == "" {
			h = http.Header{"Origin": nil}
		}
		if host != "" {
			h.Set("Host", host)
		}
		ws, resp, err := secDial(ts.URL, "", nil, h)
		if tc.ok {
			if err != nil {
				t.Errorf("Host %q, Origin %q: upgrade refused (%v), want it accepted", host, tc.origin, err)
				continue
			}
			ws.Close()
			continue
		}
		if err == nil {
			ws.Close()
			t.Errorf("Host %q, Origin %q: upgrade accepted, want 403", host, tc.origin)
			continue
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("Host %q, Origin %q: %v, want 403", host, tc.origin, err)
		}
	}
}

// Without AllowedOrigins, only a page whose origin is the server's own, as
// the Host header names it, may open the websocket: scheme, host and port
// must all match, and look-alikes do not.
func TestOriginMustBeTheServersOwn(t *testing.T) {
	ts := secServer(t, liveview.Config{})
	u, _ := url.Parse(ts.URL)
	port := u.Port()
	own := "127.0.0.1:" + port
	checkOrigins(t, ts, "", []originCase{
		{"http://" + own, true},
		{"", true},                                     // not a browser: nothing to forge
		{"http://" + own + "0", false},                 // the port as a prefix of another
		{"http://" + own + ".evil.com", false},         // prefix of a longer host
		{"http://" + own + "@evil.com", false},         // user info
		{"http://evil.com#" + own, false},              // in the fragment
		{"http://evil.com/" + own, false},              // in the path
		{"http://evil.com?" + own, false},              // in the query
		{"http://x" + own, false},                      // suffix
		{"http://127.0.0.1", false},                    // no port: port 80
		{"http://127.0.0.1:1", false},                  // another port
		{"http://localhost:" + port, false},            // another name of the same machine
		{"http://127.0.0.2:" + port, false},            // another address
		{"http://[::1]:" + port, false},                // the same machine over IPv6
		{"null", false},                                // a sandboxed iframe or a data: URL
		{own, false},                                   // no scheme
		{"http://" + own + "/", true},                  // the same origin with a path is still that origin
		{"http://" + own + ", http://evil.com", false}, // two origins
	})

	// A site reached by name: host names compare without regard to case,
	// and only the whole name matches.
	host := "app.example.com:" + port
	checkOrigins(t, ts, host, []originCase{
		{"http://app.example.com:" + port, true},
		{"http://APP.Example.COM:" + port, true},
		{"http://evilapp.example.com:" + port, false},      // suffix
		{"http://evil.app.example.com:" + port, false},     // a subdomain
		{"http://app.example.com.evil.com:" + port, false}, // prefix
		{"http://app.example.co:" + port, false},           // prefix of the name
		{"http://app.example.com." + ":" + port, false},    // trailing dot
		{"http://app.example.com:" + port + "1", false},    // longer port
		{"http://app.example.com", false},                  // default port
		{"http://xn--pp-6kc.example.com:" + port, false},   // Cyrillic а in punycode
		{"http://аpp.example.com:" + port, false},          // Cyrillic а, raw
		{"http://xn--pp-uia.example.com:" + port, false},   // äpp in punycode
		{"null", false},
		{"http://127.0.0.1:" + port, false}, // the address the name resolves to
	})
}

// The scheme is part of the origin: an https page is not the http site's,
// nor the other way round.
func TestOriginSchemeMustMatch(t *testing.T) {
	ts := secServer(t, liveview.Config{})
	own := strings.TrimPrefix(ts.URL, "http://")
	checkOrigins(t, ts, "", []originCase{
		{"http://" + own, true},
		{"HTTP://" + own, true},
		{"https://" + own, false},
		{"ws://" + own, false},
		{"wss://" + own, false},
		{"file://" + own, false},
	})
}

// With AllowedOrigins, scheme, host and port must match an entry exactly,
// the host in any case and the scheme's default port written or not.
func TestAllowedOriginsMatchExactly(t *testing.T) {
	ts := secServer(t, liveview.Config{AllowedOrigins: []string{"https://app.example.com", "http://localhost:8080"}})
	checkOrigins(t, ts, "", []originCase{
		{"https://app.example.com", true},
		{"https://APP.EXAMPLE.COM", true},
		{"HTTPS://app.example.com", true},
		{"https://app.example.com:443", true},
		{"https://app.example.com/", true},
		{"http://localhost:8080", true},
		{"http://LocalHost:8080", true},

		{"http://app.example.com", false},     // other scheme
		{"http://app.example.com:443", false}, // other scheme, same port
		{"https://app.example.com:8443", false},
		{"https://app.example.com:4430", false},
		{"https://app.example.com:44", false},
		{"https://app.example.com.evil.com", false},
		{"https://evilapp.example.com", false},
		{"https://evil.app.example.com", false},
		{"https://app.example.co", false},
		{"https://app.example.com.", false},
		{"https://app.example.com@evil.com", false},
		{"https://evil.com@app.example.com", false}, // no browser sends user info
		{"https://evil.com#app.example.com", false},
		{"https://xn--pp-6kc.example.com", false},
		{"https://аpp.example.com", false},
		{"http://localhost", false},
		{"http://localhost:80", false},
		{"http://localhost:8081", false},
		{"https://localhost:8080", false},
		{"null", false},
		{"https://app.example.com/path", false},
		{"https://app.example.com?x", false},
		{"", true}, // not a browser
	})
}

package liveview

import (
	"bufio"
	"crypto/tls"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestKeptRequest: what a connection keeps of its upgrade request gives its
// joins' hooks the request as received (method, protocol, host, remote
// address, URL with its query, every header value in order, TLS state),
// less the handshake's own headers.
func TestKeptRequest(t *testing.T) {
	raw := "GET /live/websocket?_csrf_token=abc&vsn=2.0.0&tz=Europe%2FParis HTTP/1.1\r\n" +
		"Host: example.com:8080\r\n" +
		"Connection: Upgrade\r\n" +
		"Upgrade: websocket\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"Sec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate\r\n" +
		"Sec-WebSocket-Protocol: phoenix\r\n" +
		"Origin: https://example.com:8080\r\n" +
		"Cookie: _lv_csrf=one; user=ann\r\n" +
		"Cookie: theme=dark\r\n" +
		"X-Forwarded-For: 10.0.0.1\r\n" +
		"X-Empty:\r\n" +
		"User-Agent: test: with a colon\r\n\r\n"
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	r.RemoteAddr = "192.0.2.7:51234"
	r.TLS = &tls.ConnectionState{ServerName: "example.com"}

	got := keepRequest(r).request()
	if got.Method != "GET" || got.Proto != "HTTP/1.1" || got.ProtoMajor != 1 || got.ProtoMinor != 1 {
		t.Errorf("method and protocol: %q %q %d.%d, want GET HTTP/1.1 1.1", got.Method, got.Proto, got.ProtoMajor, got.ProtoMinor)
	}
	if got.Host != "example.com:8080" || got.RemoteAddr != "192.0.2.7:51234" {
		t.Errorf("host %q, remote address %q: want the received ones", got.Host, got.RemoteAddr)
	}
	if got.RequestURI != r.RequestURI || got.URL.String() != r.URL.String() {
		t.Errorf("URL %q (request URI %q), want %q", got.URL, got.RequestURI, r.URL)
	}
	if tz := got.URL.Query().Get("tz"); tz != "Europe/Paris" {
		t.Errorf("connect param tz = %q, want Europe/Paris", tz)
	}
	if got.TLS != r.TLS {
		t.Errorf("TLS state not kept")
	}
	want := r.Header.Clone()
	for _, k := range []string{"Connection", "Upgrade", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions"} {
		delete(want, k)
	}
	if !reflect.DeepEqual(got.Header, want) {
		t.Errorf("headers:\n got %q\nwant %q", got.Header, want)
	}
	if c, err := got.Cookie("theme"); err != nil || c.Value != "dark" {
		t.Errorf("cookie theme: %v %v, want dark", c, err)
	}
	if got.Body != http.NoBody || got.Context() == nil {
		t.Errorf("body %v, context %v: want no body and a background context", got.Body, got.Context())
	}
}

// TestKeptRequestMadeInATest: a request that was never received (no
// RequestURI, as a handler test makes it) keeps its URL.
func TestKeptRequestMadeInATest(t *testing.T) {
	r, err := http.NewRequest("GET", "http://example.com/live/websocket?vsn=2.0.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := keepRequest(r).request()
	if got.URL.Path != "/live/websocket" || got.URL.RawQuery != "vsn=2.0.0" {
		t.Errorf("URL %q, want /live/websocket?vsn=2.0.0", got.URL)
	}
}

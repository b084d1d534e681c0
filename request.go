package liveview

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"strings"
)

// keptRequest is what a connection keeps of its websocket upgrade request,
// for the joins that come later: their OnMount hooks see it as
// MountContext.Request, and the join's URL is checked against its origin.
// Keeping the *http.Request itself cost about 1.8 KB per idle connection
// (its header map and values, its URL, the copy without net/http's
// context); this keeps one string, and the request is built again, for a
// few microseconds, at each join.
type keptRequest struct {
	// s holds the method, protocol, host, remote address and request URI,
	// then one "Key: value" per header value, each line ended by '\n'
	// (net/http has already refused header lines with CR or LF in them).
	s   string
	tls *tls.ConnectionState
}

// handshakeHeader reports the headers that only carry the websocket
// handshake itself, which a hook has no use for: they are not kept.
func handshakeHeader(key string) bool {
	switch key {
	case "Connection", "Upgrade", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions":
		return true
	}
	return false
}

func keepRequest(r *http.Request) keptRequest {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI() // a request made in a test, not received
	}
	n := len(r.Method) + len(r.Proto) + len(r.Host) + len(r.RemoteAddr) + len(uri) + 5
	for k, vs := range r.Header {
		if !handshakeHeader(k) {
			for _, v := range vs {
				n += len(k) + len(v) + 3
			}
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range [...]string{r.Method, r.Proto, r.Host, r.RemoteAddr, uri} {
		b.WriteString(f)
		b.WriteByte('\n')
	}
	for k, vs := range r.Header {
		if handshakeHeader(k) {
			continue
		}
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	return keptRequest{s: b.String(), tls: r.TLS}
}

// request builds the kept request again: a request the handler had
// received, with no body and a background context.
func (k keptRequest) request() *http.Request {
	s := k.s
	next := func() string {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		return line
	}
	r := &http.Request{Method: next(), Proto: next(), Host: next(), RemoteAddr: next(), RequestURI: next(),
		Header: make(http.Header, strings.Count(s, "\n")), Body: http.NoBody, TLS: k.tls}
	r.ProtoMajor, r.ProtoMinor, _ = http.ParseHTTPVersion(r.Proto)
	var err error
	if r.URL, err = url.ParseRequestURI(r.RequestURI); err != nil {
		// net/http parsed it before; this cannot happen.
		r.URL = &url.URL{Path: "/"}
	}
	for s != "" {
		k, v, _ := strings.Cut(next(), ": ")
		// The keys were canonical: the map takes them as they are.
		r.Header[k] = append(r.Header[k], v)
	}
	return r
}

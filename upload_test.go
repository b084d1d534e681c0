package liveview_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/render"
)

// These tests speak the upload protocol frame by frame, as a hostile client
// would, over a real websocket.

type uplState struct {
	Uploads liveview.Uploads
	Saved   []string
}

// uplView is a view with one upload, "doc", whose options the test picks.
// It is shared by every mount of the test's server: every consumed file's
// content goes to consumed, and every Unmount sends the view's id to ended.
type uplView struct {
	opts     liveview.UploadOptions
	consumed chan string
	ended    chan string
}

var uplStatics = render.NewStatics(`<form phx-change="validate" phx-submit="save">`, `</form><ul>`, `</ul><p>`, `</p>`)

func (v *uplView) Mount(s *liveview.Socket[uplState], _ liveview.Params) error {
	return s.AllowUpload("doc", v.opts)
}

func (v *uplView) Render(st uplState) (*render.Rendered, error) {
	var b strings.Builder
	for _, e := range st.Uploads.Entries("doc") {
		fmt.Fprintf(&b, "[%s %s %d%% done=%v valid=%v errors=%s]", e.Ref, e.Name, e.Progress, e.Done, e.Valid, strings.Join(e.Errors, ","))
	}
	return render.NewRendered(uplStatics,
		render.Trusted(st.Uploads.Input("doc")),
		render.Text(b.String()),
		render.Text("upload errors="+strings.Join(st.Uploads.Errors("doc"), ",")),
	), nil
}

func (v *uplView) HandleEvent(s *liveview.Socket[uplState], e liveview.Event) error {
	switch e.Name {
	case "validate":
	case "cancel":
		return s.CancelUpload("doc", e.Params.String("ref"))
	case "save":
		got, err := liveview.ConsumeUploadedEntries(s, "doc", func(e liveview.UploadEntry, f liveview.UploadedFile) (string, error) {
			b, err := io.ReadAll(f)
			return string(b), err
		})
		if err != nil {
			return err
		}
		for _, c := range got {
			v.consumed <- c
		}
	}
	return nil
}

func (v *uplView) Unmount(s *liveview.Socket[uplState]) {
	if s.Connected() {
		v.ended <- s.ID()
	}
}

// uplServer serves uplView at /up, storing uploads in its own directory.
type uplServer struct {
	*httptest.Server
	dir  string
	view *uplView
}

func newUplServer(t *testing.T, opts liveview.UploadOptions) *uplServer {
	t.Helper()
	us := &uplServer{dir: t.TempDir(), view: &uplView{opts: opts, consumed: make(chan string, 16), ended: make(chan string, 16)}}
	lv := liveview.NewServer(liveview.Config{UploadDir: us.dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	lv.Handle("/up", liveview.View[uplState](us.view))
	us.Server = httptest.NewServer(lv)
	t.Cleanup(func() {
		us.Server.Close()
		lv.Close()
	})
	return us
}

func (us *uplServer) files(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(us.dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// uplClient is one websocket connection with one joined view.
type uplClient struct {
	t       *testing.T
	ws      *websocket.Conn
	in      chan protocol.Message
	held    []protocol.Message
	ref     int
	topic   string
	jr      string
	cfgRef  string
	session string
}

var (
	reMeta    = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)
	reSession = regexp.MustCompile(`id="([^"]+)" data-phx-main data-phx-session="([^"]+)" data-phx-static="([^"]+)"`)
	reCfgRef  = regexp.MustCompile(`data-phx-upload-ref=\\?"(phx-[^"\\]+)\\?"`)
)

func (us *uplServer) connect(t *testing.T) *uplClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.Get(us.URL + "/up")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := reMeta.FindSubmatch(body)
	sess := reSession.FindSubmatch(body)
	if csrf == nil || sess == nil {
		t.Fatalf("dead render lacks the csrf meta tag or the container:\n%s", body)
	}
	u, _ := url.Parse(us.URL)
	wsURL := "ws://" + u.Host + "/live/websocket?vsn=2.0.0&_csrf_token=" + url.QueryEscape(string(csrf[1]))
	h := http.Header{"Origin": {us.URL}}
	for _, c := range jar.Cookies(u) {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	ws, _, err := websocket.DefaultDialer.Dial(wsURL, h)
	if err != nil {
		t.Fatal(err)
	}
	c := &uplClient{t: t, ws: ws, in: make(chan protocol.Message, 256), session: string(sess[2])}
	go c.read()
	t.Cleanup(c.close)
	c.topic = "lv:" + string(sess[1])
	c.jr = c.nextRef()
	join := map[string]any{"url": us.URL + "/up", "params": map[string]any{"_mounts": 0}, "session": string(sess[2]), "static": string(sess[3])}
	c.send(c.jr, c.jr, c.topic, "phx_join", join)
	r := c.await(c.jr)
	if status(r) != "ok" {
		t.Fatalf("join: %s", r.Payload)
	}
	m := reCfgRef.FindSubmatch(r.Payload)
	if m == nil {
		t.Fatalf("join render lacks the file input: %s", r.Payload)
	}
	c.cfgRef = string(m[1])
	return c
}

func (c *uplClient) read() {
	defer close(c.in)
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		m, err := protocol.Decode(data, typ == websocket.BinaryMessage, protocol.Limits{})
		if err != nil {
			c.t.Errorf("server sent an undecodable frame %q: %v", data, err)
			return
		}
		c.in <- m
	}
}

func (c *uplClient) close() { c.ws.Close() }

func (c *uplClient) nextRef() string { c.ref++; return strconv.Itoa(c.ref) }

func (c *uplClient) send(jr, ref, topic, event string, payload any) {
	c.t.Helper()
	p, err := json.Marshal(payload)
	if err != nil {
		c.t.Fatal(err)
	}
	b := protocol.AppendMessage(nil, protocol.Message{JoinRef: jr, Ref: ref, Topic: topic, Event: event, Payload: p})
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatal(err)
	}
}

// push sends event on the view's topic and returns its reply.
func (c *uplClient) push(event string, payload any) protocol.Message {
	c.t.Helper()
	ref := c.nextRef()
	c.send(c.jr, ref, c.topic, event, payload)
	return c.await(ref)
}

func (c *uplClient) chunk(jr, topic string, data []byte) protocol.Message {
	c.t.Helper()
	ref := c.nextRef()
	b, err := protocol.AppendBinary(nil, protocol.Message{JoinRef: jr, Ref: ref, Topic: topic, Event: "chunk", Binary: data})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
		c.t.Fatal(err)
	}
	return c.await(ref)
}

const uplWait = 5 * time.Second

// next returns the first held or incoming message that match accepts.
func (c *uplClient) next(what string, match func(protocol.Message) bool) protocol.Message {
	c.t.Helper()
	for i, m := range c.held {
		if match(m) {
			c.held = append(c.held[:i], c.held[i+1:]...)
			return m
		}
	}
	deadline := time.NewTimer(uplWait)
	defer deadline.Stop()
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				c.t.Fatalf("connection closed while waiting for %s", what)
			}
			if match(m) {
				return m
			}
			c.held = append(c.held, m)
		case <-deadline.C:
			c.t.Fatalf("no %s within %v; held: %v", what, uplWait, c.held)
		}
	}
}

func (c *uplClient) await(ref string) protocol.Message {
	c.t.Helper()
	return c.next("reply to "+ref, func(m protocol.Message) bool { return m.Event == "phx_reply" && m.Ref == ref })
}

func (c *uplClient) awaitPush(topic, event string) protocol.Message {
	c.t.Helper()
	return c.next(event+" on "+topic, func(m protocol.Message) bool { return m.Topic == topic && m.Event == event && m.Ref == "" })
}

func status(m protocol.Message) string {
	var r struct {
		Status string `json:"status"`
	}
	json.Unmarshal(m.Payload, &r)
	return r.Status
}

func response(t *testing.T, m protocol.Message) map[string]any {
	t.Helper()
	var r struct {
		Response map[string]any `json:"response"`
	}
	if err := json.Unmarshal(m.Payload, &r); err != nil {
		t.Fatalf("reply %s: %v", m.Payload, err)
	}
	return r.Response
}

type uplFile struct {
	ref, name, typ string
	size           int
}

func (c *uplClient) entries(files ...uplFile) []map[string]any {
	var out []map[string]any
	for _, f := range files {
		out = append(out, map[string]any{"path": "doc", "ref": f.ref, "name": f.name, "type": f.typ, "size": f.size, "last_modified": 1700000000000, "relative_path": ""})
	}
	return out
}

// choose sends the change event that lists files, as the client does when
// files are picked.
func (c *uplClient) choose(files ...uplFile) protocol.Message {
	c.t.Helper()
	r := c.push("event", map[string]any{"type": "form", "event": "validate", "value": "", "meta": map[string]any{"_target": "doc"},
		"uploads": map[string]any{c.cfgRef: c.entries(files...)}})
	if status(r) != "ok" {
		c.t.Fatalf("change event: %s", r.Payload)
	}
	return r
}

// preflight sends allow_upload and returns the reply's response.
func (c *uplClient) preflight(files ...uplFile) map[string]any {
	c.t.Helper()
	r := c.push("allow_upload", map[string]any{"ref": c.cfgRef, "entries": c.entries(files...)})
	if status(r) != "ok" {
		c.t.Fatalf("allow_upload: %s", r.Payload)
	}
	return response(c.t, r)
}

func token(t *testing.T, resp map[string]any, ref string) string {
	t.Helper()
	entries, _ := resp["entries"].(map[string]any)
	tok, _ := entries[ref].(string)
	if tok == "" {
		t.Fatalf("preflight gave entry %q no token: %v", ref, resp)
	}
	return tok
}

// joinEntry joins lvu:<ref> with tok and returns the reply.
func (c *uplClient) joinEntry(ref, tok string) (jr string, reply protocol.Message) {
	c.t.Helper()
	jr = c.nextRef()
	c.send(jr, jr, "lvu:"+ref, "phx_join", map[string]any{"token": tok})
	return jr, c.await(jr)
}

func reason(t *testing.T, m protocol.Message) string {
	t.Helper()
	r, _ := response(t, m)["reason"].(string)
	return r
}

func (c *uplClient) progress(ref string, pct int) protocol.Message {
	c.t.Helper()
	return c.push("progress", map[string]any{"event": nil, "ref": c.cfgRef, "entry_ref": ref, "progress": pct})
}

// start chooses one file, preflights it and joins its channel.
func (c *uplClient) start(f uplFile) (jr string) {
	c.t.Helper()
	c.choose(f)
	tok := token(c.t, c.preflight(f), f.ref)
	jr, r := c.joinEntry(f.ref, tok)
	if status(r) != "ok" {
		c.t.Fatalf("upload join: %s", r.Payload)
	}
	return jr
}

func TestUploadRoundTrip(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 4, Accept: []string{".txt"}})
	c := us.connect(t)
	content := []byte("hello, world") // 12 bytes: three chunks of 4
	f := uplFile{ref: "0", name: "hello.txt", typ: "text/plain", size: len(content)}
	r := c.choose(f)
	if !bytes.Contains(r.Payload, []byte(`data-phx-active-refs=\"0\"`)) {
		t.Errorf("change reply does not list the entry as active: %s", r.Payload)
	}
	resp := c.preflight(f)
	cfg, _ := resp["config"].(map[string]any)
	if cfg["chunk_size"] != 4.0 || cfg["max_entries"] != 1.0 || cfg["max_file_size"] != 8e6 || cfg["chunk_timeout"] != 10000.0 {
		t.Errorf("preflight config = %v", cfg)
	}
	jr, jreply := c.joinEntry("0", token(t, resp, "0"))
	if status(jreply) != "ok" {
		t.Fatalf("join: %s", jreply.Payload)
	}
	if n := len(us.files(t)); n != 1 {
		t.Errorf("%d files in the upload dir after the join, want 1", n)
	}
	for i := 0; i < len(content); i += 4 {
		if r := c.chunk(jr, "lvu:0", content[i:i+4]); status(r) != "ok" {
			t.Fatalf("chunk %d: %s", i/4, r.Payload)
		}
		pct := (i + 4) * 100 / len(content)
		r := c.progress("0", pct)
		if status(r) != "ok" {
			t.Fatalf("progress: %s", r.Payload)
		}
		if pct == 100 && !bytes.Contains(r.Payload, []byte(`data-phx-done-refs=\"0\"`)) {
			t.Errorf("progress 100 reply does not mark the entry done: %s", r.Payload)
		}
	}
	if r := c.push("event", map[string]any{"type": "form", "event": "save", "value": ""}); status(r) != "ok" {
		t.Fatalf("save: %s", r.Payload)
	}
	select {
	case got := <-us.view.consumed:
		if got != string(content) {
			t.Errorf("consumed %q, want %q", got, content)
		}
	case <-time.After(uplWait):
		t.Fatal("nothing consumed")
	}
	if files := us.files(t); len(files) != 0 {
		t.Errorf("files left after consume: %v", files)
	}
	c.awaitPush("lvu:0", "phx_close")
}

func TestUploadValidation(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{Accept: []string{"image/*", ".pdf"}, MaxFileSize: 100, MaxEntries: 2})
	c := us.connect(t)
	big := uplFile{ref: "0", name: "big.png", typ: "image/png", size: 101}
	exe := uplFile{ref: "1", name: "x.exe", typ: "application/octet-stream", size: 10}
	r := c.choose(big, exe)
	for _, want := range []string{`[0 big.png 0% done=false valid=false errors=too_large]`, `[1 x.exe 0% done=false valid=false errors=not_accepted]`, `data-phx-error-refs=\"0,1\"`} {
		if !bytes.Contains(r.Payload, []byte(want)) {
			t.Errorf("change reply lacks %s: %s", want, r.Payload)
		}
	}
	resp := c.preflight(big, exe)
	if resp["entries"] != nil {
		t.Errorf("invalid entries got tokens: %v", resp)
	}
	errs, _ := json.Marshal(resp["error"])
	if string(errs) != `[["0","too_large"],["1","not_accepted"]]` {
		t.Errorf("preflight errors = %s", errs)
	}

	c.push("event", map[string]any{"type": "click", "event": "cancel", "value": map[string]any{"ref": "0"}})
	c.push("event", map[string]any{"type": "click", "event": "cancel", "value": map[string]any{"ref": "1"}})
	ok1 := uplFile{ref: "2", name: "a.pdf", typ: "application/pdf", size: 10}
	ok2 := uplFile{ref: "3", name: "b.jpg", typ: "image/jpeg", size: 10}
	ok3 := uplFile{ref: "4", name: "c.jpg", typ: "image/jpeg", size: 10}
	r = c.choose(ok1, ok2, ok3)
	if !bytes.Contains(r.Payload, []byte("upload errors=too_many_files")) {
		t.Errorf("three files for two entries: no too_many_files: %s", r.Payload)
	}
	resp = c.preflight(ok1, ok2, ok3)
	errs, _ = json.Marshal(resp["error"])
	if !strings.Contains(string(errs), `["`+c.cfgRef+`","too_many_files"]`) || resp["entries"] != nil {
		t.Errorf("preflight with too many files = %v", resp)
	}
	c.push("event", map[string]any{"type": "click", "event": "cancel", "value": map[string]any{"ref": "4"}})
	resp = c.preflight(ok1, ok2)
	token(t, resp, "2")
	token(t, resp, "3")
}

func TestUploadForgedToken(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{})
	c := us.connect(t)
	f := uplFile{ref: "0", name: "a.txt", size: 10}
	c.choose(f)
	tok := token(t, c.preflight(f), "0")
	body, sig, _ := strings.Cut(tok, ".")
	for name, bad := range map[string]string{
		"garbage":          "not-a-token",
		"bad signature":    body + "." + sig[:len(sig)-2] + "AA",
		"other entry":      tok, // valid, but joined on another topic below
		"empty":            "",
		"swapped sig body": sig + "." + body,
	} {
		topic := "lvu:0"
		if name == "other entry" {
			topic = "lvu:7"
		}
		jr := c.nextRef()
		c.send(jr, jr, topic, "phx_join", map[string]any{"token": bad})
		if r := c.await(jr); status(r) != "error" || reason(t, r) != "invalid_token" {
			t.Errorf("%s: join reply %s, want invalid_token", name, r.Payload)
		}
	}
	// A chunk on a channel never joined is refused and stores nothing.
	if r := c.chunk("99", "lvu:0", []byte("abc")); status(r) != "error" {
		t.Errorf("chunk without a join: %s", r.Payload)
	}
	if files := us.files(t); len(files) != 0 {
		t.Errorf("refused joins left files: %v", files)
	}
	// The genuine token still works, once.
	if _, r := c.joinEntry("0", tok); status(r) != "ok" {
		t.Fatalf("genuine join: %s", r.Payload)
	}
	if _, r := c.joinEntry("0", tok); reason(t, r) != "already_registered" {
		t.Errorf("second join: %s", r.Payload)
	}
}

func TestUploadTokenOfAnotherView(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{})
	a := us.connect(t)
	b := us.connect(t)
	f := uplFile{ref: "0", name: "a.txt", size: 10}
	a.choose(f)
	tok := token(t, a.preflight(f), "0")
	if _, r := b.joinEntry("0", tok); reason(t, r) != "invalid_token" {
		t.Errorf("token of another connection's view: %s", r.Payload)
	}
	// The same view rejoined on the same connection is a new instance:
	// tokens of the old one are void.
	jr := a.nextRef()
	a.send(jr, jr, a.topic, "phx_join", map[string]any{"url": us.URL + "/up", "params": map[string]any{"_mounts": 1}, "session": a.session})
	if r := a.await(jr); status(r) != "ok" {
		t.Fatalf("rejoin: %s", r.Payload)
	}
	a.jr = jr
	if _, r := a.joinEntry("0", tok); reason(t, r) != "invalid_token" {
		t.Errorf("token of an earlier instance of the view: %s", r.Payload)
	}
}

func TestUploadOversizedChunk(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 8})
	c := us.connect(t)
	jr := c.start(uplFile{ref: "0", name: "a.txt", size: 100})
	r := c.chunk(jr, "lvu:0", make([]byte, 9))
	if status(r) != "error" || reason(t, r) != "chunk_size_exceeded" {
		t.Errorf("9-byte chunk with ChunkSize 8: %s", r.Payload)
	}
	d := c.awaitPush(c.topic, "diff")
	if !bytes.Contains(d.Payload, []byte("errors=interrupted")) {
		t.Errorf("the entry is not marked failed: %s", d.Payload)
	}
	if files := us.files(t); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
	if r := c.chunk(jr, "lvu:0", make([]byte, 4)); status(r) != "error" {
		t.Errorf("chunk after the failure accepted: %s", r.Payload)
	}
}

func TestUploadMoreBytesThanDeclared(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 8})
	c := us.connect(t)
	jr := c.start(uplFile{ref: "0", name: "a.txt", size: 10})
	if r := c.chunk(jr, "lvu:0", make([]byte, 8)); status(r) != "ok" {
		t.Fatalf("first chunk: %s", r.Payload)
	}
	r := c.chunk(jr, "lvu:0", make([]byte, 8))
	if status(r) != "error" || reason(t, r) != "file_size_limit_exceeded" || response(t, r)["limit"] != 10.0 {
		t.Errorf("bytes beyond the declared size: %s", r.Payload)
	}
	c.awaitPush(c.topic, "diff")
	if files := us.files(t); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

func TestUploadProgressNotAheadOfBytes(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 8})
	c := us.connect(t)
	jr := c.start(uplFile{ref: "0", name: "a.txt", size: 16})
	c.chunk(jr, "lvu:0", make([]byte, 8))
	r := c.progress("0", 100) // a lie: half the bytes arrived
	if !bytes.Contains(r.Payload, []byte("50% done=false")) || bytes.Contains(r.Payload, []byte(`data-phx-done-refs=\"0\"`)) {
		t.Errorf("progress 100 after half the bytes: %s", r.Payload)
	}
	// Consuming while an entry uploads is an error, which crashes the view.
	c.send(c.jr, c.nextRef(), c.topic, "event", map[string]any{"type": "form", "event": "save", "value": ""})
	c.next("phx_error", func(m protocol.Message) bool { return m.Topic == c.topic && m.Event == "phx_error" })
	select {
	case got := <-us.view.consumed:
		t.Errorf("consumed %q before it was complete", got)
	default:
	}
}

func TestUploadChunkAfterCancel(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 8})
	c := us.connect(t)
	jr := c.start(uplFile{ref: "0", name: "a.txt", size: 16})
	if r := c.chunk(jr, "lvu:0", make([]byte, 8)); status(r) != "ok" {
		t.Fatalf("chunk: %s", r.Payload)
	}
	r := c.push("event", map[string]any{"type": "click", "event": "cancel", "value": map[string]any{"ref": "0"}})
	if !bytes.Contains(r.Payload, []byte(`data-phx-active-refs=\"\"`)) {
		t.Errorf("cancel reply still lists the entry: %s", r.Payload)
	}
	c.awaitPush("lvu:0", "phx_close")
	if files := us.files(t); len(files) != 0 {
		t.Errorf("files left after cancel: %v", files)
	}
	if r := c.chunk(jr, "lvu:0", make([]byte, 8)); status(r) != "error" {
		t.Errorf("chunk after cancel: %s", r.Payload)
	}
	if files := us.files(t); len(files) != 0 {
		t.Errorf("chunk after cancel stored a file: %v", files)
	}
}

func TestUploadConnectionDropped(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 8})
	c := us.connect(t)
	jr := c.start(uplFile{ref: "0", name: "a.txt", size: 16})
	if r := c.chunk(jr, "lvu:0", make([]byte, 8)); status(r) != "ok" {
		t.Fatalf("chunk: %s", r.Payload)
	}
	if n := len(us.files(t)); n != 1 {
		t.Fatalf("%d files while uploading, want 1", n)
	}
	c.ws.Close()
	select {
	case <-us.view.ended: // upload files go before Unmount runs
	case <-time.After(uplWait):
		t.Fatal("the view did not end after its connection dropped")
	}
	if files := us.files(t); len(files) != 0 {
		t.Errorf("files left after the connection dropped: %v", files)
	}
}

func TestUploadStalled(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 8, ChunkTimeout: 20 * time.Millisecond})
	c := us.connect(t)
	jr := c.start(uplFile{ref: "0", name: "a.txt", size: 16})
	if r := c.chunk(jr, "lvu:0", make([]byte, 8)); status(r) != "ok" {
		t.Fatalf("chunk: %s", r.Payload)
	}
	c.awaitPush("lvu:0", "phx_close")
	d := c.awaitPush(c.topic, "diff")
	if !bytes.Contains(d.Payload, []byte("errors=timeout")) || !bytes.Contains(d.Payload, []byte(`data-phx-error-refs=\"0\"`)) {
		t.Errorf("stalled entry not marked: %s", d.Payload)
	}
	if files := us.files(t); len(files) != 0 {
		t.Errorf("files left after the timeout: %v", files)
	}
}

func TestUploadClientError(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 8})
	c := us.connect(t)
	jr := c.start(uplFile{ref: "0", name: "a.txt", size: 16})
	c.chunk(jr, "lvu:0", make([]byte, 8))
	r := c.push("progress", map[string]any{"event": nil, "ref": c.cfgRef, "entry_ref": "0", "progress": map[string]any{"error": "failed"}})
	if !bytes.Contains(r.Payload, []byte("errors=failed")) {
		t.Errorf("client-side failure not recorded: %s", r.Payload)
	}
	if files := us.files(t); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

func TestUploadViewLeaves(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 8})
	c := us.connect(t)
	jr := c.start(uplFile{ref: "0", name: "a.txt", size: 16})
	c.chunk(jr, "lvu:0", make([]byte, 8))
	if r := c.push("phx_leave", map[string]any{}); status(r) != "ok" {
		t.Fatalf("leave: %s", r.Payload)
	}
	<-us.view.ended
	if files := us.files(t); len(files) != 0 {
		t.Errorf("files left after the view left: %v", files)
	}
}

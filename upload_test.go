package liveview_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// These tests speak the upload protocol frame by frame, as a hostile client
// would, over a real websocket: liveviewtest's connection, with the frames
// built here rather than by its Upload helpers.

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
	lv   *liveview.Server
	dir  string
	view *uplView
}

func newUplServer(t *testing.T, opts liveview.UploadOptions) *uplServer {
	t.Helper()
	us := &uplServer{view: &uplView{opts: opts, consumed: make(chan string, 16), ended: make(chan string, 16)}}
	us.lv, us.dir = newUploadServer(t, func(lv *liveview.Server) {
		lv.Handle("/up", liveview.View[uplState](us.view))
	})
	return us
}

// newUploadServer returns a server that keeps uploads in dir, a fresh
// directory, with its log discarded, closed when the test ends; handle
// registers its views.
func newUploadServer(t *testing.T, handle func(*liveview.Server)) (lv *liveview.Server, dir string) {
	t.Helper()
	dir = t.TempDir()
	lv = liveview.NewServer(liveview.Config{UploadDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	handle(lv)
	// Cleanups run last first: the browsers' listeners close before the
	// server.
	t.Cleanup(func() { lv.Close() })
	return lv, dir
}

// mountUpload mounts path of lv in a new browser (its own cookie jar and
// connection) that waits up to uplWait.
func mountUpload(t *testing.T, lv *liveview.Server, path string) *liveviewtest.View {
	t.Helper()
	v, err := liveviewtest.NewServer(t, lv, liveviewtest.WithTimeout(uplWait)).Mount(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (us *uplServer) files(t *testing.T) []string {
	t.Helper()
	return uploadFiles(t, us.dir)
}

// uploadFiles lists the files of an upload directory.
func uploadFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// awaitEnded waits for a view of us to end (Unmount), or fails the test
// after a generous deadline.
func (us *uplServer) awaitEnded(t *testing.T, why string) {
	t.Helper()
	select {
	case <-us.view.ended: // upload files go before Unmount runs
	case <-time.After(uplWait):
		t.Fatalf("waited %v for the view to end (Unmount) after %s", uplWait, why)
	}
}

// uplClient is one browser with one view joined on its own connection,
// uploading through one file input.
type uplClient struct {
	t      *testing.T
	v      *liveviewtest.View
	conn   *liveviewtest.Conn
	topic  string
	cfgRef string
	input  string // the input's name: the entries' path, the change's _target
	cid    int    // the live component the input's form targets; 0 for the view
}

// connect mounts /up in a new browser (its own cookie jar and connection).
func (us *uplServer) connect(t *testing.T) *uplClient {
	t.Helper()
	return newUplClient(t, mountUpload(t, us.lv, "/up"), "form", "doc")
}

// newUplClient uploads through the file input named input of the form
// matching form, to the live component the form targets (phx-target), or
// to the view.
func newUplClient(t *testing.T, v *liveviewtest.View, form, input string) *uplClient {
	t.Helper()
	cfg, err := v.Attr(form+` input[type="file"]`, "data-phx-upload-ref")
	if err != nil || !strings.HasPrefix(cfg, "phx-") {
		t.Fatalf("join render lacks the file input of %s (%v): %s", form, err, v.HTML())
	}
	c := &uplClient{t: t, v: v, conn: v.Conn(), topic: v.Topic(), cfgRef: cfg, input: input}
	if target, _ := v.Attr(form, "phx-target"); target != "" {
		if c.cid, err = strconv.Atoi(target); err != nil || c.cid <= 0 {
			t.Fatalf("%s's phx-target %q is not a cid: %s", form, target, v.HTML())
		}
	}
	return c
}

// withCID adds the client's cid to an upload message's payload, as the
// client sends it for a component's upload.
func (c *uplClient) withCID(p map[string]any) map[string]any {
	if c.cid != 0 {
		p["cid"] = c.cid
	}
	return p
}

// push sends event on the view's topic and returns its reply.
func (c *uplClient) push(event string, payload any) liveviewtest.Reply {
	c.t.Helper()
	r, err := c.conn.Call(c.v.JoinRef(), c.topic, event, payload)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// cancel sends the view's cancel event for entry ref and checks the reply.
func (c *uplClient) cancel(ref string) liveviewtest.Reply {
	c.t.Helper()
	r := c.push("event", map[string]any{"type": "click", "event": "cancel", "value": map[string]any{"ref": ref}})
	if r.Status != "ok" {
		c.t.Fatalf("cancel of entry %s: %s %s", ref, r.Status, r.Response)
	}
	return r
}

func (c *uplClient) chunk(jr, topic string, data []byte) liveviewtest.Reply {
	c.t.Helper()
	ref := c.conn.NewRef()
	b, err := protocol.AppendBinary(nil, protocol.Message{JoinRef: jr, Ref: ref, Topic: topic, Event: "chunk", Binary: data})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.conn.SendBinary(b); err != nil {
		c.t.Fatal(err)
	}
	return c.await(ref)
}

// uplWait bounds every wait of these tests: generous, for loaded machines.
const uplWait = testsupport.Timeout

func (c *uplClient) await(ref string) liveviewtest.Reply {
	c.t.Helper()
	r, err := c.conn.Await(ref)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// awaitPush waits for the first push of event on topic.
func (c *uplClient) awaitPush(topic, event string) liveviewtest.Push {
	c.t.Helper()
	p, err := c.conn.AwaitPush(topic, event, 0)
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

func response(t *testing.T, r liveviewtest.Reply) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Response, &m); err != nil {
		t.Fatalf("reply %s: %v", r.Response, err)
	}
	return m
}

type uplFile struct {
	ref, name, typ string
	size           int
}

func (c *uplClient) entries(files ...uplFile) []map[string]any {
	var out []map[string]any
	for _, f := range files {
		out = append(out, map[string]any{"path": c.input, "ref": f.ref, "name": f.name, "type": f.typ, "size": f.size, "last_modified": int64(1700000000000), "relative_path": ""})
	}
	return out
}

// choose sends the change event that lists files, as the client does when
// files are picked.
func (c *uplClient) choose(files ...uplFile) liveviewtest.Reply {
	c.t.Helper()
	r := c.push("event", c.withCID(map[string]any{"type": "form", "event": "validate", "value": "", "meta": map[string]any{"_target": c.input},
		"uploads": map[string]any{c.cfgRef: c.entries(files...)}}))
	if r.Status != "ok" {
		c.t.Fatalf("change event: %s", r.Response)
	}
	return r
}

// preflight sends allow_upload and returns the reply's response.
func (c *uplClient) preflight(files ...uplFile) map[string]any {
	c.t.Helper()
	r := c.push("allow_upload", c.withCID(map[string]any{"ref": c.cfgRef, "entries": c.entries(files...)}))
	if r.Status != "ok" {
		c.t.Fatalf("allow_upload: %s", r.Response)
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

// joinTopic joins topic with tok and returns the join ref and the reply.
func (c *uplClient) joinTopic(topic, tok string) (jr string, reply liveviewtest.Reply) {
	c.t.Helper()
	jr = c.conn.NewRef()
	if err := c.conn.SendRef(jr, jr, topic, "phx_join", map[string]any{"token": tok}); err != nil {
		c.t.Fatal(err)
	}
	return jr, c.await(jr)
}

// joinEntry joins lvu:<ref> with tok and returns the join ref and the reply.
func (c *uplClient) joinEntry(ref, tok string) (jr string, reply liveviewtest.Reply) {
	c.t.Helper()
	return c.joinTopic("lvu:"+ref, tok)
}

func reason(t *testing.T, r liveviewtest.Reply) string {
	t.Helper()
	s, _ := response(t, r)["reason"].(string)
	return s
}

func (c *uplClient) progress(ref string, pct int) liveviewtest.Reply {
	c.t.Helper()
	return c.push("progress", c.withCID(map[string]any{"event": nil, "ref": c.cfgRef, "entry_ref": ref, "progress": pct}))
}

// start chooses one file, preflights it and joins its channel.
func (c *uplClient) start(f uplFile) (jr string) {
	c.t.Helper()
	c.choose(f)
	tok := token(c.t, c.preflight(f), f.ref)
	jr, r := c.joinEntry(f.ref, tok)
	if r.Status != "ok" {
		c.t.Fatalf("upload join: %s", r.Response)
	}
	return jr
}

func TestUploadRoundTrip(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 4, Accept: []string{".txt"}})
	c := us.connect(t)
	content := []byte("hello, world") // 12 bytes: three chunks of 4
	f := uplFile{ref: "0", name: "hello.txt", typ: "text/plain", size: len(content)}
	r := c.choose(f)
	if !bytes.Contains(r.Response, []byte(`data-phx-active-refs=\"0\"`)) {
		t.Errorf("change reply does not list the entry as active: %s", r.Response)
	}
	resp := c.preflight(f)
	cfg, _ := resp["config"].(map[string]any)
	if cfg["chunk_size"] != 4.0 || cfg["max_entries"] != 1.0 || cfg["max_file_size"] != 8e6 || cfg["chunk_timeout"] != 10000.0 {
		t.Errorf("preflight config = %v", cfg)
	}
	jr, jreply := c.joinEntry("0", token(t, resp, "0"))
	if jreply.Status != "ok" {
		t.Fatalf("join: %s", jreply.Response)
	}
	if n := len(us.files(t)); n != 1 {
		t.Errorf("%d files in the upload dir after the join, want 1", n)
	}
	for i := 0; i < len(content); i += 4 {
		if r := c.chunk(jr, "lvu:0", content[i:i+4]); r.Status != "ok" {
			t.Fatalf("chunk %d: %s", i/4, r.Response)
		}
		pct := (i + 4) * 100 / len(content)
		r := c.progress("0", pct)
		if r.Status != "ok" {
			t.Fatalf("progress: %s", r.Response)
		}
		if pct == 100 && !bytes.Contains(r.Response, []byte(`data-phx-done-refs=\"0\"`)) {
			t.Errorf("progress 100 reply does not mark the entry done: %s", r.Response)
		}
	}
	if r := c.push("event", map[string]any{"type": "form", "event": "save", "value": ""}); r.Status != "ok" {
		t.Fatalf("save: %s", r.Response)
	}
	select {
	case got := <-us.view.consumed:
		if got != string(content) {
			t.Errorf("consumed %q, want %q", got, content)
		}
	case <-time.After(uplWait):
		t.Fatalf("nothing consumed within %v of the save", uplWait)
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
		if !bytes.Contains(r.Response, []byte(want)) {
			t.Errorf("change reply lacks %s: %s", want, r.Response)
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

	c.cancel("0")
	if r := c.cancel("1"); !bytes.Contains(r.Response, []byte(`data-phx-error-refs=\"\"`)) {
		t.Errorf("the refused entries are still listed after their cancel: %s", r.Response)
	}
	ok1 := uplFile{ref: "2", name: "a.pdf", typ: "application/pdf", size: 10}
	ok2 := uplFile{ref: "3", name: "b.jpg", typ: "image/jpeg", size: 10}
	ok3 := uplFile{ref: "4", name: "c.jpg", typ: "image/jpeg", size: 10}
	r = c.choose(ok1, ok2, ok3)
	if !bytes.Contains(r.Response, []byte("upload errors=too_many_files")) {
		t.Errorf("three files for two entries: no too_many_files: %s", r.Response)
	}
	resp = c.preflight(ok1, ok2, ok3)
	errs, _ = json.Marshal(resp["error"])
	if !strings.Contains(string(errs), `["`+c.cfgRef+`","too_many_files"]`) || resp["entries"] != nil {
		t.Errorf("preflight with too many files = %v", resp)
	}
	c.cancel("4")
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
	for _, tc := range []struct{ name, topic, token string }{
		{"garbage", "lvu:0", "not-a-token"},
		{"bad signature", "lvu:0", body + "." + sig[:len(sig)-2] + "AA"},
		{"other entry", "lvu:7", tok}, // valid, but for entry 0
		{"empty", "lvu:0", ""},
		{"swapped sig body", "lvu:0", sig + "." + body},
	} {
		if _, r := c.joinTopic(tc.topic, tc.token); r.Status != "error" || reason(t, r) != "invalid_token" {
			t.Errorf("%s: join reply %s %s, want invalid_token", tc.name, r.Status, r.Response)
		}
	}
	// A chunk on a channel never joined is refused and stores nothing.
	if r := c.chunk("99", "lvu:0", []byte("abc")); r.Status != "error" {
		t.Errorf("chunk without a join: %s %s", r.Status, r.Response)
	}
	if files := us.files(t); len(files) != 0 {
		t.Errorf("refused joins left files: %v", files)
	}
	// The genuine token still works, once.
	if _, r := c.joinEntry("0", tok); r.Status != "ok" {
		t.Fatalf("genuine join: %s", r.Response)
	}
	if _, r := c.joinEntry("0", tok); reason(t, r) != "already_registered" {
		t.Errorf("second join: %s", r.Response)
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
		t.Errorf("token of another connection's view: %s", r.Response)
	}
	// The same view rejoined on the same connection is a new instance:
	// tokens of the old one are void.
	if err := a.v.Rejoin(); err != nil {
		t.Fatalf("rejoin: %v", err)
	}
	if _, r := a.joinEntry("0", tok); reason(t, r) != "invalid_token" {
		t.Errorf("token of an earlier instance of the view: %s", r.Response)
	}
}

func TestUploadProgressNotAheadOfBytes(t *testing.T) {
	us := newUplServer(t, liveview.UploadOptions{ChunkSize: 8})
	c := us.connect(t)
	jr := c.start(uplFile{ref: "0", name: "a.txt", size: 16})
	if r := c.chunk(jr, "lvu:0", make([]byte, 8)); r.Status != "ok" {
		t.Fatalf("chunk: %s", r.Response)
	}
	r := c.progress("0", 100) // a lie: half the bytes arrived
	if !bytes.Contains(r.Response, []byte("50% done=false")) || bytes.Contains(r.Response, []byte(`data-phx-done-refs=\"0\"`)) {
		t.Errorf("progress 100 after half the bytes: %s", r.Response)
	}
	// Consuming while an entry uploads is an error, which crashes the view:
	// phx_error comes instead of a reply, so send without waiting.
	if _, err := c.conn.Send(c.v.JoinRef(), c.topic, "event", map[string]any{"type": "form", "event": "save", "value": ""}); err != nil {
		t.Fatal(err)
	}
	if err := c.v.AwaitCrash(); err != nil {
		t.Fatalf("save while uploading: %v", err)
	}
	select {
	case got := <-us.view.consumed:
		t.Errorf("consumed %q before it was complete", got)
	default:
	}
}

// An upload that ends before its last byte, in every way it can, leaves no
// file behind. Each case starts one entry of size bytes, sends first (if
// any) as its first chunk, which must be accepted, then ends the upload its
// own way and checks what the client sees.
func TestUploadEndedEarly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  liveview.UploadOptions
		size  int
		first []byte
		end   func(t *testing.T, us *uplServer, c *uplClient, jr string)
	}{
		{
			name: "oversized chunk", opts: liveview.UploadOptions{ChunkSize: 8}, size: 100,
			end: func(t *testing.T, us *uplServer, c *uplClient, jr string) {
				r := c.chunk(jr, "lvu:0", make([]byte, 9))
				if r.Status != "error" || reason(t, r) != "chunk_size_exceeded" {
					t.Errorf("9-byte chunk with ChunkSize 8: %s %s", r.Status, r.Response)
				}
				d := c.awaitPush(c.topic, "diff")
				if !bytes.Contains(d.Payload, []byte("errors=interrupted")) {
					t.Errorf("the entry is not marked failed: %s", d.Payload)
				}
				if files := us.files(t); len(files) != 0 {
					t.Errorf("files left: %v", files)
				}
				if r := c.chunk(jr, "lvu:0", make([]byte, 4)); r.Status != "error" {
					t.Errorf("chunk after the failure accepted: %s", r.Response)
				}
			},
		},
		{
			name: "more bytes than declared", opts: liveview.UploadOptions{ChunkSize: 8}, size: 10, first: make([]byte, 8),
			end: func(t *testing.T, us *uplServer, c *uplClient, jr string) {
				r := c.chunk(jr, "lvu:0", make([]byte, 8))
				if r.Status != "error" || reason(t, r) != "file_size_limit_exceeded" || response(t, r)["limit"] != 10.0 {
					t.Errorf("bytes beyond the declared size: %s %s", r.Status, r.Response)
				}
				c.awaitPush(c.topic, "diff")
			},
		},
		{
			name: "chunk after cancel", opts: liveview.UploadOptions{ChunkSize: 8}, size: 16, first: make([]byte, 8),
			end: func(t *testing.T, us *uplServer, c *uplClient, jr string) {
				if r := c.cancel("0"); !bytes.Contains(r.Response, []byte(`data-phx-active-refs=\"\"`)) {
					t.Errorf("cancel reply still lists the entry: %s", r.Response)
				}
				c.awaitPush("lvu:0", "phx_close")
				if files := us.files(t); len(files) != 0 {
					t.Errorf("files left after cancel: %v", files)
				}
				if r := c.chunk(jr, "lvu:0", make([]byte, 8)); r.Status != "error" {
					t.Errorf("chunk after cancel: %s", r.Response)
				}
			},
		},
		{
			name: "connection dropped", opts: liveview.UploadOptions{ChunkSize: 8}, size: 16, first: make([]byte, 8),
			end: func(t *testing.T, us *uplServer, c *uplClient, jr string) {
				if n := len(us.files(t)); n != 1 {
					t.Fatalf("%d files while uploading, want 1", n)
				}
				c.conn.Close()
				us.awaitEnded(t, "its connection dropped")
			},
		},
		{
			name: "stalled", opts: liveview.UploadOptions{ChunkSize: 8, ChunkTimeout: 20 * time.Millisecond}, size: 16, first: make([]byte, 8),
			end: func(t *testing.T, us *uplServer, c *uplClient, jr string) {
				c.awaitPush("lvu:0", "phx_close")
				d := c.awaitPush(c.topic, "diff")
				if !bytes.Contains(d.Payload, []byte("errors=timeout")) || !bytes.Contains(d.Payload, []byte(`data-phx-error-refs=\"0\"`)) {
					t.Errorf("stalled entry not marked: %s", d.Payload)
				}
			},
		},
		{
			name: "client error", opts: liveview.UploadOptions{ChunkSize: 8}, size: 16, first: make([]byte, 8),
			end: func(t *testing.T, us *uplServer, c *uplClient, jr string) {
				r := c.push("progress", map[string]any{"event": nil, "ref": c.cfgRef, "entry_ref": "0", "progress": map[string]any{"error": "failed"}})
				if !bytes.Contains(r.Response, []byte("errors=failed")) {
					t.Errorf("client-side failure not recorded: %s", r.Response)
				}
			},
		},
		{
			name: "view leaves", opts: liveview.UploadOptions{ChunkSize: 8}, size: 16, first: make([]byte, 8),
			end: func(t *testing.T, us *uplServer, c *uplClient, jr string) {
				if r := c.push("phx_leave", map[string]any{}); r.Status != "ok" {
					t.Fatalf("leave: %s", r.Response)
				}
				us.awaitEnded(t, "it left")
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			us := newUplServer(t, tc.opts)
			c := us.connect(t)
			jr := c.start(uplFile{ref: "0", name: "a.txt", size: tc.size})
			if tc.first != nil {
				if r := c.chunk(jr, "lvu:0", tc.first); r.Status != "ok" {
					t.Fatalf("first chunk: %s", r.Response)
				}
			}
			tc.end(t, us, c, jr)
			if files := us.files(t); len(files) != 0 {
				t.Errorf("files left after the upload ended early: %v", files)
			}
		})
	}
}

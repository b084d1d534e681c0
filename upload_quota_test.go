package liveview_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/protocol"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// The upload quotas (Config.MaxUploadEntriesPerConn, MaxUploadBytesPerConn,
// MaxUploadBytes), over the real protocol: preflights declare sizes the
// client never has to send, as an attacker's would.

type quotaState struct {
	Uploads liveview.Uploads
}

// quotaView allows "doc": six files of up to 25 MB, consumed by "save".
type quotaView struct{}

var quotaStatics = render.NewStatics(`<form id="f" phx-change="validate" phx-submit="save">`, `</form><ul>`, `</ul>`)

func (quotaView) Mount(s *liveview.Socket[quotaState], _ liveview.Params) error {
	return s.AllowUpload("doc", liveview.UploadOptions{MaxEntries: 6, MaxFileSize: 25 << 20})
}

func (quotaView) Render(st quotaState) (*render.Rendered, error) {
	var b strings.Builder
	for _, e := range st.Uploads.Entries("doc") {
		fmt.Fprintf(&b, "[%s errors=%s]", e.Ref, strings.Join(e.Errors, ","))
	}
	return render.NewRendered(quotaStatics, render.Trusted(st.Uploads.Input("doc")), render.Text(b.String())), nil
}

func (quotaView) HandleEvent(s *liveview.Socket[quotaState], e liveview.Event) error {
	switch e.Name {
	case "cancel":
		for _, ref := range strings.Split(e.Params.String("refs"), ",") {
			if err := s.CancelUpload("doc", ref); err != nil {
				return err
			}
		}
	case "save":
		return s.ConsumeUploadedEntries("doc", func(liveview.UploadEntry, liveview.UploadedFile) error { return nil })
	}
	return nil
}

func newQuotaServer(t *testing.T, cfg liveview.Config) (*liveview.Server, *liveviewtest.Server, *testsupport.SyncBuffer) {
	t.Helper()
	logs := &testsupport.SyncBuffer{}
	cfg.UploadDir = t.TempDir()
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	srv := liveview.NewServer(cfg)
	srv.Handle("/q", liveview.View[quotaState](quotaView{}))
	ts := liveviewtest.NewServer(t, srv)
	t.Cleanup(func() { srv.Close() })
	return srv, ts, logs
}

var quotaRefs struct {
	sync.Mutex
	n int
}

// preflight asks for tokens for n files of size bytes each on v's upload,
// without sending a byte; it returns the entry refs and the reply's tokens
// and errors. (The reply's diff is not merged into v.)
func preflight(t *testing.T, v *liveviewtest.View, n int, size int64) (refs []string, tokens map[string]string, errs [][2]string) {
	refs, tokens, errs, _ = preflightReply(t, v, n, size)
	return refs, tokens, errs
}

func preflightReply(t *testing.T, v *liveviewtest.View, n int, size int64) (refs []string, tokens map[string]string, errs [][2]string, diff string) {
	t.Helper()
	cfgRef, err := v.Attr(`input[type="file"]`, "data-phx-upload-ref")
	if err != nil {
		t.Fatal(err)
	}
	entries := make([]map[string]any, n)
	quotaRefs.Lock()
	for i := range entries {
		quotaRefs.n++
		ref := fmt.Sprint(quotaRefs.n)
		refs = append(refs, ref)
		entries[i] = map[string]any{"ref": ref, "name": "f" + ref + ".bin", "type": "application/octet-stream", "size": size, "last_modified": 1}
	}
	quotaRefs.Unlock()
	r, err := v.Conn().Call(v.JoinRef(), v.Topic(), "allow_upload", map[string]any{"ref": cfgRef, "entries": entries})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "ok" {
		t.Fatalf("allow_upload: %s %s", r.Status, r.Response)
	}
	var resp struct {
		Entries map[string]string `json:"entries"`
		Error   [][2]string       `json:"error"`
		Diff    json.RawMessage   `json:"diff"`
	}
	if err := json.Unmarshal(r.Response, &resp); err != nil {
		t.Fatalf("allow_upload reply %s: %v", r.Response, err)
	}
	return refs, resp.Entries, resp.Error, string(resp.Diff)
}

// wantAdmitted fails unless every ref got a token and no error.
func wantAdmitted(t *testing.T, what string, refs []string, tokens map[string]string, errs [][2]string) {
	t.Helper()
	if len(errs) > 0 || len(tokens) != len(refs) {
		t.Fatalf("%s: got %d tokens for %d files and errors %v, want every file admitted", what, len(tokens), len(refs), errs)
	}
}

// wantRefused fails unless every ref was refused with quota_exceeded.
func wantRefused(t *testing.T, what string, refs []string, tokens map[string]string, errs [][2]string) {
	t.Helper()
	if len(tokens) > 0 {
		t.Fatalf("%s: got tokens %v, want the files refused", what, tokens)
	}
	got := map[string]string{}
	for _, e := range errs {
		got[e[0]] = e[1]
	}
	for _, ref := range refs {
		if got[ref] != liveview.UploadQuotaExceeded {
			t.Fatalf("%s: entry %s: errors %v, want %s for every file", what, ref, errs, liveview.UploadQuotaExceeded)
		}
	}
}

// waitUsage waits until the server holds the given upload entries and bytes.
func waitUsage(t *testing.T, srv *liveview.Server, entries int, bytes int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		e, b := liveview.UploadUsage(srv)
		if e == entries && b == bytes {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for the server to hold %d upload entries and %d bytes: it holds %d and %d", entries, bytes, e, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestUploadQuotaRefusesTheFlood is the attack of issue #10: 100 views on
// one connection, each asking for 6 entries of 25 MB. With the default
// quotas the first view's 150 MiB fit in 256 MiB; every later preflight is
// refused, the page shows why, and the log names the limit.
func TestUploadQuotaRefusesTheFlood(t *testing.T) {
	srv, ts, logs := newQuotaServer(t, liveview.Config{})
	c, err := ts.Connect("/q")
	if err != nil {
		t.Fatal(err)
	}
	const size = 25 << 20
	var views []*liveviewtest.View
	var lastRefused []string
	for i := range 100 {
		v, err := c.Mount("/q")
		if err != nil {
			t.Fatalf("view %d: %v", i, err)
		}
		views = append(views, v)
		refs, tokens, errs, diff := preflightReply(t, v, 6, size)
		if i == 0 {
			wantAdmitted(t, "the first view", refs, tokens, errs)
			continue
		}
		wantRefused(t, fmt.Sprintf("view %d", i), refs, tokens, errs)
		lastRefused = refs
		if i == 1 && !strings.Contains(diff, "errors="+liveview.UploadQuotaExceeded) {
			t.Errorf("the refusal's diff does not render the entries' error: %s", diff)
		}
	}
	if e, b := liveview.UploadUsage(srv); e != 6 || b != 6*size {
		t.Errorf("the server holds %d entries and %d bytes admitted, want 6 and %d", e, b, 6*size)
	}
	if l := logs.String(); !strings.Contains(l, "limit=Config.MaxUploadBytesPerConn") || !strings.Contains(l, fmt.Sprintf("max=%d", 256<<20)) {
		t.Errorf("no log line names the limit; the log:\n%.2000s", l)
	}
	// Leaving the first view gives its share back: the next view fits.
	if err := views[0].Leave(); err != nil {
		t.Fatal(err)
	}
	waitUsage(t, srv, 0, 0)
	// views[99] holds its refused entries: cancel them first, as a page would.
	if err := views[99].ClickEvent("cancel", map[string]any{"refs": strings.Join(lastRefused, ",")}); err != nil {
		t.Fatal(err)
	}
	refs, tokens, errs := preflight(t, views[99], 6, size)
	wantAdmitted(t, "after the first view left", refs, tokens, errs)
	c.Close()
	waitUsage(t, srv, 0, 0)
}

// TestUploadQuotaComesBack frees admitted entries every way they end
// (cancelled, consumed, failed, their view left, their connection closed),
// many times over: each time the quota comes back whole, and at the end the
// server holds nothing.
func TestUploadQuotaComesBack(t *testing.T) {
	srv, ts, _ := newQuotaServer(t, liveview.Config{MaxUploadEntriesPerConn: 2, MaxUploadBytesPerConn: 100})
	c, err := ts.Connect("/q")
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Mount("/q")
	if err != nil {
		t.Fatal(err)
	}
	// fill takes the whole quota, and checks that one more entry, however
	// small, is refused.
	fill := func(what string) []string {
		t.Helper()
		refs, tokens, errs := preflight(t, v, 2, 50)
		wantAdmitted(t, what, refs, tokens, errs)
		if e, b := liveview.UploadUsage(srv); e != 2 || b != 100 {
			t.Fatalf("%s: the server holds %d entries and %d bytes, want 2 and 100", what, e, b)
		}
		more, tokens, errs := preflight(t, v, 1, 0)
		wantRefused(t, what+": a third entry", more, tokens, errs)
		return append(refs, more...)
	}
	for cycle := range 10 {
		// Cancelled.
		refs := fill(fmt.Sprintf("cycle %d, cancel", cycle))
		if err := v.ClickEvent("cancel", map[string]any{"refs": strings.Join(refs, ",")}); err != nil {
			t.Fatal(err)
		}
		waitUsage(t, srv, 0, 0)

		// Consumed, after a real upload through the test client.
		u, err := v.ChooseFiles(`input[type="file"]`,
			liveviewtest.File{Name: "a.txt", Type: "text/plain", Content: []byte(strings.Repeat("a", 50))},
			liveviewtest.File{Name: "b.txt", Type: "text/plain", Content: []byte(strings.Repeat("b", 50))})
		if err != nil {
			t.Fatal(err)
		}
		if err := u.Upload(); err != nil {
			t.Fatal(err)
		}
		if len(u.Errors) > 0 {
			t.Fatalf("cycle %d: the upload was refused: %v", cycle, u.Errors)
		}
		if e, b := liveview.UploadUsage(srv); e != 2 || b != 100 {
			t.Fatalf("cycle %d: after uploading, the server holds %d entries and %d bytes, want 2 and 100 until consumed", cycle, e, b)
		}
		if err := v.SubmitEvent("save", nil); err != nil {
			t.Fatal(err)
		}
		waitUsage(t, srv, 0, 0)

		// Failed: the client sends more than it declared.
		refs, tokens, errs := preflight(t, v, 1, 10)
		wantAdmitted(t, fmt.Sprintf("cycle %d, fail", cycle), refs, tokens, errs)
		jr := c.NewRef()
		r, err := c.Call(jr, "lvu:"+refs[0], "phx_join", map[string]any{"token": tokens[refs[0]]})
		if err != nil || r.Status != "ok" {
			t.Fatalf("cycle %d: joining the upload channel: %v %s", cycle, err, r.Response)
		}
		frame, err := protocol.AppendBinary(nil, protocol.Message{JoinRef: jr, Ref: c.NewRef(), Topic: "lvu:" + refs[0], Event: "chunk", Binary: make([]byte, 11)})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SendBinary(frame); err != nil {
			t.Fatal(err)
		}
		waitUsage(t, srv, 0, 0)
		if err := v.ClickEvent("cancel", map[string]any{"refs": refs[0]}); err != nil {
			t.Fatal(err)
		}

		// The view left: a new one mounts in its place.
		fill(fmt.Sprintf("cycle %d, leave", cycle))
		if err := v.Leave(); err != nil {
			t.Fatal(err)
		}
		waitUsage(t, srv, 0, 0)
		if v, err = c.Mount("/q"); err != nil {
			t.Fatal(err)
		}

		// The connection closed: a new one opens.
		fill(fmt.Sprintf("cycle %d, close", cycle))
		c.Close()
		waitUsage(t, srv, 0, 0)
		if c, err = ts.Connect("/q"); err != nil {
			t.Fatal(err)
		}
		if v, err = c.Mount("/q"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUploadQuotaPerServer: connections share MaxUploadBytes. What one
// holds, another cannot get until it is freed.
func TestUploadQuotaPerServer(t *testing.T) {
	srv, ts, logs := newQuotaServer(t, liveview.Config{MaxUploadBytes: 150})
	var views [2]*liveviewtest.View
	for i := range views {
		c, err := ts.Connect("/q")
		if err != nil {
			t.Fatal(err)
		}
		if views[i], err = c.Mount("/q"); err != nil {
			t.Fatal(err)
		}
	}
	held, tokens, errs := preflight(t, views[0], 1, 100)
	wantAdmitted(t, "the first connection", held, tokens, errs)
	refs, tokens, errs := preflight(t, views[1], 1, 100)
	wantRefused(t, "the second connection", refs, tokens, errs)
	if l := logs.String(); !strings.Contains(l, "limit=Config.MaxUploadBytes ") || !strings.Contains(l, "max=150") {
		t.Errorf("no log line names the limit; the log:\n%.2000s", l)
	}
	if err := views[0].ClickEvent("cancel", map[string]any{"refs": held[0]}); err != nil {
		t.Fatal(err)
	}
	if err := views[1].ClickEvent("cancel", map[string]any{"refs": refs[0]}); err != nil {
		t.Fatal(err)
	}
	refs, tokens, errs = preflight(t, views[1], 1, 100)
	wantAdmitted(t, "the second connection, once the first cancelled", refs, tokens, errs)
	views[1].Conn().Close()
	waitUsage(t, srv, 0, 0)
}

// TestListedFilesPerConnection: files a client lists cost memory even when
// never admitted (their names are kept and rendered), so one connection's
// views together track at most 1000: a second view listing 1000 more is
// refused, and leaving the first gives them back.
func TestListedFilesPerConnection(t *testing.T) {
	_, ts, _ := newQuotaServer(t, liveview.Config{})
	c, err := ts.Connect("/q")
	if err != nil {
		t.Fatal(err)
	}
	list := func(v *liveviewtest.View) liveviewtest.Reply {
		t.Helper()
		cfgRef, err := v.Attr(`input[type="file"]`, "data-phx-upload-ref")
		if err != nil {
			t.Fatal(err)
		}
		entries := make([]map[string]any, 1000)
		quotaRefs.Lock()
		for i := range entries {
			quotaRefs.n++
			entries[i] = map[string]any{"ref": fmt.Sprint(quotaRefs.n), "name": strings.Repeat("n", 100), "type": "text/plain", "size": 1, "last_modified": 1}
		}
		quotaRefs.Unlock()
		r, err := v.Conn().Call(v.JoinRef(), v.Topic(), "allow_upload", map[string]any{"ref": cfgRef, "entries": entries})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for cycle := range 3 {
		first, err := c.Mount("/q")
		if err != nil {
			t.Fatal(err)
		}
		// Too many files for the upload's MaxEntries: refused, but listed.
		if r := list(first); r.Status != "ok" || !strings.Contains(string(r.Response), liveview.UploadTooManyFiles) {
			t.Fatalf("cycle %d: 1000 files on the first view: %s %s, want ok with %s", cycle, r.Status, r.Response, liveview.UploadTooManyFiles)
		}
		second, err := c.Mount("/q")
		if err != nil {
			t.Fatal(err)
		}
		if r := list(second); r.Status != "error" || !strings.Contains(string(r.Response), "more than 1000 files") {
			t.Fatalf("cycle %d: 1000 more files on a second view: %s %s, want an error naming the bound", cycle, r.Status, r.Response)
		}
		if err := first.Leave(); err != nil {
			t.Fatal(err)
		}
		if r := list(second); r.Status != "ok" {
			t.Fatalf("cycle %d: the second view, once the first left: %s %s", cycle, r.Status, r.Response)
		}
		if err := second.Leave(); err != nil {
			t.Fatal(err)
		}
	}
}

// unusedTokenView is quotaView with a short ChunkTimeout.
type unusedTokenView struct{ quotaView }

func (unusedTokenView) Mount(s *liveview.Socket[quotaState], _ liveview.Params) error {
	return s.AllowUpload("doc", liveview.UploadOptions{MaxEntries: 6, MaxFileSize: 25 << 20, ChunkTimeout: 50 * time.Millisecond})
}

// TestUnusedUploadTokenGivesItsQuotaBack: a client that takes tokens and
// never joins their channels cannot hold the quota for the life of its
// view. Each entry fails with "timeout" after ChunkTimeout, the bytes come
// back, and the log says the token was not used.
func TestUnusedUploadTokenGivesItsQuotaBack(t *testing.T) {
	srv, ts, logs := newQuotaServer(t, liveview.Config{MaxUploadBytesPerConn: 100})
	srv.Handle("/unused", liveview.View[quotaState](unusedTokenView{}))
	c, err := ts.Connect("/unused")
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Mount("/unused")
	if err != nil {
		t.Fatal(err)
	}
	refs, tokens, errs := preflight(t, v, 2, 50)
	wantAdmitted(t, "two files", refs, tokens, errs)
	waitUsage(t, srv, 0, 0)
	for _, ref := range refs {
		want := fmt.Sprintf("[%s errors=%s]", ref, liveview.UploadTimeout)
		if err := v.AwaitHTML(want); err != nil {
			t.Fatalf("waiting for the page to show %s: %v", want, err)
		}
	}
	if !strings.Contains(logs.String(), "its token was not used") {
		t.Fatalf("the log does not say why the uploads ended:\n%s", logs.String())
	}
	// The quota is whole again: once the failed entries are cancelled, as
	// the page's cancel buttons would, the same view can take it all.
	if err := v.ClickEvent("cancel", map[string]any{"refs": strings.Join(refs, ",")}); err != nil {
		t.Fatal(err)
	}
	refs, tokens, errs = preflight(t, v, 2, 50)
	wantAdmitted(t, "two more files", refs, tokens, errs)
}

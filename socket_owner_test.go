package liveview_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/internal/testsupport"
	"github.com/liveview-go/liveview/liveviewtest"
	"github.com/liveview-go/liveview/render"
)

// ownerState is the state of ownerView; Log lists the callbacks that used
// the socket, in order.
type ownerState struct {
	Log  []string
	Info int
}

// ownerView uses its socket from every kind of callback, and hands the test
// a socket and a goroutine it started in Mount, to see how the socket
// behaves once no callback runs.
type ownerView struct {
	// sockets receives the socket of each Mount whose Connected() equals
	// connected.
	sockets   chan<- *liveview.Socket[ownerState]
	connected bool
	// release starts the goroutine that Mount started; it reports what its
	// Assign panicked with to late ("" for no panic).
	release <-chan struct{}
	late    chan<- string
	// unmounted receives what using the socket in Unmount panicked with.
	unmounted chan<- string
}

var ownerTmpl = render.Must(render.Parse(`<p id="log">{{range .Log}}{{.}} {{end}}</p><p id="info">{{.Info}}</p>`))

func logCallback(name string) func(*ownerState) {
	return func(st *ownerState) { st.Log = append(st.Log, name) }
}

func (v ownerView) Mount(s *liveview.Socket[ownerState], _ liveview.Params) error {
	if s.Value("hook") != "ran" {
		return fmt.Errorf("the hook's Put did not reach Mount: %v", s.Value("hook"))
	}
	s.Assign(logCallback("mount"))
	s.PageTitle("owner")
	s.TempAssign(func(*ownerState) {})
	_ = s.Context()
	if s.Connected() != v.connected {
		return nil
	}
	if v.sockets != nil {
		v.sockets <- s
	}
	if v.release != nil {
		go func() {
			<-v.release
			v.late <- testsupport.PanicOf(func() { s.Assign(logCallback("late")) })
		}()
	}
	if s.Connected() {
		// The right way for a goroutine: a message for HandleInfo.
		go s.SendInfo(1)
		var ticks atomic.Int32
		var stop func()
		stop = s.Repeat(time.Millisecond, func(s *liveview.Socket[ownerState]) error {
			if ticks.Add(1) == 1 {
				s.Assign(logCallback("repeat"))
				stop()
			}
			return nil
		})
	}
	return nil
}

func (ownerView) HandleParams(s *liveview.Socket[ownerState], _ liveview.Params, _ *url.URL) error {
	s.Assign(logCallback("params"))
	return nil
}

func (ownerView) HandleEvent(s *liveview.Socket[ownerState], e liveview.Event) error {
	s.Assign(logCallback("event"))
	s.PushEvent("pushed", nil)
	s.PutFlash("info", "hi")
	s.ClearFlash("info")
	return nil
}

func (ownerView) HandleInfo(s *liveview.Socket[ownerState], msg any) error {
	n := msg.(int)
	s.Assign(func(st *ownerState) { st.Info += n })
	return nil
}

func (v ownerView) Unmount(s *liveview.Socket[ownerState]) {
	if v.unmounted != nil {
		v.unmounted <- testsupport.PanicOf(func() { _ = s.Context() })
	}
}

func (ownerView) Render(st ownerState) (*render.Rendered, error) { return ownerTmpl.Execute(st) }

func ownerServer(t *testing.T, v ownerView) *liveview.Server {
	t.Helper()
	srv, _ := testsupport.NewLogged(t, liveview.Config{})
	srv.LiveSession("owner", func(m *liveview.MountContext) error {
		m.Put("hook", "ran")
		return nil
	}).Handle("/owner", liveview.View[ownerState](v))
	return srv
}

// checkOutsidePanic checks the message of a socket method called while no
// callback of its view runs: it names the method and the way to do it.
func checkOutsidePanic(t *testing.T, method, got string) {
	t.Helper()
	if got == "" {
		t.Errorf("%s outside the view's callbacks did not panic", method)
		return
	}
	for _, want := range []string{"liveview: " + method + " called outside the view's callbacks", "SendInfo", "HandleInfo"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s outside the view's callbacks panicked with %q, want it to contain %q", method, got, want)
		}
	}
}

// TestSocketUsableInEveryCallback uses the socket from an OnMount hook,
// Mount (HTTP and connected), HandleParams, HandleEvent, HandleInfo, a
// Repeat function and Unmount: none of them panics.
func TestSocketUsableInEveryCallback(t *testing.T) {
	unmounted := make(chan string, 1)
	srv := ownerServer(t, ownerView{connected: true, unmounted: unmounted})
	v := liveviewtest.Mount(t, srv, "/owner")
	if !strings.Contains(v.DeadHTML(), "mount params") {
		t.Errorf("HTTP render: %s", v.DeadHTML())
	}
	if err := v.AwaitHTML(`<p id="info">1</p>`); err != nil {
		t.Fatalf("HandleInfo of SendInfo from a goroutine: %v\n%s", err, v.HTML())
	}
	if err := v.AwaitHTML("repeat"); err != nil {
		t.Fatalf("Repeat: %v\n%s", err, v.HTML())
	}
	if err := v.ClickEvent("go", nil); err != nil {
		t.Fatalf("HandleEvent: %v", err)
	}
	if err := v.AwaitHTML("event"); err != nil {
		t.Fatalf("HandleEvent: %v\n%s", err, v.HTML())
	}
	if err := v.Leave(); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-unmounted:
		if got != "" {
			t.Errorf("Unmount: the socket panicked: %s", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("waited 30 s for Unmount after the view left")
	}
}

// TestAssignFromGoroutineAfterHTTPRenderPanics: a goroutine started in the
// HTTP render's Mount that calls Assign once the page is served panics,
// naming SendInfo, instead of changing a state nobody will render.
func TestAssignFromGoroutineAfterHTTPRenderPanics(t *testing.T) {
	release := make(chan struct{})
	late := make(chan string, 1)
	srv := ownerServer(t, ownerView{connected: false, release: release, late: late})
	ts := liveviewtest.NewServer(t, srv)
	if _, err := ts.Get("/owner"); err != nil {
		t.Fatal(err)
	}
	close(release)
	select {
	case got := <-late:
		checkOutsidePanic(t, "Socket.Assign", got)
	case <-time.After(30 * time.Second):
		t.Fatal("waited 30 s for the goroutine's Assign")
	}
}

// TestAssignFromGoroutineAfterViewEndedPanics: the same for a goroutine
// started by the connected Mount, calling Assign after the view ended.
func TestAssignFromGoroutineAfterViewEndedPanics(t *testing.T) {
	release := make(chan struct{})
	late := make(chan string, 1)
	srv := ownerServer(t, ownerView{connected: true, release: release, late: late})
	v := liveviewtest.Mount(t, srv, "/owner")
	if err := v.AwaitHTML("mount params"); err != nil {
		t.Fatal(err)
	}
	// Close returns once every view has ended: no callback runs.
	srv.Close()
	close(release)
	select {
	case got := <-late:
		checkOutsidePanic(t, "Socket.Assign", got)
	case <-time.After(30 * time.Second):
		t.Fatal("waited 30 s for the goroutine's Assign")
	}
}

// TestSocketMethodsOutsideCallbacksPanic calls every socket method that
// needs a running callback from the test's goroutine once the view has
// ended: each panics, naming itself and SendInfo. SendInfo, ID and
// Connected stay usable.
func TestSocketMethodsOutsideCallbacksPanic(t *testing.T) {
	sockets := make(chan *liveview.Socket[ownerState], 1)
	srv := ownerServer(t, ownerView{connected: true, sockets: sockets})
	liveviewtest.Mount(t, srv, "/owner")
	var s *liveview.Socket[ownerState]
	select {
	case s = <-sockets:
	case <-time.After(30 * time.Second):
		t.Fatal("waited 30 s for the connected Mount")
	}
	srv.Close()

	topic := liveview.NewTopic[int]("owner")
	for _, tc := range []struct {
		method string
		call   func()
	}{
		{"Socket.Assign", func() { s.Assign(logCallback("x")) }},
		{"Socket.TempAssign", func() { s.TempAssign(logCallback("x")) }},
		{"Socket.Context", func() { s.Context() }},
		{"Socket.Repeat", func() { s.Repeat(time.Hour, nil) }},
		{"Socket.PageTitle", func() { s.PageTitle("x") }},
		{"Socket.PushEvent", func() { s.PushEvent("x", nil) }},
		{"Socket.Reply", func() { s.Reply(nil) }},
		{"Socket.PutFlash", func() { s.PutFlash("info", "x") }},
		{"Socket.ClearFlash", func() { s.ClearFlash("") }},
		{"Socket.Flash", func() { s.Flash("info") }},
		{"Socket.PushPatch", func() { s.PushPatch("/owner", nil, false) }},
		{"Socket.PushRedirect", func() { s.PushRedirect("/owner", nil, false) }},
		{"Socket.Redirect", func() { s.Redirect("/owner") }},
		{"Socket.RedirectExternal", func() { s.RedirectExternal("https://example.com/") }},
		{"Socket.Value", func() { s.Value("hook") }},
		{"Socket.Subscribe", func() { _ = s.Subscribe(topic) }},
		{"Socket.Unsubscribe", func() { s.Unsubscribe(topic) }},
		{"Socket.AllowUpload", func() { _ = s.AllowUpload("x", liveview.UploadOptions{}) }},
		{"Socket.CancelUpload", func() { _ = s.CancelUpload("x", "0") }},
		{"Socket.UploadedEntries", func() { s.UploadedEntries("x") }},
		{"Socket.ConsumeUploadedEntries", func() { _ = s.ConsumeUploadedEntries("x", nil) }},
	} {
		checkOutsidePanic(t, tc.method, testsupport.PanicOf(tc.call))
	}
	for name, call := range map[string]func(){
		"SendInfo":  func() { s.SendInfo(1) },
		"ID":        func() { s.ID() },
		"Connected": func() { s.Connected() },
	} {
		if got := testsupport.PanicOf(call); got != "" {
			t.Errorf("%s outside the view's callbacks panicked: %s", name, got)
		}
	}
}

// uploadOwnerState is the state of uploadOwnerView.
type uploadOwnerState struct {
	Uploads liveview.Uploads
	Got     string
	Reports int
}

// uploadOwnerView consumes its upload from the Progress callback, which
// captures the socket of Mount: the callback runs on the view's queue, so
// the socket is usable there.
type uploadOwnerView struct{}

var uploadOwnerTmpl = render.Must(render.Parse(`<form id="f" phx-change="validate">{{.Uploads.Input "doc"}}</form><p id="got">{{.Got}}</p><p id="reports">{{.Reports}}</p>`))

func (uploadOwnerView) Mount(s *liveview.Socket[uploadOwnerState], _ liveview.Params) error {
	return s.AllowUpload("doc", liveview.UploadOptions{
		AutoUpload: true,
		Progress: func(e liveview.UploadEntry) error {
			s.Assign(func(st *uploadOwnerState) { st.Reports++ })
			if !e.Done {
				return nil
			}
			return s.ConsumeUploadedEntries("doc", func(e liveview.UploadEntry, f liveview.UploadedFile) error {
				s.Assign(func(st *uploadOwnerState) { st.Got = e.Name })
				return nil
			})
		},
	})
}

func (uploadOwnerView) HandleEvent(*liveview.Socket[uploadOwnerState], liveview.Event) error {
	return nil
}

func (uploadOwnerView) Render(st uploadOwnerState) (*render.Rendered, error) {
	return uploadOwnerTmpl.Execute(st)
}

// TestSocketUsableInUploadProgress: an upload's Progress callback counts as
// one of the view's callbacks.
func TestSocketUsableInUploadProgress(t *testing.T) {
	srv, _ := testsupport.NewLogged(t, liveview.Config{UploadDir: t.TempDir()})
	srv.Handle("/up", liveview.View[uploadOwnerState](uploadOwnerView{}))
	v := liveviewtest.Mount(t, srv, "/up")
	u, err := v.ChooseFiles(`input[type="file"]`, liveviewtest.File{Name: "a.txt", Type: "text/plain", Content: []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Upload(); err != nil {
		t.Fatal(err)
	}
	if err := v.AwaitHTML(`<p id="got">a.txt</p>`); err != nil {
		t.Fatalf("the Progress callback did not consume the entry: %v\n%s", err, v.HTML())
	}
	if v.Crashed() {
		t.Fatal("the view crashed")
	}
}

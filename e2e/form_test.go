package e2e

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/e2e/internal/browsertest"
	signupexample "github.com/liveview-go/liveview/examples/signup"
)

// shown is a JS expression: the error text shown with the input whose id
// is given ("" when none).
func shown(id string) string {
	return `((document.querySelector("#` + id + `-field .ui-error") || {}).textContent || "")`
}

// Live validation in the browser, with the official client's _unused_
// keys: typing into one field shows its errors only; a submit shows every
// field's.
func TestFormLiveValidationInBrowser(t *testing.T) { eachTransport(t, testFormLiveValidationInBrowser) }

func testFormLiveValidationInBrowser(t *testing.T, opts ...browsertest.Option) {
	_, hs := newApp(t, liveview.Config{}, func(s *liveview.Server) { signupexample.Register(s, "/signup") })
	p := browsertest.New(t, opts...)
	p.Navigate(hs.URL + "/signup")
	p.WaitConnected()

	p.SendKeys("#account_email", "gopher")
	p.WaitTrue(shown("account_email") + ` === "must be a valid email address" && document.querySelector("#account_email").value === "gopher"`)
	// The same render checked every field: the untouched ones show nothing.
	p.WaitTrue(shown("account_username") + ` === "" && ` + shown("account_password") + ` === "" && ` +
		shown("account_address_city") + ` === "" && ` + shown("account_terms") + ` === ""`)

	p.SendKeys("#account_email", "@example.com")
	p.WaitTrue(shown("account_email") + ` === ""`)
	p.SendKeys("#account_password", "short")
	p.WaitTrue(shown("account_password") + ` === "should be at least 8 character(s)"`)

	// A row added from the server starts untouched; typing shows its error.
	p.Click("#add-phone")
	p.WaitVisible("#account_phones_0_number")
	p.WaitTrue(`document.querySelector("#account_phones_0 .phone-error") === null`)
	p.SendKeys("#account_phones_0_number", "12")
	p.WaitText("#account_phones_0 .phone-error", "is not a phone number")

	// A submit uses every field.
	p.Click("#save")
	p.WaitTrue(shown("account_username") + ` === "can't be blank" && ` + shown("account_address_city") + ` === "can't be blank" && ` +
		shown("account_terms") + ` === "must be accepted"`)
	// and what was typed stays
	p.WaitTrue(`document.querySelector("#account_email").value === "gopher@example.com" && document.querySelector("#account_phones_0_number").value === "12"`)
	p.NoErrors()
}

// formNode is one run of a server with the sign-up view.
type formNode struct {
	lv *liveview.Server
	hs *http.Server
}

func startFormNode(t *testing.T, ln net.Listener) *formNode {
	t.Helper()
	n := &formNode{lv: liveview.NewServer(liveview.Config{SigningKey: testKey})}
	signupexample.Register(n.lv, "/signup")
	n.hs = &http.Server{Handler: n.lv, ReadHeaderTimeout: 10 * time.Second}
	go n.hs.Serve(ln)
	t.Cleanup(func() { n.stop(t) })
	return n
}

func (n *formNode) stop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.hs.Shutdown(ctx); err != nil {
		t.Errorf("http.Server.Shutdown: %v", err)
	}
	if err := n.lv.Shutdown(ctx); err != nil {
		t.Errorf("liveview Shutdown: %v", err)
	}
}

// Form recovery (protocol note §5.5): the server is stopped mid-edit and
// another started on the same port, with no state of the first. The client
// rejoins and sends the form's values as a phx-change before showing the
// new render: what the user typed, before and during the outage, comes back
// with its errors, and the fields left untouched still show none.
func TestFormRecoveryAfterServerRestartInBrowser(t *testing.T) {
	eachTransport(t, testFormRecoveryAfterServerRestartInBrowser)
}

func testFormRecoveryAfterServerRestartInBrowser(t *testing.T, opts ...browsertest.Option) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	first := startFormNode(t, ln)

	p := browsertest.New(t, opts...)
	p.Navigate("http://" + addr + "/signup")
	p.WaitConnected()
	p.Eval(`window.__sameDocument = true`, nil)
	p.SendKeys("#account_username", "ada")
	p.SendKeys("#account_email", "ada@")
	p.WaitTrue(shown("account_email") + ` === "must be a valid email address"`)
	p.Click("#add-phone")
	p.WaitVisible("#account_phones_0_number")
	p.SendKeys("#account_phones_0_number", "555 0100")
	p.SendKeys("#account_address_zip", "12")
	p.WaitTrue(shown("account_address_zip") + ` === "should be 5 digits"`)

	first.stop(t)
	p.WaitTrue(`!window.liveSocket.isConnected()`)
	// The user goes on typing while no server answers.
	p.SendKeys("#account_password", "lettersonly")

	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening again on %s: %v", addr, err)
	}
	startFormNode(t, ln)
	p.WaitConnected()

	// A fresh mount renders an empty form without errors; only the
	// recovery event brings these back.
	p.WaitTrue(shown("account_email") + ` === "must be a valid email address" && ` +
		shown("account_address_zip") + ` === "should be 5 digits" && ` +
		shown("account_password") + ` === "needs a letter and a digit"`)
	for id, want := range map[string]string{
		"account_username": "ada", "account_email": "ada@", "account_password": "lettersonly",
		"account_address_zip": "12", "account_phones_0_number": "555 0100",
	} {
		p.WaitTrue(`(document.querySelector("#` + id + `") || {}).value === "` + want + `"`)
	}
	p.WaitTrue(shown("account_username") + ` === "" && ` + shown("account_address_city") + ` === "" && ` + shown("account_terms") + ` === ""`)
	var same bool
	p.Eval(`window.__sameDocument === true`, &same)
	if !same {
		t.Error("the page reloaded, want a rejoin in the same document")
	}
	// The recovered form is live on the new server.
	p.SendKeys("#account_email", "example.com")
	p.WaitTrue(shown("account_email") + ` === ""`)
	onlyRefusedConnections(t, p)
}

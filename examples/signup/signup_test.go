package signup_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
	"github.com/liveview-go/liveview/examples/signup"
	"github.com/liveview-go/liveview/liveviewtest"
)

func mount(t *testing.T, users *signup.Users) *liveviewtest.View {
	t.Helper()
	srv := liveview.NewServer(liveview.Config{})
	t.Cleanup(func() { srv.Close() })
	srv.Handle("/signup", liveview.View[signup.State](signup.View{Users: users}))
	return liveviewtest.Mount(t, srv, "/signup")
}

// errorsOf returns the error texts shown with the input whose id is id.
func errorsOf(t *testing.T, v *liveviewtest.View, id string) string {
	t.Helper()
	if !v.Has("#" + id + "-field #" + id) {
		t.Fatalf("no input #%s in its #%s-field:\n%s", id, id, v.HTML())
	}
	if !v.Has("#" + id + "-field .ui-error") {
		return ""
	}
	got, err := v.Text("#" + id + "-field .ui-error")
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestLiveValidationShowsErrorsOfTouchedFieldsOnly(t *testing.T) {
	v := mount(t, &signup.Users{})
	if err := v.Change("#signup", url.Values{"account[email]": {"gopher"}}, "account[email]"); err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(t, v, "account_email"); got != "must be a valid email address" {
		t.Errorf("email error %q", got)
	}
	for _, id := range []string{"account_username", "account_password", "account_address_city", "account_terms"} {
		if got := errorsOf(t, v, id); got != "" {
			t.Errorf("untouched %s shows %q", id, got)
		}
	}
	if got, _ := v.Attr("#account_email", "value"); got != "gopher" {
		t.Errorf("email input shows %q, want what was typed", got)
	}
	// The next field: both touched now.
	if err := v.Change("#signup", url.Values{"account[password]": {"short"}}, "account[password]"); err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(t, v, "account_password"); got != "should be at least 8 character(s)" {
		t.Errorf("password error %q", got)
	}
	if got := errorsOf(t, v, "account_email"); got == "" {
		t.Error("the email error went away while email is still wrong")
	}
	if err := v.Change("#signup", url.Values{"account[password]": {"longenough"}}, "account[password]"); err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(t, v, "account_password"); got != "needs a letter and a digit" {
		t.Errorf("password error %q", got)
	}
	// A nested field.
	if err := v.Change("#signup", url.Values{"account[address][zip]": {"12a"}}, "account[address][zip]"); err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(t, v, "account_address_zip"); got != "should be 5 digits" {
		t.Errorf("zip error %q", got)
	}
	if got := errorsOf(t, v, "account_address_city"); got != "" {
		t.Errorf("untouched city shows %q", got)
	}
}

func TestUsernameTaken(t *testing.T) {
	users := &signup.Users{}
	users.Add("gopher")
	v := mount(t, users)
	if err := v.Change("#signup", url.Values{"account[username]": {"Gopher"}}, "account[username]"); err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(t, v, "account_username"); got != "is already taken" {
		t.Errorf("username error %q", got)
	}
	if err := v.Change("#signup", url.Values{"account[username]": {"go"}}, "account[username]"); err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(t, v, "account_username"); !strings.HasPrefix(got, "use 3 to 20") {
		t.Errorf("username error %q", got)
	}
}

func TestPhoneRowsAddAndRemove(t *testing.T) {
	v := mount(t, &signup.Users{})
	for i := 0; i < 3; i++ {
		if err := v.Click("#add-phone"); err != nil {
			t.Fatal(err)
		}
	}
	if !v.Has("#account_phones_2_number") || v.Has("#account_phones_3") {
		t.Fatalf("after three adds:\n%s", v.HTML())
	}
	// A fresh row is untouched: no error though its number is empty.
	if v.Has(".phone-error") {
		t.Errorf("an untouched row shows an error:\n%s", v.HTML())
	}
	if err := v.Change("#signup", url.Values{"account[phones][0][number]": {"111 111"}, "account[phones][1][number]": {"12"},
		"account[phones][2][number]": {"333 333"}}, "account[phones][2][number]"); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Text("#account_phones_1 .phone-error"); got != "is not a phone number" {
		t.Errorf("row 1 error %q", got)
	}
	// Remove the bad row: the others keep what was typed, renumbered.
	if err := v.Click("#account_phones_1 .remove"); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"#account_phones_0_number": "111 111", "#account_phones_1_number": "333 333"} {
		if got, _ := v.Attr(id, "value"); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if v.Has("#account_phones_2") || v.Has(".phone-error") {
		t.Errorf("after removing the bad row:\n%s", v.HTML())
	}
	for i := 0; i < signup.MaxPhones+2; i++ {
		if err := v.Click("#add-phone"); err != nil {
			t.Fatal(err)
		}
	}
	if !v.Has("#account_phones_4") || v.Has("#account_phones_5") {
		t.Errorf("rows are not bounded by MaxPhones")
	}
}

func TestSubmitShowsEveryErrorThenSignsUp(t *testing.T) {
	users := &signup.Users{}
	v := mount(t, users)
	if err := v.Submit("#signup", url.Values{}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"account_username":     "can't be blank",
		"account_email":        "must be a valid email address",
		"account_password":     "should be at least 8 character(s)",
		"account_address_city": "can't be blank",
		"account_terms":        "must be accepted",
	} {
		if got := errorsOf(t, v, id); got != want {
			t.Errorf("after an empty submit, %s shows %q, want %q", id, got, want)
		}
	}
	good := url.Values{"account[username]": {"ada"}, "account[email]": {"ada@example.com"}, "account[password]": {"engine42"},
		"account[address][city]": {"London"}, "account[terms]": {"true"}}
	if err := v.Submit("#signup", good); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Text("#welcome"); !strings.HasPrefix(got, "Welcome, ada!") {
		t.Fatalf("after a good submit: %q\n%s", got, v.HTML())
	}
	if !users.Taken("ADA") {
		t.Error("the account was not added")
	}
	// The same name again is taken.
	if err := v.Submit("#signup", good); err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(t, v, "account_username"); got != "is already taken" {
		t.Errorf("second sign-up as ada: %q", got)
	}
}

// A hostile client's huge row index is refused by the decoder (bounded at
// form.MaxIndex): the view keeps running and renders no such row.
func TestHugeRowIndexIsRefused(t *testing.T) {
	v := mount(t, &signup.Users{})
	if err := v.ChangeEvent("validate", url.Values{"account[phones][999999999][number]": {"1"}, "account[phones][0][number]": {"555 0100"}}, "account[phones][0][number]"); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Attr("#account_phones_0_number", "value"); got != "555 0100" || v.Has("#account_phones_1") {
		t.Errorf("rows after a huge index:\n%s", v.HTML())
	}
	if err := v.Click("#add-phone"); err != nil {
		t.Fatalf("the view no longer answers: %v", err)
	}
	if !v.Has("#account_phones_1") {
		t.Errorf("no row added after the refused index:\n%s", v.HTML())
	}
}

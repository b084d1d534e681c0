package photos

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/liveview-go/liveview"
)

func TestDeadRender(t *testing.T) {
	srv := liveview.NewServer(liveview.Config{})
	Register(srv, "/photos")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/photos", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`type="file" name="photos" accept=".jpg,.jpeg,.png,.gif,.webp,image/*" data-phx-hook="Phoenix.LiveFileUpload"`,
		`data-phx-active-refs="" data-phx-done-refs="" data-phx-preflighted-refs="" data-phx-error-refs="" data-phx-auto-upload multiple>`,
		`phx-drop-target="phx-`,
		`<title`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("dead render lacks %s:\n%s", want, body)
		}
	}
}

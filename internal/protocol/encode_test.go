package protocol

import (
	"encoding/json"
	"testing"
)

// AppendReason writes valid JSON whose reason reads back as given, whatever
// the reason holds (quotes, markup, control characters, invalid UTF-8 is
// replaced as AppendJSONString does).
func TestAppendReason(t *testing.T) {
	for _, reason := range []string{"", "stale", `say "hi"`, "</script><x>", "line\nbreak\x00", "ünïcode"} {
		b := AppendReason([]byte("x"), reason)
		if b[0] != 'x' {
			t.Fatalf("AppendReason did not append to dst: %q", b)
		}
		var got struct {
			Reason *string `json:"reason"`
		}
		if err := json.Unmarshal(b[1:], &got); err != nil {
			t.Fatalf("AppendReason(%q) = %s: not JSON: %v", reason, b[1:], err)
		}
		if got.Reason == nil || *got.Reason != reason {
			t.Errorf("AppendReason(%q) = %s: reason reads back as %v", reason, b[1:], got.Reason)
		}
	}
}

package protocol

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Each outgoing payload is valid JSON of the shape the client reads
// (protocol §3 and §6), with every optional member left out when unset.
func TestOutgoingPayloads(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		{"live redirect", AppendRedirect(nil, Redirect{To: "/a?b=1", Live: true}), `{"to":"/a?b=1","kind":"push"}`},
		{"live redirect replace with flash", AppendRedirect(nil, Redirect{To: "/a", Live: true, Replace: true, Flash: "tok"}), `{"to":"/a","kind":"replace","flash":"tok"}`},
		{"redirect", AppendRedirect(nil, Redirect{To: "/login", Replace: true}), `{"to":"/login"}`},
		{"redirect reply", AppendRedirectReply(nil, Redirect{To: "/x", Flash: "f"}), `{"redirect":{"to":"/x","flash":"f"}}`},
		{"live redirect reply", AppendRedirectReply(nil, Redirect{To: "/x", Live: true}), `{"live_redirect":{"to":"/x","kind":"push"}}`},
		{"patch", AppendPatch(nil, `/q?s="x"`, true), `{"to":"/q?s=\"x\"","kind":"replace"}`},
		{"join reply", AppendJoinReply(nil, JoinReply{Rendered: []byte(`{"s":["a"]}`), Version: "1.2.12"}), `{"rendered":{"s":["a"]},"liveview_version":"1.2.12"}`},
		{"join reply patched", AppendJoinReply(nil, JoinReply{Rendered: []byte(`{}`), Version: "v", PatchTo: "/p?n=2"}), `{"rendered":{},"liveview_version":"v","live_patch":{"to":"/p?n=2","kind":"push"}}`},
		{"diff reply", AppendDiffReply(nil, []byte(`{"0":"1"}`)), `{"diff":{"0":"1"}}`},
		{"link redirect", AppendLinkRedirect(nil), `{"link_redirect":true}`},
		{"no cids", AppendCIDsDestroyed(nil, nil), `{"cids":[]}`},
		{"cids", AppendCIDsDestroyed(nil, []int{1, 22}), `{"cids":[1,22]}`},
		{"limit", AppendLimitError(nil, "file_size_limit_exceeded", 8000000), `{"reason":"file_size_limit_exceeded","limit":8000000}`},
		{"preflight", AppendPreflight(nil, Preflight{Ref: "phx-1", ChunkSize: 64000, ChunkTimeout: 10000, MaxEntries: 3, MaxFileSize: 8000000,
			Tokens: []EntryToken{{"0", "t0"}, {"1", "t1"}}}),
			`{"ref":"phx-1","config":{"chunk_size":64000,"chunk_timeout":10000,"max_entries":3,"max_file_size":8000000},"entries":{"0":"t0","1":"t1"},"errors":{}}`},
		{"preflight refused", AppendPreflight(nil, Preflight{Ref: "phx-1", Errors: []EntryError{{"phx-1", "too_many_files"}, {"0", "too_large"}}, Diff: []byte(`{"0":"x"}`)}),
			`{"ref":"phx-1","error":[["phx-1","too_many_files"],["0","too_large"]],"diff":{"0":"x"}}`},
		{"reason with", AppendReasonWith(nil, "join crashed", "dev_error", []byte(`{"m":1}`)), `{"reason":"join crashed","dev_error":{"m":1}}`},
	} {
		var got, want any
		if err := json.Unmarshal(tc.got, &got); err != nil {
			t.Errorf("%s: not JSON: %v: %s", tc.name, err, tc.got)
			continue
		}
		if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %s, want %s", tc.name, tc.got, tc.want)
		}
	}
	if got := (Redirect{Live: true}).Event(); got != "live_redirect" {
		t.Errorf("live Redirect.Event() = %q", got)
	}
	if got := (Redirect{}).Event(); got != "redirect" {
		t.Errorf("Redirect.Event() = %q", got)
	}
}

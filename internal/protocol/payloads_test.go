package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeJoin(t *testing.T) {
	j, err := DecodeJoin(json.RawMessage(`{
	  "url": "http://localhost:4123/",
	  "params": {"_csrf_token":"csrf-abc123","_track_static":["http://localhost:4123/assets/app.css"],
	             "_mounts":2,"_mount_attempts":0},
	  "session": "SESSION-TOKEN",
	  "static": "STATIC-TOKEN",
	  "sticky": false
	}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Join{
		URL: "http://localhost:4123/",
		Params: map[string]any{"_csrf_token": "csrf-abc123", "_track_static": []any{"http://localhost:4123/assets/app.css"},
			"_mounts": float64(2), "_mount_attempts": float64(0)},
		Session: "SESSION-TOKEN",
		Static:  "STATIC-TOKEN",
	}
	if !reflect.DeepEqual(j, want) {
		t.Errorf("got %#v\nwant %#v", j, want)
	}
	if j.Mounts() != 2 {
		t.Errorf("Mounts() = %d, want 2", j.Mounts())
	}

	j, err = DecodeJoin(json.RawMessage(`{"redirect":"http://h/b","params":{"_mounts":0,"_live_referer":"http://h/a"},"session":"S","static":null,"flash":"F","sticky":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if j.URL != "" || j.Redirect != "http://h/b" || j.Static != "" || j.Flash != "F" || !j.Sticky || j.Params["_live_referer"] != "http://h/a" {
		t.Errorf("navigation join: %#v", j)
	}

	j, err = DecodeJoin(json.RawMessage(`{"session":"S"}`))
	if err != nil || j.Params == nil || j.Mounts() != 0 {
		t.Errorf("child join: %#v, %v", j, err)
	}
	for _, bad := range []string{`{"_mounts":"3"}`, `{"_mounts":-1}`, `{"_mounts":1.5}`, `{}`} {
		var p map[string]any
		if err := json.Unmarshal([]byte(bad), &p); err != nil {
			t.Fatal(err)
		}
		if n := (Join{Params: p}).Mounts(); n != 0 {
			t.Errorf("Mounts() with params %s = %d, want 0", bad, n)
		}
	}

	for _, c := range []struct{ payload, want string }{
		{`[]`, "payload is not a JSON object"},
		{`{"url":1}`, "url must be a string or null"},
		{`{"params":[]}`, "params must be an object"},
		{`{"sticky":"yes"}`, "sticky must be a boolean"},
		{`{"session":"S"`, "unexpected end of JSON"},
	} {
		if _, err := DecodeJoin(json.RawMessage(c.payload)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "protocol: join payload: ") {
			t.Errorf("DecodeJoin(%s) error %v, want %q", c.payload, err, c.want)
		}
	}
}

func TestDecodeLivePatch(t *testing.T) {
	u, err := DecodeLivePatch(json.RawMessage(`{"url":"http://localhost:4123/?page=2"}`))
	if err != nil || u != "http://localhost:4123/?page=2" {
		t.Errorf("got %q, %v", u, err)
	}
	for _, c := range []struct{ payload, want string }{
		{`{}`, "no url"},
		{`{"url":""}`, "no url"},
		{`{"url":3}`, "url must be a string"},
		{`"x"`, "not a JSON object"},
	} {
		if _, err := DecodeLivePatch(json.RawMessage(c.payload)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "protocol: live_patch payload: ") {
			t.Errorf("DecodeLivePatch(%s) error %v, want %q", c.payload, err, c.want)
		}
	}
}

func TestDecodeAllowUpload(t *testing.T) {
	a, err := DecodeAllowUpload(json.RawMessage(`{"ref":"phx-upl1","entries":[
	  {"last_modified":1795393202304,"name":"hello.txt","size":12,"type":"text/plain","ref":"0"},
	  {"last_modified":null,"name":"d/x.png","relative_path":"d/x.png","size":8000000,"type":"","ref":"1","meta":{"k":"v"}}],"cid":3}`))
	if err != nil {
		t.Fatal(err)
	}
	want := AllowUpload{Ref: "phx-upl1", CID: intp(3), Entries: []UploadEntry{
		{Ref: "0", Name: "hello.txt", Size: 12, Type: "text/plain", LastModified: 1795393202304},
		{Ref: "1", Name: "d/x.png", RelativePath: "d/x.png", Size: 8000000, Meta: map[string]any{"k": "v"}},
	}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got %#v\nwant %#v", a, want)
	}
	for _, c := range []struct{ payload, want string }{
		{`{"entries":[]}`, "no ref"},
		{`{"ref":"r","entries":{}}`, "entries must be an array"},
		{`{"ref":"r","entries":[1]}`, "upload entry must be an object"},
		{`{"ref":"r","entries":[{"name":"x"}]}`, "upload entry without ref"},
		{`{"ref":"r","entries":[{"ref":"0","size":-1}]}`, "size -1 is negative"},
		{`{"ref":"r","entries":[{"ref":"0","size":"12"}]}`, "size must be an integer"},
		{`{"ref":"r","cid":"x"}`, "cid must be an integer or null"},
	} {
		if _, err := DecodeAllowUpload(json.RawMessage(c.payload)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "protocol: allow_upload payload: ") {
			t.Errorf("DecodeAllowUpload(%s) error %v, want %q", c.payload, err, c.want)
		}
	}
}

func TestDecodeUploads(t *testing.T) {
	u, err := DecodeUploads(json.RawMessage(`{"phx-upl1":[{"path":"avatar","ref":"0","last_modified":1795393202304,"name":"hello.txt","type":"text/plain","size":12}],"phx-upl2":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]UploadEntry{
		"phx-upl1": {{Ref: "0", Path: "avatar", Name: "hello.txt", Type: "text/plain", Size: 12, LastModified: 1795393202304}},
		"phx-upl2": nil,
	}
	if !reflect.DeepEqual(u, want) {
		t.Errorf("got %#v\nwant %#v", u, want)
	}
	if u, err := DecodeUploads(nil); u != nil || err != nil {
		t.Errorf("DecodeUploads(nil) = %v, %v", u, err)
	}
	if u, err := DecodeUploads(json.RawMessage(`{}`)); len(u) != 0 || err != nil {
		t.Errorf("DecodeUploads({}) = %v, %v", u, err)
	}
	if _, err := DecodeUploads(json.RawMessage(`{"r":"x"}`)); err == nil || !strings.Contains(err.Error(), "protocol: event uploads: entries must be an array") {
		t.Errorf("DecodeUploads with a string list: %v", err)
	}
}

func TestDecodeProgress(t *testing.T) {
	p, err := DecodeProgress(json.RawMessage(`{"event":null,"ref":"phx-upl1","entry_ref":"0","progress":33}`))
	if err != nil || !reflect.DeepEqual(p, Progress{Ref: "phx-upl1", EntryRef: "0", Progress: 33}) {
		t.Errorf("got %#v, %v", p, err)
	}
	p, err = DecodeProgress(json.RawMessage(`{"event":"prog","ref":"r","entry_ref":"1","progress":{"error":"network"},"cid":2}`))
	if err != nil || !reflect.DeepEqual(p, Progress{Event: "prog", Ref: "r", EntryRef: "1", Error: "network", CID: intp(2)}) {
		t.Errorf("got %#v, %v", p, err)
	}
	p, err = DecodeProgress(json.RawMessage(`{"ref":"r","entry_ref":"1","progress":{"error":{"code":5}}}`))
	if err != nil || p.Error != `{"code":5}` {
		t.Errorf("non-string error reason: %#v, %v", p, err)
	}
	for _, c := range []struct{ payload, want string }{
		{`{"entry_ref":"0","progress":1}`, "no ref"},
		{`{"ref":"r","progress":1}`, "no entry_ref"},
		{`{"ref":"r","entry_ref":"0"}`, "no progress"},
		{`{"ref":"r","entry_ref":"0","progress":101}`, "progress 101 is outside 0..100"},
		{`{"ref":"r","entry_ref":"0","progress":-1}`, "outside 0..100"},
		{`{"ref":"r","entry_ref":"0","progress":"50"}`, "progress must be an integer"},
	} {
		if _, err := DecodeProgress(json.RawMessage(c.payload)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "protocol: progress payload: ") {
			t.Errorf("DecodeProgress(%s) error %v, want %q", c.payload, err, c.want)
		}
	}
}

func TestDecodeUploadJoin(t *testing.T) {
	tok, err := DecodeUploadJoin(json.RawMessage(`{"token":"UPLOAD-TOKEN-0"}`))
	if err != nil || tok != "UPLOAD-TOKEN-0" {
		t.Errorf("got %q, %v", tok, err)
	}
	if _, err := DecodeUploadJoin(json.RawMessage(`{}`)); err == nil || err.Error() != "protocol: upload join payload: no token" {
		t.Errorf("no token: %v", err)
	}
}

func TestDecodeCIDs(t *testing.T) {
	c, err := DecodeCIDs(json.RawMessage(`{"cids":[2,7]}`))
	if err != nil || !reflect.DeepEqual(c, []int{2, 7}) {
		t.Errorf("got %v, %v", c, err)
	}
	c, err = DecodeCIDs(json.RawMessage(`{"cids":[]}`))
	if err != nil || c == nil || len(c) != 0 {
		t.Errorf("empty list: %#v, %v", c, err)
	}
	for _, cc := range []struct{ payload, want string }{
		{`{}`, "no cids"},
		{`{"cids":null}`, "cids must be an array"},
		{`{"cids":[null]}`, "cid is null"},
		{`{"cids":["1"]}`, "cid must be an integer"},
		{`{"cids":[1.5]}`, "not an integer"},
	} {
		if _, err := DecodeCIDs(json.RawMessage(cc.payload)); err == nil || !strings.Contains(err.Error(), cc.want) || !strings.HasPrefix(err.Error(), "protocol: cids payload: ") {
			t.Errorf("DecodeCIDs(%s) error %v, want %q", cc.payload, err, cc.want)
		}
	}
}

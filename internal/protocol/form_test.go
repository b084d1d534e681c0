package protocol

import (
	"reflect"
	"strings"
	"testing"
)

func TestDecodeForm(t *testing.T) {
	for _, c := range []struct {
		in   string
		want map[string]any
	}{
		{"", map[string]any{}},
		{"a=1", map[string]any{"a": "1"}},
		{"a=1&b=2", map[string]any{"a": "1", "b": "2"}},
		{"a", map[string]any{"a": ""}},
		{"a=", map[string]any{"a": ""}},
		{"=x", map[string]any{"": "x"}},
		{"&&a=1&", map[string]any{"a": "1"}},
		{"a=1=2", map[string]any{"a": "1=2"}},
		// repeated plain keys: the last wins, as in Plug
		{"a=1&a=2", map[string]any{"a": "2"}},
		// nesting
		{"a[b]=1", map[string]any{"a": map[string]any{"b": "1"}}},
		{"a[b][c]=1&a[b][d]=2&a[e]=3", map[string]any{"a": map[string]any{"b": map[string]any{"c": "1", "d": "2"}, "e": "3"}}},
		{"user[addresses][0][street]=x&user[addresses][1][street]=y", map[string]any{"user": map[string]any{"addresses": map[string]any{
			"0": map[string]any{"street": "x"}, "1": map[string]any{"street": "y"}}}}},
		// lists
		{"a[]=1&a[]=2", map[string]any{"a": []string{"1", "2"}}},
		{"a[]=1", map[string]any{"a": []string{"1"}}},
		{"a[]", map[string]any{"a": []string{""}}},
		{"a[b][]=1&a[b][]=2", map[string]any{"a": map[string]any{"b": []string{"1", "2"}}}},
		// lists of maps
		{"a[][b]=1&a[][c]=2", map[string]any{"a": []any{map[string]any{"b": "1", "c": "2"}}}},
		{"a[][b]=1&a[][b]=2", map[string]any{"a": []any{map[string]any{"b": "1"}, map[string]any{"b": "2"}}}},
		{"a[][b]=1&a[][c]=2&a[][b]=3&a[][c]=4", map[string]any{"a": []any{
			map[string]any{"b": "1", "c": "2"}, map[string]any{"b": "3", "c": "4"}}}},
		{"a[][b][c]=1&a[][b][d]=2", map[string]any{"a": []any{map[string]any{"b": map[string]any{"c": "1", "d": "2"}}}}},
		{"a[][t][]=1&a[][t][]=2", map[string]any{"a": []any{map[string]any{"t": []string{"1", "2"}}}}},
		{"a[]=x&a[][b]=1", map[string]any{"a": []any{"x", map[string]any{"b": "1"}}}},
		{"a[][]=1&a[][]=2", map[string]any{"a": []any{[]string{"1"}, []string{"2"}}}},
		// conflicting shapes: the last one wins
		{"a=1&a[b]=2", map[string]any{"a": map[string]any{"b": "2"}}},
		{"a[b]=2&a=1", map[string]any{"a": "1"}},
		{"a=1&a[]=2", map[string]any{"a": []string{"2"}}},
		{"a[]=1&a=2", map[string]any{"a": "2"}},
		{"a[b]=1&a[b][c]=2", map[string]any{"a": map[string]any{"b": map[string]any{"c": "2"}}}},
		// keys that do not nest
		{"a[b=1", map[string]any{"a[b": "1"}},
		{"a]=1", map[string]any{"a]": "1"}},
		{"[a]=1", map[string]any{"[a]": "1"}},
		{"a[b[c]]=1", map[string]any{"a": map[string]any{"b[c]": "1"}}},
		// _unused_ keys are kept as given
		{"user[_unused_email]=&user[email]=", map[string]any{"user": map[string]any{"_unused_email": "", "email": ""}}},
		// encoding
		{"a=b+c", map[string]any{"a": "b c"}},
		{"a+b=c", map[string]any{"a b": "c"}},
		{"a=%2B%26%3D%25", map[string]any{"a": "+&=%"}},
		{"q=caf%C3%A9&r=%e2%82%ac", map[string]any{"q": "café", "r": "€"}},
		{"a%5Bb%5D=1", map[string]any{"a": map[string]any{"b": "1"}}},
		{"a=%5B%5D", map[string]any{"a": "[]"}},
		{"k=日本", map[string]any{"k": "日本"}},
	} {
		got, err := DecodeForm(c.in)
		if err != nil {
			t.Errorf("DecodeForm(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("DecodeForm(%q) = %#v\nwant %#v", c.in, got, c.want)
		}
	}
}

func TestDecodeFormErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a=%", `malformed percent-encoding "%"`},
		{"a=%4", `malformed percent-encoding "%4"`},
		{"a=%g1", `malformed percent-encoding "%g1"`},
		{"a%x=1", `malformed percent-encoding "%x" in "a%x"`},
		{"ok=1&a=100%", `malformed percent-encoding "%" in "100%"`},
		{"a=%ff", "invalid UTF-8"},
		{"a=\xff", "not valid UTF-8"},
		{"a=%C3", "invalid UTF-8"},
		{"a" + strings.Repeat("[b]", 65) + "=1", "nests 65 levels, limit 64"},
	} {
		got, err := DecodeForm(c.in)
		if err == nil {
			t.Errorf("DecodeForm(%q) = %v, want an error", c.in, got)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "protocol: form: ") {
			t.Errorf("DecodeForm(%q) error %q, want it to contain %q", c.in, err, c.want)
		}
	}
}

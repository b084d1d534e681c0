package form

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxIndex is the highest list index Decode accepts ("rows[1000]" is an
// error), so that a hostile "rows[999999999]" cannot make it allocate a huge
// slice; a list may hold MaxIndex+1 elements at most.
const MaxIndex = 1000

// MaxDepth bounds how deeply structs nest while decoding (a recursive type
// such as a tree would otherwise follow the params as deep as they go).
const MaxDepth = 32

// Decode fills the struct *dst from params, the fields of a form as the
// protocol decodes them (nested map[string]any, []string and []any). Fields
// absent from params keep their value. It returns Errors, one per field
// that did not decode, or nil; dst must be a non-nil pointer to a struct.
func Decode(params map[string]any, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("form: Decode needs a non-nil pointer to a struct, not %T", dst)
	}
	var d decoder
	d.decodeStruct(rv.Elem(), params, "", 0)
	if len(d.errs) == 0 {
		return nil
	}
	return d.errs
}

type decoder struct{ errs Errors }

func (d *decoder) fail(path, code, param, msg string) {
	d.errs = append(d.errs, Error{Field: path, Code: code, Param: param, Message: msg})
}

// field is what Decode knows of one struct field, computed once per type.
type field struct {
	name  string // form name
	index []int  // reflect index path (through embedded structs)
}

type structInfo struct {
	fields []field
	byName map[string]*field
}

var typeCache sync.Map // reflect.Type -> *structInfo

// infoOf returns the form fields of struct type t.
func infoOf(t reflect.Type) *structInfo {
	if si, ok := typeCache.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{byName: map[string]*field{}}
	collectFields(t, nil, si, 0)
	for i := range si.fields {
		si.byName[si.fields[i].name] = &si.fields[i]
	}
	actual, _ := typeCache.LoadOrStore(t, si)
	return actual.(*structInfo)
}

func collectFields(t reflect.Type, prefix []int, si *structInfo, depth int) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("form")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		index := append(append([]int(nil), prefix...), i)
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct && depth < MaxDepth {
			collectFields(sf.Type, index, si, depth+1)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		si.fields = append(si.fields, field{name: name, index: index})
	}
}

var (
	timeType            = reflect.TypeOf(time.Time{})
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (d *decoder) decodeStruct(v reflect.Value, params map[string]any, path string, depth int) {
	if depth > MaxDepth {
		d.fail(path, "limit", strconv.Itoa(MaxDepth), fmt.Sprintf("nested more than %d levels deep", MaxDepth))
		return
	}
	for _, f := range infoOf(v.Type()).fields {
		raw, ok := params[f.name]
		if !ok {
			continue
		}
		d.decodeValue(v.FieldByIndex(f.index), raw, join(path, f.name), depth)
	}
}

// decodeValue stores raw (a string, []string, []any or map[string]any) in v.
func (d *decoder) decodeValue(v reflect.Value, raw any, path string, depth int) {
	t := v.Type()
	switch {
	case t == timeType:
		d.decodeScalar(v, raw, path)
		return
	case t.Kind() == reflect.Pointer:
		if s, ok := lastString(raw); ok && s == "" {
			v.SetZero() // an empty input clears an optional field
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decodeValue(v.Elem(), raw, path, depth)
		return
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		d.decodeScalar(v, raw, path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			d.fail(path, "shape", "", "expected nested fields, got a single value")
			return
		}
		d.decodeStruct(v, m, path, depth+1)
	case reflect.Slice:
		items, err := listOf(raw)
		if err != nil {
			d.fail(path, "limit", strconv.Itoa(MaxIndex), err.Error())
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			d.decodeValue(s.Index(i), item, path+"."+strconv.Itoa(i), depth)
		}
		v.Set(s)
	default:
		d.decodeScalar(v, raw, path)
	}
}

// lastString returns the string a single input gives: the value itself, or
// the last of a repeated name (a hidden "false" followed by a checkbox).
func lastString(raw any) (string, bool) {
	switch r := raw.(type) {
	case string:
		return r, true
	case []string:
		if len(r) > 0 {
			return r[len(r)-1], true
		}
		return "", true
	}
	return "", false
}

func (d *decoder) decodeScalar(v reflect.Value, raw any, path string) {
	s, ok := lastString(raw)
	if !ok {
		d.fail(path, "shape", "", "expected a single value, got nested fields")
		return
	}
	if v.Type() == timeType {
		t, err := parseTime(s)
		if err != nil {
			d.fail(path, "time", s, fmt.Sprintf("not a date or time: %q", s))
			return
		}
		v.Set(reflect.ValueOf(t))
		return
	}
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if err := u.UnmarshalText([]byte(s)); err != nil {
			d.fail(path, "text", s, fmt.Sprintf("invalid: %q: %v", s, err))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, ok := parseBool(s)
		if !ok {
			d.fail(path, "bool", s, fmt.Sprintf("not true or false: %q", s))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s == "" {
			v.SetInt(0)
			return
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			d.numberError(path, s, err)
			return
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if s == "" {
			v.SetUint(0)
			return
		}
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			d.numberError(path, s, err)
			return
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		if s == "" {
			v.SetFloat(0)
			return
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(s), v.Type().Bits())
		if err != nil {
			d.numberError(path, s, err)
			return
		}
		v.SetFloat(n)
	default:
		d.fail(path, "type", v.Type().String(), fmt.Sprintf("cannot decode into a %s", v.Type()))
	}
}

func (d *decoder) numberError(path, s string, err error) {
	if errors.Is(err, strconv.ErrRange) {
		d.fail(path, "range", s, fmt.Sprintf("number out of range: %q", s))
		return
	}
	d.fail(path, "number", s, fmt.Sprintf("not a number: %q", s))
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "1", "yes":
		return true, true
	case "false", "off", "0", "no", "":
		return false, true
	}
	return false, false
}

// timeLayouts are what date, datetime-local and time inputs send, then RFC
// 3339 for values set by code.
var timeLayouts = []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999", time.RFC3339Nano, "15:04", "15:04:05"}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date or time")
}

// listOf returns the elements of a list-valued field: "tags[]" ([]string),
// "rows[][x]" ([]any), or indexed "rows[0][x]" (a map with index keys,
// ordered by index). A single value is a list of one. It drops indexes
// above MaxIndex and elements past MaxIndex+1, saying so in the error.
func listOf(raw any) ([]any, error) {
	var err error
	var items []any
	switch r := raw.(type) {
	case []any:
		items = r
	case []string:
		items = make([]any, len(r))
		for i, s := range r {
			items[i] = s
		}
	case string:
		if r == "" {
			return nil, nil // an empty select or a hidden placeholder
		}
		items = []any{r}
	case map[string]any:
		type entry struct {
			i int
			v any
		}
		entries := make([]entry, 0, len(r))
		for k, v := range r {
			if strings.HasPrefix(k, "_unused_") {
				continue
			}
			n, perr := strconv.Atoi(k)
			if perr != nil || n < 0 {
				err = fmt.Errorf("list index %.20q is not a number", k)
				continue
			}
			if n > MaxIndex {
				err = fmt.Errorf("list index %d is over the limit of %d", n, MaxIndex)
				continue
			}
			entries = append(entries, entry{n, v})
		}
		sort.Slice(entries, func(a, b int) bool { return entries[a].i < entries[b].i })
		items = make([]any, len(entries))
		for i, e := range entries {
			items[i] = e.v
		}
	}
	if len(items) > MaxIndex+1 {
		err = fmt.Errorf("list of %d elements is over the limit of %d", len(items), MaxIndex+1)
		items = items[:MaxIndex+1]
	}
	return items, err
}

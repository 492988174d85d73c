package harnessrt

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds the nesting render follows, as encoding/json does, so a cyclic value
// fails instead of overflowing the stack.
const maxDepth = 1000

var (
	jsonNumber    = reflect.TypeOf(json.Number(""))
	jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshaler = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

// renderResults is the value text of a call's results: null for none, the value for one,
// an array for several.
func renderResults(results []reflect.Value) (string, error) {
	text, _, err := renderLimited(results, -1)
	return text, err
}

// renderLimited is renderResults that keeps at most limit bytes of text (none when limit is
// negative): past it, the text is "" and size is how long it would have been. The value is
// walked once and only its kept part held, so a value of tens of megabytes does not cost
// as much again in text.
func renderLimited(results []reflect.Value, limit int) (text string, size int, err error) {
	r := &renderer{limit: limit}
	switch len(results) {
	case 0:
		r.string("null")
	case 1:
		err = r.value(results[0], 0)
	default:
		r.byte('[')
		for i, result := range results {
			if i > 0 {
				r.byte(',')
			}
			if err = r.value(result, 0); err != nil {
				break
			}
		}
		r.byte(']')
	}
	if err != nil {
		return "", 0, err
	}
	return string(r.out), r.size, nil
}

// renderer accumulates JSON text: it counts all of it and keeps it while it fits the limit.
type renderer struct {
	out     []byte
	size    int
	limit   int // negative: none
	over    bool
	scratch []byte
}

func (r *renderer) bytes(p []byte) {
	r.size += len(p)
	if r.over {
		return
	}
	if r.limit >= 0 && r.size > r.limit {
		r.over, r.out = true, nil
		return
	}
	r.out = append(r.out, p...)
}

func (r *renderer) string(s string) {
	r.size += len(s)
	if r.over {
		return
	}
	if r.limit >= 0 && r.size > r.limit {
		r.over, r.out = true, nil
		return
	}
	r.out = append(r.out, s...)
}

func (r *renderer) byte(c byte) {
	r.scratch = append(r.scratch[:0], c)
	r.bytes(r.scratch)
}

// value renders v as JSON the way every harness does: lists and trees as arrays, chars as
// one-character strings, nil slices and maps as empty ones, NaN and infinities as null,
// sets (map[T]struct{}) as arrays.
func (r *renderer) value(v reflect.Value, depth int) error {
	if depth > maxDepth {
		return errors.New("the value nests too deeply (is it cyclic?)")
	}
	if !v.IsValid() {
		r.string("null")
		return nil
	}
	t := v.Type()
	switch {
	case isListNode(t):
		return r.list(v, depth)
	case isTreeNode(t):
		return r.tree(v, depth)
	case t == jsonNumber:
		r.string(v.String())
		return nil
	case t.Implements(jsonMarshaler) || t.Implements(textMarshaler):
		if v.Kind() == reflect.Ptr && v.IsNil() {
			r.string("null")
			return nil
		}
		return r.json(v.Interface())
	}
	switch v.Kind() {
	case reflect.Bool:
		r.scratch = strconv.AppendBool(r.scratch[:0], v.Bool())
	case reflect.Uint8: // byte
		return r.json(string([]byte{byte(v.Uint())}))
	case reflect.Int32: // rune
		return r.json(string(rune(v.Int())))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int64:
		r.scratch = strconv.AppendInt(r.scratch[:0], v.Int(), 10)
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		r.scratch = strconv.AppendUint(r.scratch[:0], v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			r.string("null")
			return nil
		}
		if v.Kind() == reflect.Float32 {
			return r.json(float32(f))
		}
		return r.json(f)
	case reflect.String:
		return r.jsonString(v.String())
	case reflect.Slice, reflect.Array:
		r.byte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				r.byte(',')
			}
			if err := r.value(v.Index(i), depth+1); err != nil {
				return err
			}
		}
		r.byte(']')
		return nil
	case reflect.Map:
		return r.mapping(v, depth)
	case reflect.Ptr, reflect.Interface:
		if v.IsNil() {
			r.string("null")
			return nil
		}
		return r.value(v.Elem(), depth+1)
	case reflect.Struct:
		return r.json(v.Interface())
	default:
		return fmt.Errorf("a value of type %s has no JSON form", typeName(t))
	}
	r.bytes(r.scratch)
	return nil
}

// json is encoding/json's rendering, without its HTML escaping.
func (r *renderer) json(v interface{}) error {
	var text bytes.Buffer
	encoder := json.NewEncoder(&text)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return errors.New(plainJSONMessage(err.Error()))
	}
	r.bytes(bytes.TrimSuffix(text.Bytes(), []byte("\n")))
	return nil
}

// jsonString renders a string as r.json does; one that cannot fit the limit is only
// measured, not copied.
func (r *renderer) jsonString(s string) error {
	if r.limit >= 0 && (r.over || r.size+len(s)+2 > r.limit) {
		r.size += jsonStringSize(s)
		r.over, r.out = true, nil
		return nil
	}
	return r.json(s)
}

// jsonStringSize is the length of encoding/json's text for s (Go 1.23, no HTML escaping):
// \", \\, \b, \f, \n, \r and \t short, other control characters, U+2028, U+2029 and each
// byte of invalid UTF-8 (which becomes U+FFFD) as \uXXXX.
func jsonStringSize(s string) int {
	size := 2
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			switch {
			case b == '"' || b == '\\' || b == '\b' || b == '\f' || b == '\n' || b == '\r' || b == '\t':
				size += 2
			case b < 0x20:
				size += 6
			default:
				size++
			}
			i++
			continue
		}
		c, width := utf8.DecodeRuneInString(s[i:])
		if (c == utf8.RuneError && width == 1) || c == '\u2028' || c == '\u2029' {
			size += 6
		} else {
			size += width
		}
		i += width
	}
	return size
}

// mapping renders a map as an object with its keys as strings, or a set as an array.
func (r *renderer) mapping(v reflect.Value, depth int) error {
	keys := v.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return lessKey(keys[i], keys[j]) })
	if element := v.Type().Elem(); element.Kind() == reflect.Struct && element.NumField() == 0 {
		r.byte('[')
		for i, key := range keys {
			if i > 0 {
				r.byte(',')
			}
			if err := r.value(key, depth+1); err != nil {
				return err
			}
		}
		r.byte(']')
		return nil
	}
	r.byte('{')
	for i, key := range keys {
		if i > 0 {
			r.byte(',')
		}
		name, err := keyName(key, depth)
		if err != nil {
			return err
		}
		if err := r.jsonString(name); err != nil {
			return err
		}
		r.byte(':')
		if err := r.value(v.MapIndex(key), depth+1); err != nil {
			return err
		}
	}
	r.byte('}')
	return nil
}

// keyName is a map key as an object name: a string as itself, anything else as its JSON
// text, unquoted when that is a string (a char).
func keyName(key reflect.Value, depth int) (string, error) {
	if key.Kind() == reflect.String {
		return key.String(), nil
	}
	r := &renderer{limit: -1}
	if err := r.value(key, depth+1); err != nil {
		return "", err
	}
	var name string
	if json.Unmarshal(r.out, &name) == nil {
		return name, nil
	}
	return string(r.out), nil
}

// lessKey orders map keys by value where they are numbers or strings, else by their text.
func lessKey(a, b reflect.Value) bool {
	if a.Kind() == reflect.Interface {
		a = a.Elem()
	}
	if b.Kind() == reflect.Interface {
		b = b.Elem()
	}
	if a.IsValid() && b.IsValid() && a.Kind() == b.Kind() {
		switch a.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return a.Int() < b.Int()
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return a.Uint() < b.Uint()
		case reflect.Float32, reflect.Float64:
			return a.Float() < b.Float()
		case reflect.String:
			return a.String() < b.String()
		}
	}
	return fmt.Sprint(a) < fmt.Sprint(b)
}

// list renders a linked list as the array of its values.
func (r *renderer) list(node reflect.Value, depth int) error {
	r.byte('[')
	seen := map[uintptr]bool{}
	for !node.IsNil() {
		if seen[node.Pointer()] {
			return errors.New("the list has a cycle")
		}
		seen[node.Pointer()] = true
		if len(seen) > 1 {
			r.byte(',')
		}
		if err := r.value(node.Elem().FieldByName("Val"), depth+1); err != nil {
			return err
		}
		node = node.Elem().FieldByName("Next")
	}
	r.byte(']')
	return nil
}

// tree renders a binary tree in level order, null for a missing child, without the
// trailing nulls.
func (r *renderer) tree(root reflect.Value, depth int) error {
	var order []reflect.Value
	seen := map[uintptr]bool{}
	for queue := []reflect.Value{root}; len(queue) > 0; queue = queue[1:] {
		node := queue[0]
		order = append(order, node)
		if node.IsNil() {
			continue
		}
		if seen[node.Pointer()] {
			return errors.New("the tree has a cycle or a node reached twice")
		}
		seen[node.Pointer()] = true
		queue = append(queue, node.Elem().FieldByName("Left"), node.Elem().FieldByName("Right"))
	}
	for len(order) > 0 && order[len(order)-1].IsNil() {
		order = order[:len(order)-1]
	}
	r.byte('[')
	for i, node := range order {
		if i > 0 {
			r.byte(',')
		}
		if node.IsNil() {
			r.string("null")
			continue
		}
		if err := r.value(node.Elem().FieldByName("Val"), depth+1); err != nil {
			return err
		}
	}
	r.byte(']')
	return nil
}

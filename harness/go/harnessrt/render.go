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
	if len(results) == 0 {
		return "null", nil
	}
	if len(results) == 1 {
		out, err := appendValue(nil, results[0], 0)
		return string(out), err
	}
	out := []byte{'['}
	for i, result := range results {
		if i > 0 {
			out = append(out, ',')
		}
		var err error
		if out, err = appendValue(out, result, 0); err != nil {
			return "", err
		}
	}
	return string(append(out, ']')), nil
}

// appendValue renders v as JSON the way every harness does: lists and trees as arrays,
// chars as one-character strings, nil slices and maps as empty ones, NaN and infinities as
// null, sets (map[T]struct{}) as arrays.
func appendValue(out []byte, v reflect.Value, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, errors.New("the value nests too deeply (is it cyclic?)")
	}
	if !v.IsValid() {
		return append(out, "null"...), nil
	}
	t := v.Type()
	switch {
	case isListNode(t):
		return appendList(out, v, depth)
	case isTreeNode(t):
		return appendTree(out, v, depth)
	case t == jsonNumber:
		return append(out, v.String()...), nil
	case t.Implements(jsonMarshaler) || t.Implements(textMarshaler):
		if v.Kind() == reflect.Ptr && v.IsNil() {
			return append(out, "null"...), nil
		}
		return appendJSON(out, v.Interface())
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(out, v.Bool()), nil
	case reflect.Uint8: // byte
		return appendJSON(out, string([]byte{byte(v.Uint())}))
	case reflect.Int32: // rune
		return appendJSON(out, string(rune(v.Int())))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int64:
		return strconv.AppendInt(out, v.Int(), 10), nil
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(out, v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(out, "null"...), nil
		}
		if v.Kind() == reflect.Float32 {
			return appendJSON(out, float32(f))
		}
		return appendJSON(out, f)
	case reflect.String:
		return appendJSON(out, v.String())
	case reflect.Slice, reflect.Array:
		out = append(out, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				out = append(out, ',')
			}
			var err error
			if out, err = appendValue(out, v.Index(i), depth+1); err != nil {
				return nil, err
			}
		}
		return append(out, ']'), nil
	case reflect.Map:
		return appendMap(out, v, depth)
	case reflect.Ptr, reflect.Interface:
		if v.IsNil() {
			return append(out, "null"...), nil
		}
		return appendValue(out, v.Elem(), depth+1)
	case reflect.Struct:
		return appendJSON(out, v.Interface())
	}
	return nil, fmt.Errorf("a value of type %s has no JSON form", typeName(t))
}

// appendJSON is encoding/json's rendering, without its HTML escaping.
func appendJSON(out []byte, v interface{}) ([]byte, error) {
	var text bytes.Buffer
	encoder := json.NewEncoder(&text)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return nil, errors.New(plainJSONMessage(err.Error()))
	}
	return append(out, bytes.TrimSuffix(text.Bytes(), []byte("\n"))...), nil
}

// appendMap renders a map as an object with its keys as strings, or a set as an array.
func appendMap(out []byte, v reflect.Value, depth int) ([]byte, error) {
	keys := v.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return lessKey(keys[i], keys[j]) })
	if element := v.Type().Elem(); element.Kind() == reflect.Struct && element.NumField() == 0 {
		out = append(out, '[')
		for i, key := range keys {
			if i > 0 {
				out = append(out, ',')
			}
			var err error
			if out, err = appendValue(out, key, depth+1); err != nil {
				return nil, err
			}
		}
		return append(out, ']'), nil
	}
	out = append(out, '{')
	for i, key := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		name, err := keyName(key, depth)
		if err != nil {
			return nil, err
		}
		if out, err = appendJSON(out, name); err != nil {
			return nil, err
		}
		out = append(out, ':')
		if out, err = appendValue(out, v.MapIndex(key), depth+1); err != nil {
			return nil, err
		}
	}
	return append(out, '}'), nil
}

// keyName is a map key as an object name: a string as itself, anything else as its JSON
// text, unquoted when that is a string (a char).
func keyName(key reflect.Value, depth int) (string, error) {
	if key.Kind() == reflect.String {
		return key.String(), nil
	}
	text, err := appendValue(nil, key, depth+1)
	if err != nil {
		return "", err
	}
	var name string
	if json.Unmarshal(text, &name) == nil {
		return name, nil
	}
	return string(text), nil
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

// appendList renders a linked list as the array of its values.
func appendList(out []byte, node reflect.Value, depth int) ([]byte, error) {
	out = append(out, '[')
	seen := map[uintptr]bool{}
	for !node.IsNil() {
		if seen[node.Pointer()] {
			return nil, errors.New("the list has a cycle")
		}
		seen[node.Pointer()] = true
		if len(seen) > 1 {
			out = append(out, ',')
		}
		var err error
		if out, err = appendValue(out, node.Elem().FieldByName("Val"), depth+1); err != nil {
			return nil, err
		}
		node = node.Elem().FieldByName("Next")
	}
	return append(out, ']'), nil
}

// appendTree renders a binary tree in level order, null for a missing child, without the
// trailing nulls.
func appendTree(out []byte, root reflect.Value, depth int) ([]byte, error) {
	var order []reflect.Value
	seen := map[uintptr]bool{}
	for queue := []reflect.Value{root}; len(queue) > 0; queue = queue[1:] {
		node := queue[0]
		order = append(order, node)
		if node.IsNil() {
			continue
		}
		if seen[node.Pointer()] {
			return nil, errors.New("the tree has a cycle or a node reached twice")
		}
		seen[node.Pointer()] = true
		queue = append(queue, node.Elem().FieldByName("Left"), node.Elem().FieldByName("Right"))
	}
	for len(order) > 0 && order[len(order)-1].IsNil() {
		order = order[:len(order)-1]
	}
	out = append(out, '[')
	for i, node := range order {
		if i > 0 {
			out = append(out, ',')
		}
		if node.IsNil() {
			out = append(out, "null"...)
			continue
		}
		var err error
		if out, err = appendValue(out, node.Elem().FieldByName("Val"), depth+1); err != nil {
			return nil, err
		}
	}
	return append(out, ']'), nil
}

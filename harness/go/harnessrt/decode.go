package harnessrt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// decodeArgs turns one test's input into the function's arguments: a JSON array holds the
// positional arguments, any other value is the single argument.
func decodeArgs(function reflect.Type, input json.RawMessage) ([]reflect.Value, error) {
	raws := []json.RawMessage{input}
	if firstByte(input) == '[' {
		if err := json.Unmarshal(input, &raws); err != nil {
			return nil, err
		}
	}
	want := function.NumIn()
	if function.IsVariadic() {
		if len(raws) < want-1 {
			return nil, fmt.Errorf("expected at least %d arguments, got %d", want-1, len(raws))
		}
	} else if len(raws) != want {
		return nil, fmt.Errorf("expected %d arguments, got %d", want, len(raws))
	}
	args := make([]reflect.Value, len(raws))
	for i, raw := range raws {
		target := function.In(min(i, want-1))
		if function.IsVariadic() && i >= want-1 {
			target = target.Elem()
		}
		arg, err := decode(raw, target)
		if err != nil {
			return nil, fmt.Errorf("argument %d (target: %s): %v", i+1, typeName(target), err)
		}
		args[i] = arg
	}
	return args, nil
}

// decode turns one JSON value into a value of type t. encoding/json does the work except
// where LeetCode's conventions differ from it: lists and trees given as arrays, chars
// given as one-character strings; decode walks the types that hold those.
func decode(raw json.RawMessage, t reflect.Type) (reflect.Value, error) {
	switch {
	case isListNode(t):
		return decodeList(raw, t)
	case isTreeNode(t):
		return decodeTree(raw, t)
	case isChar(t):
		if firstByte(raw) == '"' {
			return decodeChar(raw, t)
		}
		return decodeJSON(raw, t)
	case t.Kind() == reflect.Slice && isChar(t.Elem()) && firstByte(raw) == '"':
		return decodeChars(raw, t)
	case !holdsConvention(t, map[reflect.Type]bool{}):
		return decodeJSON(raw, t)
	case isNull(raw):
		return reflect.Zero(t), nil
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return reflect.Value{}, cleanError(err, t)
		}
		value := reflect.New(t).Elem()
		if t.Kind() == reflect.Slice {
			value.Set(reflect.MakeSlice(t, len(items), len(items)))
		} else if len(items) > t.Len() {
			// As encoding/json fills an array: extra elements dropped, missing ones zero.
			items = items[:t.Len()]
		}
		for i, item := range items {
			element, err := decode(item, t.Elem())
			if err != nil {
				return reflect.Value{}, fmt.Errorf("element %d: %v", i, err)
			}
			value.Index(i).Set(element)
		}
		return value, nil
	case reflect.Map:
		var entries map[string]json.RawMessage
		if err := json.Unmarshal(raw, &entries); err != nil {
			return reflect.Value{}, cleanError(err, t)
		}
		value := reflect.MakeMapWithSize(t, len(entries))
		for key, item := range entries {
			k, err := decodeKey(key, t.Key())
			if err != nil {
				return reflect.Value{}, fmt.Errorf("key %q: %v", key, err)
			}
			v, err := decode(item, t.Elem())
			if err != nil {
				return reflect.Value{}, fmt.Errorf("key %q: %v", key, err)
			}
			value.SetMapIndex(k, v)
		}
		return value, nil
	default: // a pointer
		element, err := decode(raw, t.Elem())
		if err != nil {
			return reflect.Value{}, err
		}
		pointer := reflect.New(t.Elem())
		pointer.Elem().Set(element)
		return pointer, nil
	}
}

// holdsConvention reports whether t is, or is built (through slices, arrays, maps and
// pointers) from, a type decode treats differently from encoding/json.
func holdsConvention(t reflect.Type, seen map[reflect.Type]bool) bool {
	if isListNode(t) || isTreeNode(t) || isChar(t) {
		return true
	}
	if seen[t] { // a recursive type such as `type T []T`
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Ptr:
		return holdsConvention(t.Elem(), seen)
	case reflect.Map:
		return holdsConvention(t.Key(), seen) || holdsConvention(t.Elem(), seen)
	}
	return false
}

// decodeJSON is encoding/json's own decoding; numbers meant for interface{} stay exact.
func decodeJSON(raw json.RawMessage, t reflect.Type) (reflect.Value, error) {
	pointer := reflect.New(t)
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	if err := decoder.Decode(pointer.Interface()); err != nil {
		return reflect.Value{}, cleanError(err, t)
	}
	return pointer.Elem(), nil
}

// decodeChar reads a byte or a rune from a one-character string.
func decodeChar(raw json.RawMessage, t reflect.Type) (reflect.Value, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return reflect.Value{}, cleanError(err, t)
	}
	value := reflect.New(t).Elem()
	if t.Kind() == reflect.Uint8 {
		if len(s) != 1 {
			return reflect.Value{}, fmt.Errorf("expected a one-byte string, got %q", s)
		}
		value.SetUint(uint64(s[0]))
	} else {
		if utf8.RuneCountInString(s) != 1 {
			return reflect.Value{}, fmt.Errorf("expected a one-character string, got %q", s)
		}
		r, _ := utf8.DecodeRuneInString(s)
		value.SetInt(int64(r))
	}
	return value, nil
}

// decodeChars reads a []byte or []rune from a string, its bytes or characters.
func decodeChars(raw json.RawMessage, t reflect.Type) (reflect.Value, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return reflect.Value{}, cleanError(err, t)
	}
	if t.Elem().Kind() == reflect.Uint8 {
		return reflect.ValueOf([]byte(s)).Convert(t), nil
	}
	return reflect.ValueOf([]rune(s)).Convert(t), nil
}

// decodeKey reads a map key from its JSON object name: a number or a char where the key
// type wants one, the name itself for strings.
func decodeKey(key string, t reflect.Type) (reflect.Value, error) {
	quoted, _ := json.Marshal(key)
	if t.Kind() == reflect.String {
		return decode(quoted, t)
	}
	value, err := decode(json.RawMessage(key), t)
	if err != nil && isChar(t) {
		return decode(quoted, t)
	}
	return value, err
}

// decodeList builds a linked list from the array of its values.
func decodeList(raw json.RawMessage, t reflect.Type) (reflect.Value, error) {
	values, err := nodeValues(raw, t)
	if err != nil {
		return reflect.Value{}, err
	}
	head := reflect.Zero(t)
	for i := len(values) - 1; i >= 0; i-- {
		node, err := newNode(values[i], t, i)
		if err != nil {
			return reflect.Value{}, err
		}
		node.Elem().FieldByName("Next").Set(head)
		head = node
	}
	return head, nil
}

// decodeTree builds a binary tree from its level order, null marking a missing child.
func decodeTree(raw json.RawMessage, t reflect.Type) (reflect.Value, error) {
	values, err := nodeValues(raw, t)
	if err != nil || len(values) == 0 || isNull(values[0]) {
		return reflect.Zero(t), err
	}
	root, err := newNode(values[0], t, 0)
	if err != nil {
		return reflect.Value{}, err
	}
	queue := []reflect.Value{root}
	next := 1
	for len(queue) > 0 && next < len(values) {
		parent := queue[0]
		queue = queue[1:]
		for _, side := range [...]string{"Left", "Right"} {
			if next == len(values) {
				break
			}
			if !isNull(values[next]) {
				child, err := newNode(values[next], t, next)
				if err != nil {
					return reflect.Value{}, err
				}
				parent.Elem().FieldByName(side).Set(child)
				queue = append(queue, child)
			}
			next++
		}
	}
	return root, nil
}

func nodeValues(raw json.RawMessage, t reflect.Type) ([]json.RawMessage, error) {
	var values []json.RawMessage
	if err := json.Unmarshal(raw, &values); err != nil {
		return nil, cleanError(err, t)
	}
	return values, nil
}

// newNode is a list or tree node holding the value at position index.
func newNode(raw json.RawMessage, t reflect.Type, index int) (reflect.Value, error) {
	node := reflect.New(t.Elem())
	val := node.Elem().FieldByName("Val")
	value, err := decode(raw, val.Type())
	if err != nil {
		return reflect.Value{}, fmt.Errorf("element %d: %v", index, err)
	}
	val.Set(value)
	return node, nil
}

// isListNode reports whether t is *ListNode, LeetCode's singly linked list.
func isListNode(t reflect.Type) bool {
	return isNode(t, "ListNode", "Next")
}

// isTreeNode reports whether t is *TreeNode, LeetCode's binary tree.
func isTreeNode(t reflect.Type) bool {
	return isNode(t, "TreeNode", "Left", "Right")
}

func isNode(t reflect.Type, name string, links ...string) bool {
	if t.Kind() != reflect.Ptr || t.Elem().Kind() != reflect.Struct || t.Elem().Name() != name {
		return false
	}
	if val, ok := t.Elem().FieldByName("Val"); !ok || !val.IsExported() {
		return false
	}
	for _, link := range links {
		if field, ok := t.Elem().FieldByName(link); !ok || field.Type != t || !field.IsExported() {
			return false
		}
	}
	return true
}

// isChar reports whether t is byte or rune (which Go cannot tell from uint8 and int32).
func isChar(t reflect.Type) bool {
	return t.Kind() == reflect.Uint8 || t.Kind() == reflect.Int32
}

func firstByte(raw json.RawMessage) byte {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 {
		return 0
	}
	return trimmed[0]
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// cleanError is a decoding error without encoding/json's prefix and package names.
func cleanError(err error, t reflect.Type) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Errorf("invalid JSON for %s: %v", typeName(t), err)
	}
	return errors.New(plainJSONMessage(err.Error()))
}

// plainJSONMessage is an encoding/json message in the user's terms: "cannot unmarshal
// string into int", not "json: cannot unmarshal string into Go value of type main.X".
func plainJSONMessage(message string) string {
	return strings.NewReplacer("json: ", "", "Go value of type ", "", "main.", "").Replace(message)
}

// typeName is t as the user's code spells it.
func typeName(t reflect.Type) string {
	return strings.ReplaceAll(t.String(), "main.", "")
}

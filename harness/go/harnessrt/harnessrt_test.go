package harnessrt

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

type ListNode struct {
	Val  int
	Next *ListNode
}

type TreeNode struct {
	Val         int
	Left, Right *TreeNode
}

// roundTrip decodes input as the argument of fn and renders what fn returns.
func roundTrip(t *testing.T, fn interface{}, input string) string {
	t.Helper()
	args, err := decodeArgs(reflect.TypeOf(fn), json.RawMessage(input))
	if err != nil {
		t.Fatalf("%s: %v", input, err)
	}
	value, err := renderResults(reflect.ValueOf(fn).Call(args))
	if err != nil {
		t.Fatalf("%s: %v", input, err)
	}
	return value
}

func TestConventionsSurviveARoundTrip(t *testing.T) {
	identity := func(v interface{}) interface{} { return v }
	cases := []struct {
		fn    interface{}
		input string
		want  string
	}{
		{func(l *ListNode) *ListNode { return l }, `[[1,2,3]]`, `[1,2,3]`},
		{func(l *ListNode) *ListNode { return l }, `[[]]`, `[]`},
		{func(r *TreeNode) *TreeNode { return r }, `[[1,null,2,3]]`, `[1,null,2,3]`},
		{func(r *TreeNode) *TreeNode { return r }, `[[3,9,20,null,null,15,7]]`, `[3,9,20,null,null,15,7]`},
		{func(r *TreeNode) *TreeNode { return r }, `[[]]`, `[]`},
		{func(ls []*ListNode) []*ListNode { return ls }, `[[[1],[],[2,3]]]`, `[[1],[],[2,3]]`},
		{func(c byte) byte { return c }, `["a"]`, `"a"`},
		{func(r rune) rune { return r }, `["é"]`, `"é"`},
		{func(b [][]byte) [][]byte { return b }, `[[["1","0"],["0"]]]`, `[["1","0"],["0"]]`},
		{func(b []byte) []byte { return b }, `["hi"]`, `["h","i"]`},
		{func(m map[byte]int) map[byte]int { return m }, `[{"a":1}]`, `{"a":1}`},
		{func(m map[int]string) map[int]string { return m }, `[{"2":"x"}]`, `{"2":"x"}`},
		{func(n int64) int64 { return n }, `[9223372036854775807]`, `9223372036854775807`},
		{identity, `[12345678901234567890123]`, `12345678901234567890123`},
		{func(s string) string { return s }, `["<a&b>"]`, `"<a&b>"`},
		{func(f float64) float64 { return f }, `[0.1]`, `0.1`},
		{func() {}, `[]`, `null`},
		{func() (int, string) { return 1, "a" }, `[]`, `[1,"a"]`},
		{func() []int { return nil }, `[]`, `[]`},
		{func() map[string]int { return nil }, `[]`, `{}`},
		{func() map[int]struct{} { return map[int]struct{}{10: {}, 9: {}} }, `[]`, `[9,10]`},
		{func() []float64 { return []float64{math.NaN(), math.Inf(-1)} }, `[]`, `[null,null]`},
		{func(a int, rest ...int) []int { return append(rest, a) }, `[1,2,3]`, `[2,3,1]`},
		{func(a int) int { return a }, `7`, `7`},
		// A checker's: any JSON value in, an object out.
		{func(input interface{}, expected string, actual interface{}) map[string]interface{} {
			return map[string]interface{}{"passed": true, "message": expected, "score": 0.5, "input": input, "actual": actual}
		}, `[[[2,7],9],"half",{"a":[0,null]}]`, `{"actual":{"a":[0,null]},"input":[[2,7],9],"message":"half","passed":true,"score":0.5}`},
	}
	for _, c := range cases {
		if got := roundTrip(t, c.fn, c.input); got != c.want {
			t.Errorf("%T with %s: got %s, want %s", c.fn, c.input, got, c.want)
		}
	}
}

func TestBadArgumentsNameTheArgument(t *testing.T) {
	cases := []struct {
		fn    interface{}
		input string
		want  string
	}{
		{func(a, b int) {}, `[1,"x"]`, `argument 2 (target: int): cannot unmarshal string into int`},
		{func(c byte) {}, `["ab"]`, `argument 1 (target: uint8): expected a one-byte string, got "ab"`},
		{func(l *ListNode) {}, `[[1,"x"]]`, `argument 1 (target: *harnessrt.ListNode): element 1: cannot unmarshal string into int`},
		{func(a, b int) {}, `[1]`, `expected 2 arguments, got 1`},
	}
	for _, c := range cases {
		_, err := decodeArgs(reflect.TypeOf(c.fn), json.RawMessage(c.input))
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: got %v, want %s", c.input, err, c.want)
		}
	}
}

func TestCyclesAreErrors(t *testing.T) {
	node := &ListNode{Val: 1}
	node.Next = node
	if _, err := renderResults([]reflect.Value{reflect.ValueOf(node)}); err == nil {
		t.Error("a cyclic list rendered")
	}
}

func TestPanicsAreReportedWithTheirMessage(t *testing.T) {
	_, _, failure := call(reflect.ValueOf(func() { panic("negative") }), nil)
	if !strings.HasPrefix(failure, "panic: negative") {
		t.Errorf("got %q", failure)
	}
	_, _, failure = call(reflect.ValueOf(func() { var s []int; _ = s[1] }), nil)
	if !strings.HasPrefix(failure, "panic: runtime error: index out of range [1] with length 0") {
		t.Errorf("got %q", failure)
	}
}

func TestJSONStringSizeIsEncodingJSONs(t *testing.T) {
	for _, s := range []string{"", "abc", "a\"b\\c\nd\re\tf\bg\fh\x00\x1f\x7f", "<&>", "é世👋", "\u2028\u2029", "\xff\xfe", "a\xc3", "\xed\xa0\x80"} {
		var text strings.Builder
		encoder := json.NewEncoder(&text)
		encoder.SetEscapeHTML(false)
		encoder.Encode(s)
		if got, want := jsonStringSize(s), text.Len()-1; got != want {
			t.Errorf("%q: got %d, want %d (%s)", s, got, want, text.String())
		}
	}
}

func TestValuesPastTheLimitAreMeasuredNotKept(t *testing.T) {
	values := []interface{}{strings.Repeat("é\n", 1000), make([]int, 1000), map[string]string{"k": strings.Repeat("x", 100)}}
	for _, v := range values {
		whole, err := renderResults([]reflect.Value{reflect.ValueOf(v)})
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{0, 10, len(whole) - 1, len(whole), len(whole) + 1} {
			text, size, err := renderLimited([]reflect.Value{reflect.ValueOf(v)}, limit)
			if err != nil || size != len(whole) {
				t.Errorf("%T at limit %d: size %d, want %d (%v)", v, limit, size, len(whole), err)
			}
			if fits := len(whole) <= limit; fits != (text == whole) || !fits && text != "" {
				t.Errorf("%T at limit %d: kept %d bytes", v, limit, len(text))
			}
		}
	}
}

func TestCapturesAreCutOnACharacterAndCountedWhole(t *testing.T) {
	file, err := os.OpenFile(filepath.Join(t.TempDir(), "capture"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	c := capture{file, 7}
	file.WriteString("ab" + strings.Repeat("👋", 3))
	if text, size := c.take(); text != "ab👋" || size != 14 {
		t.Errorf("got %q, %d", text, size)
	}
	file.WriteString("x")
	if text, size := c.take(); text != "x" || size != 1 {
		t.Errorf("after a take: got %q, %d", text, size)
	}
	if text, size := c.take(); text != "" || size != 0 {
		t.Errorf("empty: got %q, %d", text, size)
	}
	if got := Cut("a\xffb", 2); got != "a\xff" {
		t.Errorf("cut on bytes that are not UTF-8: got %q", got)
	}
}

func TestAReplyIsOneLineOnItsPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reply")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	// The supervisor opens the FIFO before it names it.
	read, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer read.Close()
	value := "<1>"
	if err := Reply(path, testReply{Event: "test", Index: 3, Value: &value, StdoutBytes: 2}); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(read)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"event":"test","index":3,"value":"<1>","time_ms":0,"memory_kb":0,"stdout":"","stderr":"","stdout_bytes":2,"stderr_bytes":0}` + "\n"
	if string(got) != want {
		t.Errorf("got %s", got)
	}
}

func TestCutKeepsWholeCharacters(t *testing.T) {
	cases := []struct {
		text  string
		limit int
		want  string
	}{
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"aé", 2, "a"},
		{"a👋b", 4, "a"},
		{"a👋b", 5, "a👋"},
		{"\x80\x80\x80\x80\x80", 2, "\x80\x80"},
		{"ab\xf0\x9f", 3, "ab\xf0"},
	}
	for _, c := range cases {
		if got := Cut(c.text, c.limit); got != c.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.text, c.limit, got, c.want)
		}
	}
}

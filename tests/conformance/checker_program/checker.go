package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// A testlib-style checker: its stdin holds the test's input, the expected output and the
// actual output, each as a line with its length in bytes, that many bytes and a newline.
// Exit 0: accepted; 1: wrong answer; 2: presentation error; 7: points, the score on the
// first line of its stdout.
func main() {
	in := bufio.NewReader(os.Stdin)
	input, expected, actual := readText(in), readText(in), readText(in)
	want, ok := integers(input)
	got, ok2 := integers(actual)
	if !ok || !ok2 || !slices.Equal(sorted(want), sorted(got)) {
		finish(2, "wrong numbers")
	}
	order := func(a, b int) bool { return a <= b }
	if strings.TrimSpace(expected) == "descending" {
		order = func(a, b int) bool { return a >= b }
	}
	for i := 1; i < len(got); i++ {
		if !order(got[i-1], got[i]) {
			finish(1, "not sorted")
		}
	}
	if strings.TrimSpace(expected) == "partial" {
		finish(7, "0.5\npartial")
	}
	finish(0, "ok")
}

// readText reads one length-prefixed text.
func readText(in *bufio.Reader) string {
	line, err := in.ReadString('\n')
	if err != nil {
		fail(err)
	}
	size, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || size < 0 {
		fail(fmt.Errorf("a length that does not read: %q", line))
	}
	text := make([]byte, size)
	if _, err := io.ReadFull(in, text); err != nil {
		fail(err)
	}
	in.ReadByte() // the newline after it
	return string(text)
}

// integers reads whitespace-separated integers; ok is false if a token is not one.
func integers(text string) ([]int, bool) {
	var numbers []int
	for _, word := range strings.Fields(text) {
		n, err := strconv.Atoi(word)
		if err != nil {
			return nil, false
		}
		numbers = append(numbers, n)
	}
	return numbers, true
}

func sorted(numbers []int) []int {
	copied := slices.Clone(numbers)
	slices.Sort(copied)
	return copied
}

func finish(code int, message string) {
	fmt.Println(message)
	os.Exit(code)
}

// fail is the checker's own failure (testlib's exit code 3).
func fail(err error) {
	fmt.Fprintln(os.Stderr, "checker:", err)
	os.Exit(3)
}

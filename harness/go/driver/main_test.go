package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
		if got := cut(c.text, c.limit); got != c.want {
			t.Errorf("cut(%q, %d) = %q, want %q", c.text, c.limit, got, c.want)
		}
	}
}

func TestTakeCaptureCountsAllAndKeepsTheLimit(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "capture"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	file.WriteString(strings.Repeat("é", 10))
	if text, size := takeCapture(file, 5); text != "éé" || size != 20 {
		t.Errorf("got %q, %d", text, size)
	}
}

package main

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestReadLineDropsLinesPastTheBound(t *testing.T) {
	long := strings.Repeat("x", 10000)
	reader := bufio.NewReaderSize(strings.NewReader("short\n"+long+"\nnext\nend"), 16)
	var got []string
	for {
		line, err := readLine(reader, 100)
		got = append(got, string(line))
		if err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
	}
	want := []string{"short\n", "", "next\n", "end"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

package main

import (
	"bufio"
	"errors"
	"strings"
	"testing"
)

func TestFileNamesThatAreNotPlainOrTakenAreRefused(t *testing.T) {
	for _, names := range [][]string{{""}, {"."}, {".."}, {"../x"}, {"a/b"}, {"a\x00"}, {userFile}, {"a", "a"}} {
		files := make([]jobFile, len(names))
		for i, name := range names {
			files[i] = jobFile{Name: name}
		}
		var failure loadError
		if err := checkFileNames(files); !errors.As(err, &failure) {
			t.Errorf("%q: got %v", names, err)
		}
	}
	if err := checkFileNames([]jobFile{{Name: "helper.go"}, {Name: "data.txt"}, {Name: ".hidden"}, {Name: "..x"}}); err != nil {
		t.Errorf("plain names: %v", err)
	}
}

func TestAJobBringsItsArgumentsAndFiles(t *testing.T) {
	line := `{"code":"","function_name":null,"args":["a","b c"],"files":[{"name":"data.txt","content":"x\n"}],"build":null,"reply":"/r"}` + "\n"
	j, cached, _, err := readJob(bufio.NewReader(strings.NewReader(line)))
	if err != nil || cached != nil {
		t.Fatalf("%v, %v", err, cached)
	}
	if len(j.Args) != 2 || j.Args[1] != "b c" || len(j.Files) != 1 || j.Files[0] != (jobFile{"data.txt", "x\n"}) {
		t.Errorf("got %+v", j)
	}
}

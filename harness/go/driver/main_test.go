package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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

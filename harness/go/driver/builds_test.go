package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyELF is an ELF header and one program header, for a segment of the whole file.
func tinyELF(segmentSize uint64) []byte {
	file := make([]byte, 120)
	copy(file, "\x7fELF\x02\x01\x01")
	le := binary.LittleEndian
	le.PutUint16(file[elfType:], 2)
	le.PutUint64(file[elfPhoff:], 64)
	le.PutUint16(file[elfPhentsize:], 56)
	le.PutUint16(file[elfPhnum:], 1)
	le.PutUint64(file[64+elfSegmentSize:], segmentSize)
	return file
}

// Escaped in the line, the code's quotes do not open a build.
const trickyCode = `func f() string { return "\"build\":\"x\"" }`

// readLine reads a job's line with the build field given, through a buffer of the size.
func readLine(t *testing.T, buildField string, size int) (job, *buildDecoder) {
	t.Helper()
	line := fmt.Sprintf(`{"code":%q,"build":%s,"reply":"/r","return_build":true}`+"\n", trickyCode, buildField)
	j, cached, _, err := readJob(bufio.NewReaderSize(strings.NewReader(line), size))
	if err != nil || j.Code != trickyCode || j.Reply != "/r" || !j.ReturnBuild {
		t.Fatalf("%.100s: got %+v, %v", line, j, err)
	}
	return j, cached
}

func contents(t *testing.T, program executable) []byte {
	t.Helper()
	info, err := program.file.Stat()
	if err != nil {
		t.Fatal(err)
	}
	contents, err := io.ReadAll(io.NewSectionReader(program.file, 0, info.Size()))
	if err != nil {
		t.Fatal(err)
	}
	return contents
}

func TestABuildLoadsAsTheExecutableItHolds(t *testing.T) {
	want := tinyELF(120)
	// Buffers of every size the key and the text can be cut at.
	for size := 16; size < 40; size++ {
		_, cached := readLine(t, `"`+base64.StdEncoding.EncodeToString(want)+`"`, size)
		if cached == nil {
			t.Fatalf("size %d: no build", size)
		}
		program, err := cached.executable()
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if got := contents(t, program); !bytes.Equal(got, want) {
			t.Errorf("size %d: got %q", size, got)
		}
		program.file.Close()
	}
}

func TestNoBuildOrAnEmptyOneIsNone(t *testing.T) {
	for _, field := range []string{`null`, `""`} {
		if _, cached := readLine(t, field, 16); cached != nil {
			t.Errorf("%s: got a build", field)
		}
	}
}

func TestABuildThatDoesNotLoadIsALoadError(t *testing.T) {
	encode := base64.StdEncoding.EncodeToString
	cases := map[string]string{
		`"not base64"`:                       "illegal base64 data at input byte 3",
		`"` + strings.Repeat("A", 40) + `!"`: "illegal base64 data at input byte 40",
		`"QUJDRA==QUJD"`:                     "illegal base64 data at input byte 8",
		`"QUJDR"`:                            "illegal base64 data at input byte 4",
		// An escape that JSON allows and nothing writes.
		`"f0VM\/A=="`: "illegal base64 data at input byte 4",
		`"` + encode(bytes.Repeat([]byte("x"), 64)) + `"`: "it is not a 64-bit little-endian ELF file",
		`"` + encode(tinyELF(120)[:40]) + `"`:             "it is 40 bytes, less than an ELF header",
		`"` + encode(tinyELF(120)[:100]) + `"`:            "it is cut short (100 bytes) or damaged: its program headers do not fit",
		`"` + encode(tinyELF(1000)) + `"`:                 "it is cut short (120 bytes): a segment ends at byte 1000",
	}
	for field, want := range cases {
		_, cached := readLine(t, field, 16)
		_, err := cached.executable()
		var failure loadError
		if !errors.As(err, &failure) || failure.message != "the cached build does not load: "+want {
			t.Errorf("%.40s: got %v, want a load error about %q", field, err, want)
		}
	}
}

func TestTheLoadedReplyCarriesTheBuildWhenAsked(t *testing.T) {
	want, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	_, cached := readLine(t, `"`+base64.StdEncoding.EncodeToString(want)+`"`, 4096)
	program, err := cached.executable()
	if err != nil {
		t.Fatal(err)
	}
	defer program.file.Close()
	for _, withBuild := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "reply")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := replyLoaded(path, 1.5, program, withBuild); err != nil {
			t.Fatal(err)
		}
		line, _ := os.ReadFile(path)
		var reply struct {
			Event         string  `json:"event"`
			CompileTimeMs float64 `json:"compile_time_ms"`
			Build         *[]byte `json:"build"`
		}
		if err := json.Unmarshal(line, &reply); err != nil || !bytes.HasSuffix(line, []byte("}\n")) {
			t.Fatalf("%.100q: %v", line, err)
		}
		if reply.Event != "loaded" || reply.CompileTimeMs != 1.5 || (reply.Build != nil) != withBuild ||
			withBuild && !bytes.Equal(*reply.Build, want) {
			t.Errorf("with the build %v: got %.100q", withBuild, line)
		}
	}
}

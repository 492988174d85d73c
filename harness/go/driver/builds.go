package main

// Builds (PROTOCOL.md, "Builds"): a build is the linked executable in base64. It holds the
// whole program, the generated main too, so loading one needs neither the code nor a
// compiler.
//
// A build never sits whole in this process's memory: it is decoded into the executable's
// memfd as the job's line brings it, and encoded from there as the loaded reply takes it.
// In program mode a program starts from this process (vfork and exec), and exec keeps this
// process's peak resident size as the least of the program's ru_maxrss, its memory_kb: a
// build held here would raise every program's memory figure.

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
	"time"

	"exec-engine/harness/go/harnessrt"
)

// buildKey opens the job's build in its line: in JSON a `"` within a string is escaped, so
// these bytes can only be the key "build" and the start of a string, its value. (A build
// is base64, which JSON does not escape; one with an escape in it does not decode.)
var buildKey = []byte(`"build":"`)

// readJob reads the job's line from the control pipe, and when it began to arrive. The
// build's text is cut out of the line and handed to a buildDecoder, nil where the job
// brings no build (or an empty one); encoding/json, which would read each of its bytes
// twice, reads the rest.
func readJob(control *bufio.Reader) (job, *buildDecoder, time.Time, error) {
	var j job
	var arrived time.Time
	var line []byte
	var build *buildDecoder
	inBuild := false
	for {
		chunk, err := control.ReadSlice('\n')
		if arrived.IsZero() {
			arrived = time.Now()
		}
		for len(chunk) > 0 {
			if inBuild {
				end := bytes.IndexByte(chunk, '"')
				if end < 0 {
					end = len(chunk)
				}
				build.write(chunk[:end])
				chunk, inBuild = chunk[end:], end == len(chunk)
				continue
			}
			// The key may straddle two chunks.
			from := max(len(line)-len(buildKey)+1, 0)
			line = append(line, chunk...)
			chunk = nil
			if build != nil {
				continue
			}
			if key := bytes.Index(line[from:], buildKey); key >= 0 {
				start := from + key + len(buildKey)
				chunk = append(chunk, line[start:]...)
				line, build, inBuild = line[:start], &buildDecoder{}, true
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return j, nil, arrived, err
		}
		if build != nil && build.memory == nil && build.err == nil {
			build = nil // an empty one
		}
		return j, build, arrived, json.Unmarshal(line, &j)
	}
}

// buildDecoder decodes a build's text, given in pieces, into a memfd.
type buildDecoder struct {
	memory *os.File
	// pending is the text not decoded yet: between pieces, the end of the text so far
	// that does not fill a base64 quantum. It and decoded are reused from piece to piece.
	pending []byte
	decoded []byte
	// taken counts the bytes of text taken, ended whether a quantum with padding came.
	taken int
	ended bool
	err   error
}

func (d *buildDecoder) write(text []byte) {
	if d.err != nil || len(text) == 0 {
		return
	}
	if d.memory == nil {
		d.memory, d.err = memoryFile()
	}
	d.pending = append(d.pending, text...)
	whole := len(d.pending) / 4 * 4
	d.decode(d.pending[:whole])
	d.taken += whole
	d.pending = d.pending[:copy(d.pending, d.pending[whole:])]
}

// decode decodes whole quanta into the memfd.
func (d *buildDecoder) decode(text []byte) {
	if d.err != nil || len(text) == 0 {
		return
	}
	if d.ended {
		d.err = base64.CorruptInputError(d.taken)
		return
	}
	size := len(text) / 4 * 3
	if cap(d.decoded) < size {
		d.decoded = make([]byte, size)
	}
	n, err := base64.StdEncoding.Decode(d.decoded[:size], text)
	if corrupt, ok := err.(base64.CorruptInputError); ok {
		err = corrupt + base64.CorruptInputError(d.taken)
	} else if err == nil {
		_, err = d.memory.Write(d.decoded[:n])
	}
	d.ended, d.err = n < size, err
}

// executable is the program the build holds, once its text has all come.
func (d *buildDecoder) executable() (executable, error) {
	if len(d.pending) > 0 && d.err == nil {
		// Text that does not fill a quantum, which base64 with padding never leaves.
		d.err = base64.CorruptInputError(d.taken)
	}
	err := d.err
	if err == nil {
		err = checkExecutable(d.memory)
	}
	var corrupt base64.CorruptInputError
	var failure loadError
	if errors.As(err, &corrupt) || errors.As(err, &failure) {
		return executable{}, loadError{"the cached build does not load: " + err.Error()}
	} else if err != nil {
		return executable{}, err
	}
	// The tests' stdin and capture files go there, as after a compile.
	if err := makeDirs(); err != nil {
		return executable{}, err
	}
	return executable{d.memory}, nil
}

// ELF64 (amd64 and arm64: little-endian) header fields the check reads, by offset.
const (
	elfHeaderSize  = 64
	elfType        = 16 // 2 bytes: 2 an executable, 3 a position-independent one
	elfPhoff       = 32 // 8 bytes: where the program headers are
	elfPhentsize   = 54 // 2 bytes: the size of one
	elfPhnum       = 56 // 2 bytes: how many
	elfSegmentOff  = 8  // in a program header, 8 bytes: where the segment is in the file
	elfSegmentSize = 32 // 8 bytes: its size in the file
)

// checkExecutable makes sure that the decoded build is a 64-bit ELF executable that holds
// its segments whole: a cut or damaged one fails here, with a reason, rather than when it
// is executed after `loaded`. (By hand: debug/elf would make this process larger.)
func checkExecutable(file *os.File) error {
	info, err := file.Stat()
	if err != nil {
		return err
	}
	size := uint64(info.Size())
	if size < elfHeaderSize {
		return loadError{fmt.Sprintf("it is %d bytes, less than an ELF header", size)}
	}
	header := make([]byte, elfHeaderSize)
	if _, err := file.ReadAt(header, 0); err != nil {
		return err
	}
	if !bytes.HasPrefix(header, []byte("\x7fELF\x02\x01")) {
		return loadError{"it is not a 64-bit little-endian ELF file"}
	}
	le := binary.LittleEndian
	if kind := le.Uint16(header[elfType:]); kind != 2 && kind != 3 {
		return loadError{fmt.Sprintf("it is an ELF file of type %d, not an executable", kind)}
	}
	phoff, entry := le.Uint64(header[elfPhoff:]), uint64(le.Uint16(header[elfPhentsize:]))
	count := uint64(le.Uint16(header[elfPhnum:]))
	if entry < elfSegmentSize+8 || phoff > size || count*entry > size-phoff {
		return loadError{fmt.Sprintf("it is cut short (%d bytes) or damaged: its program headers do not fit", size)}
	}
	headers := make([]byte, count*entry)
	if _, err := file.ReadAt(headers, int64(phoff)); err != nil {
		return err
	}
	for at := uint64(0); at < uint64(len(headers)); at += entry {
		off, length := le.Uint64(headers[at+elfSegmentOff:]), le.Uint64(headers[at+elfSegmentSize:])
		if off > size || length > size-off {
			return loadError{fmt.Sprintf("it is cut short (%d bytes): a segment ends at byte %d", size, off+length)}
		}
	}
	return nil
}

// replyLoaded writes the loaded reply, with the build where the job asked for it: no code
// of the user's has run yet, so the executable is the linker's. Like harnessrt.Reply, it
// opens the path, writes one line and closes it; the build's text goes in as it is
// encoded, in a JSON string as it is.
func replyLoaded(path string, compileTimeMs float64, program executable, withBuild bool) error {
	loaded := map[string]interface{}{"event": "loaded", "compile_time_ms": compileTimeMs}
	if !withBuild {
		return harnessrt.Reply(path, loaded)
	}
	info, err := program.file.Stat()
	if err != nil {
		return err
	}
	head, _ := json.Marshal(loaded)
	file, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write the reply: %v", err)
	}
	// Small buffers: see the top of this file.
	out := bufio.NewWriterSize(file, 16<<10)
	out.Write(head[:len(head)-1])
	out.WriteString(`,"build":"`)
	encoder := base64.NewEncoder(base64.StdEncoding, out)
	_, err = io.CopyBuffer(encoder, io.NewSectionReader(program.file, 0, info.Size()), make([]byte, 12<<10))
	if err == nil {
		err = encoder.Close()
	}
	if err == nil {
		out.WriteString("\"}\n")
		err = out.Flush()
	}
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("cannot write the reply: %v", err)
	}
	return nil
}

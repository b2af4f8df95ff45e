package ipc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestFrame_RoundTrip(t *testing.T) {
	m := startMsg{name: "task", arg: []byte{1, 2, 3}}
	m.nonce[0], m.nonce[15] = 0xaa, 0x55
	b, err := encodeStart(m)
	if err != nil {
		t.Fatal(err)
	}
	p, err := readFrame(bytes.NewReader(b), kindStart)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeStart(p)
	if err != nil || got.nonce != m.nonce || got.name != m.name || !bytes.Equal(got.arg, m.arg) {
		t.Fatalf("got %+v, %v, want %+v", got, err, m)
	}

	r := result{status: statusPanic, message: "boom", stack: "goroutine 1"}
	p, err = readFrame(bytes.NewReader(encodeResult(r)), kindResult)
	if err != nil {
		t.Fatal(err)
	}
	if gotR, err := decodeResult(p); err != nil || gotR != r {
		t.Fatalf("got %+v, %v, want %+v", gotR, err, r)
	}
}

func TestFrame_Malformed(t *testing.T) {
	start, _ := encodeStart(startMsg{name: "task"})
	res := encodeResult(result{status: statusError, message: "boom"})
	cases := []struct {
		name  string
		frame []byte
		kind  byte
	}{
		{"truncated header", start[:3], kindStart},
		{"truncated payload", start[:len(start)-1], kindStart},
		{"wrong kind", start, kindResult},
		{"oversized", []byte{0xff, 0xff, 0xff, 0xff, kindStart}, kindStart},
		{"start too short", []byte{0, 0, 0, 1, kindStart, 0}, kindStart},
		{"name too long", append([]byte{0, 0, 0, 18, kindStart}, append(make([]byte, 16), 0, 9)...), kindStart},
		{"message too long", []byte{0, 0, 0, 5, kindResult, statusError, 0, 0, 0, 1}, kindResult},
		{"unknown status", append([]byte{0, 0, 0, byte(len(res) - 5), kindResult, statusCount}, res[6:]...), kindResult},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := readFrame(bytes.NewReader(c.frame), c.kind)
			if err == nil {
				if c.kind == kindStart {
					_, err = decodeStart(p)
				} else {
					_, err = decodeResult(p)
				}
			}
			if !errors.Is(err, ErrFrame) {
				t.Fatalf("got %v, want ErrFrame", err)
			}
		})
	}
	if _, err := readFrame(bytes.NewReader(nil), kindStart); err != io.EOF {
		t.Fatalf("empty stream: got %v, want io.EOF", err)
	}
}

// FuzzReadFrame feeds frames another process might have written: any input
// must give a frame or an error, never a panic.
func FuzzReadFrame(f *testing.F) {
	start, _ := encodeStart(startMsg{name: "task", arg: []byte("arg")})
	f.Add(start)
	f.Add(encodeResult(result{status: statusPanic, message: "boom", stack: "goroutine 1 [running]"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := readFrame(bytes.NewReader(b), kindStart); err == nil {
			decodeStart(p)
		}
		if p, err := readFrame(bytes.NewReader(b), kindResult); err == nil {
			decodeResult(p)
		}
	})
}

func TestMarker_Parse(t *testing.T) {
	m := newMarker(2)
	got, err := parseMarker(m.String())
	if err != nil || got != m {
		t.Fatalf("got %+v, %v, want %+v", got, err, m)
	}
	for _, bad := range []string{"", "1", "2:" + strings.Repeat("00", 16) + ":0", "1:zz:0", "1:" + strings.Repeat("0g", 16) + ":0", "1:" + strings.Repeat("00", 16) + ":-1", "1:" + strings.Repeat("00", 16) + ":99999"} {
		if _, err := parseMarker(bad); err == nil {
			t.Errorf("parseMarker(%q) succeeded, want an error", bad)
		}
	}
}

// TestMain_WrongNonce starts the test binary the way Start does, but sends a
// start frame whose nonce differs from the marker's: the binary must warn
// and run as a normal program.
func TestMain_WrongNonce(t *testing.T) {
	conn, childEnd, err := socketpair()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mk := newMarker(0)
	frame, err := encodeStart(startMsg{name: "noop"}) // zero nonce
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envVar+"="+mk.String())
	cmd.ExtraFiles = []*os.File{childEnd}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	childEnd.Close()
	conn.Write(frame)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the test binary with a wrong nonce: %v\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "PASS") || !strings.Contains(stderr.String(), "nonce does not match") {
		t.Fatalf("got stdout %q, stderr %q, want a warning about the nonce and the tests run", stdout.String(), stderr.String())
	}
}

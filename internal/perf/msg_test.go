package perf

import (
	"strings"
	"testing"

	"github.com/shmkit/shmkit/shm"
)

func msg(seq, id uint64) []byte {
	b := make([]byte, 64)
	stamp(b, seq, id)
	return b
}

func end(id, count uint64) []byte {
	b := make([]byte, 64)
	stampEnd(b, id, count)
	return b
}

func torn() []byte {
	b := msg(3, 0)
	b[0] ^= 1
	return b
}

// tornCheck is message seq of producer 0 with its check word damaged: its
// sequence reads right.
func tornCheck(seq uint64) []byte {
	b := msg(seq, 0)
	b[len(b)-1] ^= 1
	return b
}

// A single consumer's check fails on every kind of wrong stream.
func TestInOrder(t *testing.T) {
	tests := []struct {
		name   string
		stream [][]byte
		err    string // "" for a good stream
	}{
		{"good", [][]byte{msg(0, 0), msg(1, 0), msg(2, 0), end(0, 3)}, ""},
		{"empty", [][]byte{end(0, 0)}, ""},
		{"lost", [][]byte{msg(0, 0), msg(2, 0)}, "message 2 arrived when 1 was due"},
		{"repeated", [][]byte{msg(0, 0), msg(1, 0), msg(1, 0)}, "message 1 arrived when 2 was due"},
		{"reordered", [][]byte{msg(1, 0), msg(0, 0)}, "message 1 arrived when 0 was due"},
		{"torn", [][]byte{msg(0, 0), torn()}, "torn or corrupt"},
		{"check word torn when due", [][]byte{msg(0, 0), tornCheck(1)}, "torn or corrupt"},
		{"lost at the end", [][]byte{msg(0, 0), end(0, 2)}, "sent 2 messages, 1 arrived"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c inOrder
			var err error
			for _, b := range tt.stream {
				if _, err = c.take(b); err != nil {
					break
				}
			}
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
		})
	}
}

// Two consumers of two producers: the merged bitmaps must hold each
// message exactly once.
func TestSeen(t *testing.T) {
	const max = 256
	nw := words(max)
	tests := []struct {
		name string
		a, b [][]byte // what each consumer takes
		sent [2]uint64
		err  string
	}{
		{"good", [][]byte{msg(0, 0), msg(0, 1), msg(2, 0), end(0, 3)},
			[][]byte{msg(1, 0), msg(1, 1), end(1, 2)}, [2]uint64{3, 2}, ""},
		{"taken twice", [][]byte{msg(0, 0), msg(1, 0)}, [][]byte{msg(1, 0)}, [2]uint64{2, 0}, "taken twice"},
		{"lost", [][]byte{msg(0, 0), msg(2, 0)}, [][]byte{msg(1, 1)}, [2]uint64{3, 2}, "message 1 of producer 0 (of 3 sent) never arrived"},
		{"beyond", [][]byte{msg(0, 0), msg(1, 0)}, nil, [2]uint64{1, 0}, "beyond the 1 it sent"},
		{"backwards", [][]byte{msg(5, 0), msg(4, 0)}, nil, [2]uint64{6, 0}, "repeated or out of order"},
		{"out of range", [][]byte{msg(max, 0)}, nil, [2]uint64{0, 0}, "sequences stop at 256"},
		{"unknown producer", [][]byte{msg(0, 7)}, nil, [2]uint64{0, 0}, "from producer 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bits, err := shm.MakeArray[uint64](2 * nw)
			if err != nil {
				t.Fatal(err)
			}
			err = func() error {
				for _, stream := range [][][]byte{tt.a, tt.b} {
					s := newSeen(2, max)
					for _, b := range stream {
						if _, err := s.take(b); err != nil {
							return err
						}
					}
					for p := range 2 {
						if err := s.merge(p, bits, p*nw); err != nil {
							return err
						}
					}
				}
				for p := range 2 {
					if err := checkAll(p, tt.sent[p], bits, p*nw, nw); err != nil {
						return err
					}
				}
				return nil
			}()
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
			if err == nil {
				for i := range 2 * nw {
					if bits.Load(i) != 0 {
						t.Fatalf("bitmap word %d not cleared for the next round", i)
					}
				}
			}
		})
	}
}

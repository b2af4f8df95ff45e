package shm_test

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/shmkit/shmkit/shm"
	"golang.org/x/sys/unix"
)

// memfdWith returns a memfd holding data, sealed against shrinking and
// growing if seal is set.
func memfdWith(t *testing.T, data []byte, seal bool) *os.File {
	t.Helper()
	flags := unix.MFD_CLOEXEC
	if seal {
		flags |= unix.MFD_ALLOW_SEALING
	}
	fd, err := unix.MemfdCreate("shmtest", flags)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "memfd:shmtest")
	if _, err := f.WriteAt(data, 0); err != nil {
		t.Fatal(err)
	}
	if seal {
		if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_GROW); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// attachErr attaches f, closing the segment if that worked, and checks that
// Attach closed f if it did not.
func attachErr(t *testing.T, f *os.File) error {
	t.Helper()
	seg, err := shm.Attach(f)
	if err == nil {
		seg.Close()
		return nil
	}
	if cerr := f.Close(); !errors.Is(cerr, os.ErrClosed) {
		t.Errorf("closing f after a failed Attach: got %v, want %v (Attach owns f)", cerr, os.ErrClosed)
	}
	return err
}

func TestSegment_Attach_Refused(t *testing.T) {
	src := newSegmentT(t, 8192)
	if _, err := shm.NewValue[int64](1, shm.In(src), shm.Named("v")); err != nil {
		t.Fatal(err)
	}
	img := segmentImage(t, src)
	with := func(off int, v uint64) []byte {
		b := append([]byte(nil), img...)
		binary.LittleEndian.PutUint64(b[off:], v)
		return b
	}
	garbage := make([]byte, 8192)
	for i := range garbage {
		garbage[i] = byte(i*7 + 3)
	}
	dir := t.TempDir()
	regular := func(data []byte) func(t *testing.T) *os.File {
		return func(t *testing.T) *os.File {
			p := filepath.Join(dir, "f")
			os.Remove(p)
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	sealed := func(data []byte) func(t *testing.T) *os.File {
		return func(t *testing.T) *os.File { return memfdWith(t, data, true) }
	}
	unsealed := func(data []byte, allowSealing bool) func(t *testing.T) *os.File {
		return func(t *testing.T) *os.File {
			f := memfdWith(t, data, false)
			if allowSealing {
				f.Close()
				fd, err := unix.MemfdCreate("shmtest", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
				if err != nil {
					t.Fatal(err)
				}
				f = os.NewFile(uintptr(fd), "memfd")
				if _, err := f.WriteAt(data, 0); err != nil {
					t.Fatal(err)
				}
			}
			return f
		}
	}
	tests := []struct {
		name string
		file func(t *testing.T) *os.File
		want error
	}{
		{"valid sealed memfd", sealed(img), nil},
		{"unsealed memfd", unsealed(img, false), shm.ErrUnsealed},
		{"sealable memfd, no seals", unsealed(img, true), shm.ErrUnsealed},
		{"empty file", regular(nil), shm.ErrTruncated},
		{"100-byte file", regular(img[:100]), shm.ErrTruncated},
		{"255-byte file", regular(img[:255]), shm.ErrTruncated},
		{"half a segment", sealed(img[:4096]), shm.ErrTruncated},
		{"half a segment, regular", regular(img[:4096]), shm.ErrTruncated},
		{"garbage memfd", sealed(garbage), shm.ErrBadMagic},
		{"garbage file", regular(garbage), shm.ErrBadMagic},
		{"zeros", sealed(make([]byte, 4096)), shm.ErrBadMagic},
		{"version", sealed(with(8, 2|64<<32)), shm.ErrVersion},
		{"table capacity", sealed(with(40, 1<<20)), shm.ErrCorrupt},
		{"alloc beyond end", sealed(with(88, 1<<30)), shm.ErrCorrupt},
		{"count beyond table", sealed(with(80, 1000)), shm.ErrCorrupt},
		{"entry offset", sealed(with(256, 0)), shm.ErrCorrupt},
		{"readable by others", func(t *testing.T) *os.File {
			f := regular(img)(t)
			if err := f.Chmod(0o644); err != nil {
				t.Fatal(err)
			}
			return f
		}, shm.ErrUnsafeFile},
		{"directory", func(t *testing.T) *os.File {
			f, err := os.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}, shm.ErrUnsafeFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := attachErr(t, tt.file(t)); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// resident counts the pages of b's page-aligned interior that are in
// memory (mincore).
func resident(t *testing.T, b []byte) (in, pages int) {
	t.Helper()
	ps := os.Getpagesize()
	start := (ps - int(uintptr(unsafe.Pointer(&b[0])))%ps) % ps
	n := (len(b) - start) / ps * ps
	vec := make([]byte, n/ps)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&b[start])), uintptr(n), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatalf("mincore: %v", errno)
	}
	for _, v := range vec {
		in += int(v & 1)
	}
	return in, len(vec)
}

// A new segment has its pages made at once; a Sparse one makes each on
// first use.
func TestSegment_Sparse(t *testing.T) {
	for _, tt := range []struct {
		name   string
		opts   []shm.SegmentOption
		sparse bool
	}{
		{"default", nil, false},
		{"sparse", []shm.SegmentOption{shm.Sparse()}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := shm.NewSegment(4<<20, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer seg.Close()
			r, err := shm.NewRegion(2<<20, shm.In(seg))
			if err != nil {
				t.Fatal(err)
			}
			b := r.Bytes()
			in, pages := resident(t, b)
			switch {
			case !tt.sparse && in == 0:
				t.Skip("no page made at creation: the kernel lacks MADV_POPULATE_WRITE (before 5.14)")
			case !tt.sparse && in != pages:
				t.Fatalf("%d of %d pages in memory, want all", in, pages)
			case tt.sparse && in != 0:
				t.Fatalf("%d of %d pages in memory before any use, want none", in, pages)
			}
			b[len(b)/2] = 1
			if in, _ := resident(t, b); tt.sparse && in != 1 {
				t.Fatalf("%d pages in memory after one write, want 1", in)
			}
		})
	}
}

package inherit

import (
	"os"
	"slices"
	"testing"
)

// tempFile returns a new file holding name, closed when the test ends.
func tempFile(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.WriteString(name); err != nil {
		t.Fatal(err)
	}
	return f
}

// contents reads f from its start through its own descriptor.
func contents(t *testing.T, f *os.File) string {
	t.Helper()
	b := make([]byte, 16)
	n, err := f.ReadAt(b, 0)
	if err != nil && n == 0 {
		t.Fatalf("reading %s (fd %d): %v", f.Name(), f.Fd(), err)
	}
	return string(b[:n])
}

func TestDup_OrderedByID_RemoveForgets(t *testing.T) {
	a, b, c := tempFile(t, "a"), tempFile(t, "b"), tempFile(t, "c")
	Add(30, a)
	Add(10, b)
	Add(20, c)
	Add(10, a) // a second Add of an id keeps the first file
	t.Cleanup(func() { Remove(10); Remove(20); Remove(30) })
	dup := func() []string {
		t.Helper()
		fs, err := Dup()
		if err != nil {
			t.Fatal(err)
		}
		defer Close(fs)
		var got []string
		for _, f := range fs {
			for _, orig := range []*os.File{a, b, c} {
				if f.Fd() == orig.Fd() {
					t.Fatalf("Dup returned the original descriptor %d of %s", f.Fd(), orig.Name())
				}
			}
			got = append(got, contents(t, f))
		}
		return got
	}
	if got := dup(); !slices.Equal(got, []string{"b", "c", "a"}) {
		t.Fatalf("Dup gave files holding %q, want [b c a]", got)
	}
	Remove(20)
	if got := dup(); !slices.Equal(got, []string{"b", "a"}) {
		t.Fatalf("after Remove(20): %q, want [b a]", got)
	}
}

// A duplicate outlives the closing of the original, which is what lets a
// segment be closed while a child is being started with it.
func TestDup_OutlivesTheOriginal(t *testing.T) {
	f := tempFile(t, "seg")
	Add(70, f)
	t.Cleanup(func() { Remove(70) })
	fs, err := Dup()
	if err != nil {
		t.Fatal(err)
	}
	defer Close(fs)
	Remove(70)
	f.Close()
	if len(fs) != 1 || contents(t, fs[0]) != "seg" {
		t.Fatalf("the duplicate does not read the segment after the original closed")
	}
}

func TestLifelong_MarksUntilRemove(t *testing.T) {
	a, b := os.NewFile(100, "a"), os.NewFile(101, "b")
	Add(40, a)
	Add(50, b)
	t.Cleanup(func() { Remove(40); Remove(50) })
	Lifelong(50)
	Lifelong(60) // not recorded: ignored
	got := Segments()
	want := []Segment{{40, a, false}, {50, b, true}}
	if len(got) != len(want) {
		t.Fatalf("got %d segments, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("segment %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	Remove(50)
	Add(50, b)
	if got := Segments(); len(got) != 2 || got[1].Lifelong {
		t.Fatalf("after Remove and Add again: got %+v, want 50 not lifelong", got)
	}
}

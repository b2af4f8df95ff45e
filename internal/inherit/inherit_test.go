package inherit

import (
	"os"
	"testing"
)

func TestFiles_OrderedByID_RemoveForgets(t *testing.T) {
	a, b, c := os.NewFile(100, "a"), os.NewFile(101, "b"), os.NewFile(102, "c")
	Add(30, a)
	Add(10, b)
	Add(20, c)
	Add(10, a) // a second Add of an id keeps the first file
	t.Cleanup(func() { Remove(10); Remove(20); Remove(30) })
	got := Files()
	want := []*os.File{b, c, a}
	if len(got) != len(want) {
		t.Fatalf("got %d files, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("file %d: got %s, want %s", i, got[i].Name(), want[i].Name())
		}
	}
	Remove(20)
	if got := Files(); len(got) != 2 || got[0] != b || got[1] != a {
		t.Fatalf("after Remove(20): got %v, want [b a]", got)
	}
}

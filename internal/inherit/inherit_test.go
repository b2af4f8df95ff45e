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

package factorial

import (
	"slices"
	"testing"
)

// The pool gets the largest numbers first; equal numbers keep their order.
func TestLargestFirst(t *testing.T) {
	for _, tt := range []struct {
		ns   []int
		want []int
	}{
		{[]int{20000, 21000, 22000, 23000}, []int{3, 2, 1, 0}},
		{[]int{5, 9, 5, 1, 9}, []int{1, 4, 0, 2, 3}},
		{[]int{7}, []int{0}},
		{nil, []int{}},
	} {
		if got := LargestFirst(tt.ns); !slices.Equal(got, tt.want) {
			t.Errorf("LargestFirst(%v) = %v, want %v", tt.ns, got, tt.want)
		}
	}
}

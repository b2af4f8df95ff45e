package factorial

import (
	"context"
	"math/big"
	"testing"
)

// Factorial reserves the room of n! once: the result never outgrows it
// (a reallocation would leave a larger capacity), and the estimate is
// tight, a word or two over.
func TestFactorial_RoomReservedOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 20, 21, 100, 1000, 4096, 20000, 27000} {
		f, err := Factorial(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		used, room := len(f.Bits()), cap(f.Bits())
		if room != words(n) {
			t.Errorf("%d!: capacity %d words, reserved %d: it was reallocated", n, room, words(n))
		}
		if room-used > 2 {
			t.Errorf("%d!: %d words used of %d reserved: the estimate is loose", n, used, room)
		}
	}
}

// Factorial multiplies in place and agrees with math/big's own product.
func TestFactorial_MatchesMulRange(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5, 25, 1000, 5001} {
		f, err := Factorial(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		want := new(big.Int).MulRange(1, int64(max(n, 1)))
		if f.Cmp(want) != 0 {
			t.Errorf("%d!: got %d digits %.20s…, want %.20s…", n, len(f.String()), f.String(), want.String())
		}
	}
}

func BenchmarkFactorial27000(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Factorial(context.Background(), 27000); err != nil {
			b.Fatal(err)
		}
	}
}

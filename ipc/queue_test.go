package ipc_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// ctxQ returns a context that ends after waitTimeout.
func ctxQ(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

type qpoint struct {
	X, Y float64
	N    [3]int32
}

type record struct {
	Name string
	Tags []string
}

func roundTrip[T any](t *testing.T, vs []T, opts ...ipc.QueueOption) {
	t.Helper()
	q, err := ipc.NewQueue[T](len(vs), opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxQ(t)
	for _, v := range vs {
		if err := q.Put(ctx, v); err != nil {
			t.Fatalf("Put(%v): %v", v, err)
		}
	}
	if q.Len() != len(vs) || q.Cap() != len(vs) {
		t.Fatalf("Len %d, Cap %d, want %d", q.Len(), q.Cap(), len(vs))
	}
	for _, want := range vs {
		got, err := q.Get(ctx)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Get: got %v, %v, want %v", got, err, want)
		}
	}
}

func TestQueue_PutGet_Types(t *testing.T) {
	t.Run("int", func(t *testing.T) { roundTrip(t, []int{1, -2, 3}) })
	t.Run("array", func(t *testing.T) { roundTrip(t, [][8]int64{{1, 2, 3, 4, 5, 6, 7, 8}, {9}}) })
	t.Run("struct", func(t *testing.T) { roundTrip(t, []qpoint{{1.5, -2, [3]int32{1, 2, 3}}}) })
	t.Run("bytes", func(t *testing.T) { roundTrip(t, [][]byte{[]byte("abc"), {}, []byte("de")}) })
	t.Run("string", func(t *testing.T) { roundTrip(t, []string{"hello", "", "world"}) })
	t.Run("record", func(t *testing.T) { roundTrip(t, []record{{"a", []string{"x", "y"}}, {"b", nil}}) })
	t.Run("capacity 1", func(t *testing.T) { roundTrip(t, []string{"only"}) })
}

func TestQueue_Put_TooLarge(t *testing.T) {
	q, err := ipc.NewQueue[string](4, ipc.MaxMessage(64))
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 100)
	err = q.Put(ctxQ(t), big)
	if !errors.Is(err, ipc.ErrTooLarge) || !strings.Contains(err.Error(), "hold 64") {
		t.Fatalf("Put of a large string: got %v, want ErrTooLarge naming 64", err)
	}
	if ok, err := q.TryPut(big); ok || !errors.Is(err, ipc.ErrTooLarge) {
		t.Fatalf("TryPut: got %v, %v, want ErrTooLarge", ok, err)
	}
	if n, err := q.PutMany(ctxQ(t), []string{"a", big}); n != 0 || !errors.Is(err, ipc.ErrTooLarge) || q.Len() != 0 {
		t.Fatalf("PutMany: got %d, %v, Len %d, want 0, ErrTooLarge, 0", n, err, q.Len())
	}
	bq, _ := ipc.NewQueue[[]byte](2, ipc.MaxMessage(10))
	if err := bq.Put(ctxQ(t), make([]byte, 11)); !errors.Is(err, ipc.ErrTooLarge) || !strings.Contains(err.Error(), "11 bytes") {
		t.Fatalf("Put of 11 bytes: got %v, want ErrTooLarge naming 11", err)
	}
}

func TestQueue_TryPutTryGet_FullEmpty(t *testing.T) {
	q, err := ipc.NewQueue[int64](2)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := q.TryGet(); ok || err != nil {
		t.Fatalf("TryGet of an empty queue: got %v, %v", ok, err)
	}
	for i := range 2 {
		if ok, err := q.TryPut(int64(i)); !ok || err != nil {
			t.Fatalf("TryPut: got %v, %v", ok, err)
		}
	}
	if ok, err := q.TryPut(9); ok || err != nil {
		t.Fatalf("TryPut on a full queue: got %v, %v", ok, err)
	}
	for i := range 2 {
		if v, ok, err := q.TryGet(); !ok || err != nil || v != int64(i) {
			t.Fatalf("TryGet: got %v, %v, %v, want %d", v, ok, err, i)
		}
	}
}

func TestQueue_PutManyGetMany(t *testing.T) {
	for _, name := range []string{"raw", "codec"} {
		t.Run(name, func(t *testing.T) {
			ctx := ctxQ(t)
			const n = 1000
			var put, got []string
			if name == "raw" {
				q, _ := ipc.NewQueue[[2]int](16)
				vs := make([][2]int, n)
				for i := range vs {
					vs[i] = [2]int{i, -i}
					put = append(put, fmt.Sprint(vs[i]))
				}
				go q.PutMany(ctx, vs)
				dst := make([][2]int, 7)
				for len(got) < n {
					k, err := q.GetMany(ctx, dst)
					if err != nil || k < 1 {
						t.Fatalf("GetMany: %d, %v", k, err)
					}
					for _, v := range dst[:k] {
						got = append(got, fmt.Sprint(v))
					}
				}
			} else {
				q, _ := ipc.NewQueue[string](16)
				vs := make([]string, n)
				for i := range vs {
					vs[i] = fmt.Sprint("s", i)
					put = append(put, vs[i])
				}
				go q.PutMany(ctx, vs)
				dst := make([]string, 7)
				for len(got) < n {
					k, err := q.GetMany(ctx, dst)
					if err != nil || k < 1 {
						t.Fatalf("GetMany: %d, %v", k, err)
					}
					got = append(got, dst[:k]...)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(put) {
				t.Fatal("GetMany did not return the values PutMany put, in order")
			}
		})
	}
}

func TestQueue_Close(t *testing.T) {
	q, _ := ipc.NewQueue[string](4)
	ctx := ctxQ(t)
	get := blocked(t, "Get of an empty queue", func() error { _, err := q.Get(ctx); return err })
	q.Put(ctx, "a") // the blocked Get takes it
	if err := get(); err != nil {
		t.Fatal(err)
	}
	q.Put(ctx, "b")
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if err := q.Put(ctx, "c"); !errors.Is(err, ipc.ErrClosed) || err.Error() != "ipc: queue closed" {
		t.Fatalf("Put after Close: got %v, want ErrClosed", err)
	}
	if v, err := q.Get(ctx); v != "b" || err != nil {
		t.Fatalf("Get after Close: got %q, %v, want b", v, err)
	}
	if _, err := q.Get(ctx); !errors.Is(err, ipc.ErrClosed) {
		t.Fatalf("Get of a drained closed queue: got %v, want ErrClosed", err)
	}
}

func TestQueue_Get_CancelLeavesQueueUnchanged(t *testing.T) {
	q, _ := ipc.NewQueue[int32](1)
	ctx, cancel := context.WithCancel(ctxQ(t))
	get := blocked(t, "Get of an empty queue", func() error { _, err := q.Get(ctx); return err })
	cancel()
	if err := get(); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	q.Put(ctxQ(t), 5)
	ctx, cancel = context.WithCancel(ctxQ(t))
	put := blocked(t, "Put on a full queue", func() error { return q.Put(ctx, 6) })
	cancel()
	if err := put(); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if v, err := q.Get(ctxQ(t)); v != 5 || err != nil || q.Len() != 0 {
		t.Fatalf("Get: got %v, %v, Len %d, want 5 and an empty queue", v, err, q.Len())
	}
}

func TestQueue_PutGet_FixedSizeAllocatesNothing(t *testing.T) {
	q, err := ipc.NewQueue[[8]int64](4)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v := [8]int64{1, 2, 3, 4, 5, 6, 7, 8}
	var got [8]int64
	allocs := testing.AllocsPerRun(1000, func() {
		q.Put(ctx, v)
		got, _ = q.Get(ctx)
		q.TryPut(v)
		got, _, _ = q.TryGet()
	})
	if allocs != 0 || got != v {
		t.Fatalf("Put+Get of a [8]int64: %v allocations, got %v; want 0 and %v", allocs, got, v)
	}
	bs := make([][8]int64, 3)
	allocs = testing.AllocsPerRun(1000, func() {
		q.PutMany(ctx, bs)
		q.GetMany(ctx, bs)
	})
	if allocs != 0 {
		t.Fatalf("PutMany+GetMany of [8]int64: %v allocations, want 0", allocs)
	}
}

func TestQueue_UnmarshalBinary_Checks(t *testing.T) {
	q, _ := ipc.NewQueue[int32](4)
	b, err := q.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var other ipc.Queue[int64]
	if err := other.UnmarshalBinary(b); !errors.Is(err, ipc.ErrQueueType) {
		t.Fatalf("decoding a Queue[int32] as a Queue[int64]: got %v, want ErrQueueType", err)
	}
	var jq ipc.JoinableQueue[int32]
	if err := jq.UnmarshalBinary(b); !errors.Is(err, ipc.ErrQueueType) {
		t.Fatalf("decoding a Queue as a JoinableQueue: got %v, want ErrQueueType", err)
	}
	// A region that holds no ring.
	reg, _ := shm.NewRegion(1024)
	rb, _ := reg.MarshalBinary()
	var same ipc.Queue[int32]
	if err := same.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	q.Put(ctxQ(t), 42)
	if v, err := same.Get(ctxQ(t)); v != 42 || err != nil {
		t.Fatalf("Get through the decoded handle: got %v, %v", v, err)
	}
	_ = rb
}

func TestNewQueue_UnknownCodec(t *testing.T) {
	if _, err := ipc.NewQueue[string](4, ipc.WithCodec("nope")); !errors.Is(err, ipc.ErrCodec) {
		t.Fatalf("got %v, want ErrCodec", err)
	}
}

// upperCodec is a codec for strings, registered for the tests.
type upperCodec struct{}

func (upperCodec) Marshal(v any) ([]byte, error) { return []byte(strings.ToUpper(v.(string))), nil }
func (upperCodec) Unmarshal(b []byte, v any) error {
	*v.(*string) = string(b)
	return nil
}

func init() { ipc.RegisterCodec("test-upper", upperCodec{}) }

func TestQueue_WithCodec(t *testing.T) {
	q, err := ipc.NewQueue[string](4, ipc.WithCodec("test-upper"))
	if err != nil {
		t.Fatal(err)
	}
	q.Put(ctxQ(t), "abc")
	if v, err := q.Get(ctxQ(t)); v != "ABC" || err != nil {
		t.Fatalf("got %q, %v, want ABC through the codec", v, err)
	}
}

func TestQueue_Hammer_Goroutines(t *testing.T) {
	const p, c = 4, 3
	n := 20000
	if testing.Short() {
		n = 2000
	}
	q, _ := ipc.NewQueue[[2]int64](32)
	ctx := ctxQ(t)
	var prod, cons sync.WaitGroup
	counts := make([]int32, p*n)
	var mu sync.Mutex
	for id := range p {
		prod.Go(func() {
			for seq := range n {
				if err := q.Put(ctx, [2]int64{int64(id), int64(seq)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range c {
		cons.Go(func() {
			for {
				v, err := q.Get(ctx)
				if errors.Is(err, ipc.ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				counts[int(v[0])*n+int(v[1])]++
				mu.Unlock()
			}
		})
	}
	prod.Wait()
	q.Close()
	cons.Wait()
	for i, k := range counts {
		if k != 1 {
			t.Fatalf("message %d/%d received %d times, want 1", i/n, i%n, k)
		}
	}
}

// blocked runs call in the background and fails the test if it returns
// within 50 ms: it must block. The function it returns waits for call's
// result, failing the test if that takes more than 10 s.
func blocked(t *testing.T, what string, call func() error) func() error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		t.Fatalf("%s returned %v instead of blocking", what, err)
	case <-afterMs(50):
	}
	return func() error {
		t.Helper()
		select {
		case err := <-done:
			return err
		case <-afterMs(10000):
			t.Fatalf("%s still blocked 10 s after the step that should free it", what)
			return nil
		}
	}
}

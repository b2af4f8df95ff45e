package ipc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shmkit/shmkit/ipc"
)

// worker takes every job from the queue and marks it done, until closed.
var joinWorker = ipc.Register("joinable-worker", func(ctx context.Context, q *ipc.JoinableQueue[int]) error {
	for {
		if _, err := q.Get(ctx); err != nil {
			if errors.Is(err, ipc.ErrClosed) {
				return nil
			}
			return err
		}
		if err := q.TaskDone(); err != nil {
			return err
		}
	}
})

// Join blocks until every value put has been marked done, step by step.
func TestJoinableQueue_Join_Script(t *testing.T) {
	q, err := ipc.NewJoinableQueue[int](8)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxQ(t)
	if err := q.Join(ctx); err != nil {
		t.Fatalf("Join of an empty queue: %v", err)
	}
	q.Put(ctx, 1)
	q.PutMany(ctx, []int{2, 3})
	done := make(chan error, 1)
	go func() { done <- q.Join(ctx) }()
	for i := range 3 {
		if _, err := q.Get(ctx); err != nil {
			t.Fatal(err)
		}
		select { // taken but not done: Join still waits
		case err := <-done:
			t.Fatalf("Join returned %v with %d of 3 tasks done", err, i)
		case <-afterMs(30):
		}
		if err := q.TaskDone(); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Join: %v", err)
	}
	if err := q.TaskDone(); !errors.Is(err, ipc.ErrTaskDone) {
		t.Fatalf("TaskDone once too often: got %v, want ErrTaskDone", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	q.Put(ctx, 4)
	go func() { done <- q.Join(cctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Join with a canceled context: got %v", err)
	}
}

// Worker processes mark the tasks done; Join in the parent returns.
func TestJoinableQueue_Join_Processes(t *testing.T) {
	q, err := ipc.NewJoinableQueue[int](16)
	if err != nil {
		t.Fatal(err)
	}
	var ps []*ipc.Process
	for range 2 {
		p := joinWorker.Command(q)
		start(t, p)
		ps = append(ps, p)
	}
	ctx := ctxQ(t)
	for i := range 500 {
		if err := q.Put(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Join(ctx); err != nil {
		t.Fatalf("Join: %v", err)
	}
	q.Close()
	for _, p := range ps {
		if err := wait(t, p); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSimpleQueue_PutGetEmpty(t *testing.T) {
	q, err := ipc.NewSimpleQueue[string]()
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxQ(t)
	if !q.Empty() {
		t.Fatal("a new SimpleQueue is not empty")
	}
	q.Put(ctx, "x")
	if q.Empty() {
		t.Fatal("Empty after Put")
	}
	b, _ := q.MarshalBinary()
	var other ipc.SimpleQueue[string]
	if err := other.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if v, err := other.Get(ctx); v != "x" || err != nil {
		t.Fatalf("Get: got %q, %v", v, err)
	}
	q.Close()
	if _, err := q.Get(ctx); !errors.Is(err, ipc.ErrClosed) {
		t.Fatalf("Get after Close: got %v", err)
	}
}

package ipc_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// misuse is one way of using package ipc wrongly, and what it must give:
// an error that wraps a sentinel (nil where the package has none) and says
// what was wrong, or, for a programmer's error, a panic with the
// documented message. No case may hang: every wait has a deadline, and a
// deadline is not the error wanted.
type misuse struct {
	name   string
	do     func(t *testing.T) error
	want   error  // the sentinel the error wraps
	says   string // part of the error's message that names what was wrong
	panics string // instead of an error: the panic's message, exactly
}

func TestMisuse_Ipc(t *testing.T) {
	closedQ := func(t *testing.T) *ipc.Queue[int32] {
		q, err := ipc.NewQueue[int32](4)
		if err != nil {
			t.Fatal(err)
		}
		q.Close()
		return q
	}
	tests := []misuse{
		// A value too large for a queue slot.
		{name: "Put of bytes larger than a slot",
			do: func(t *testing.T) error {
				q := newQ[[]byte](t, 2, ipc.MaxMessage(16))
				return q.Put(ctxQ(t), make([]byte, 17))
			},
			want: ipc.ErrTooLarge, says: "ipc: message too large: 17 bytes, the queue's slots hold 16 (see MaxMessage)"},
		{name: "TryPut of an encoded value larger than a slot",
			do: func(t *testing.T) error {
				q := newQ[string](t, 2, ipc.MaxMessage(16))
				_, err := q.TryPut(strings.Repeat("x", 40))
				return err
			},
			want: ipc.ErrTooLarge, says: "bytes, the queue's slots hold 16 (see MaxMessage)"},
		{name: "PutMany with one value larger than a slot",
			do: func(t *testing.T) error {
				q := newQ[[]byte](t, 4, ipc.MaxMessage(8))
				n, err := q.PutMany(ctxQ(t), [][]byte{{1}, make([]byte, 9)})
				if n != 0 || q.Len() != 0 {
					t.Errorf("PutMany put %d, Len %d, want none", n, q.Len())
				}
				return err
			},
			want: ipc.ErrTooLarge, says: "9 bytes, the queue's slots hold 8"},
		{name: "Send of a message larger than a pipe's",
			do: func(t *testing.T) error {
				a, _ := newPipe(t, true)
				return a.Send(ctxQ(t), make([]byte, ipc.PipeMaxMessage+1))
			},
			want: ipc.ErrTooLarge, says: fmt.Sprintf("%d bytes, a pipe message holds %d", ipc.PipeMaxMessage+1, ipc.PipeMaxMessage)},

		// Waiting on a closed queue returns at once.
		{name: "Get of a closed empty queue",
			do:   func(t *testing.T) error { _, err := closedQ(t).Get(ctxQ(t)); return err },
			want: ipc.ErrClosed, says: "ipc: queue closed"},
		{name: "Get blocked when the queue is closed",
			do: func(t *testing.T) error {
				q := newQ[int32](t, 4)
				get := blocked(t, "Get of an empty queue", func() error { _, err := q.Get(ctxQ(t)); return err })
				q.Close()
				return get()
			},
			want: ipc.ErrClosed, says: "ipc: queue closed"},
		{name: "Put blocked on a full queue when it is closed",
			do: func(t *testing.T) error {
				q := newQ[int32](t, 1)
				q.Put(ctxQ(t), 1)
				put := blocked(t, "Put on a full queue", func() error { return q.Put(ctxQ(t), 2) })
				q.Close()
				return put()
			},
			want: ipc.ErrClosed, says: "ipc: queue closed"},
		{name: "GetMany of a closed empty queue",
			do:   func(t *testing.T) error { _, err := closedQ(t).GetMany(ctxQ(t), make([]int32, 4)); return err },
			want: ipc.ErrClosed, says: "ipc: queue closed"},
		{name: "TryGet of a closed empty queue",
			do: func(t *testing.T) error {
				_, ok, err := closedQ(t).TryGet()
				if ok {
					t.Errorf("TryGet reported a value")
				}
				return err
			},
			want: ipc.ErrClosed, says: "ipc: queue closed"},
		{name: "Put on a closed queue",
			do:   func(t *testing.T) error { return closedQ(t).Put(ctxQ(t), 1) },
			want: ipc.ErrClosed, says: "ipc: queue closed"},
		{name: "SimpleQueue Get when closed",
			do: func(t *testing.T) error {
				q, err := ipc.NewSimpleQueue[string]()
				if err != nil {
					t.Fatal(err)
				}
				q.Close()
				_, err = q.Get(ctxQ(t))
				return err
			},
			want: ipc.ErrClosed, says: "ipc: queue closed"},
		{name: "Recv blocked when the other end closes",
			do: func(t *testing.T) error {
				a, b := newPipe(t, true)
				recv := blocked(t, "Recv of an empty pipe", func() error { _, err := a.Recv(ctxQ(t)); return err })
				b.Close()
				return recv()
			},
			want: ipc.ErrClosed, says: "ipc: queue closed"},

		// Attaching a queue as another type, or memory that holds no queue.
		{name: "queue handle decoded as another element type",
			do: func(t *testing.T) error {
				var q ipc.Queue[int64]
				return q.UnmarshalBinary(marshal(t, newQ[int32](t, 4)))
			},
			want: ipc.ErrQueueType, says: "a queue of int32 decoded as a queue of int64"},
		{name: "Queue handle decoded as a JoinableQueue",
			do: func(t *testing.T) error {
				var q ipc.JoinableQueue[int32]
				return q.UnmarshalBinary(marshal(t, newQ[int32](t, 4)))
			},
			want: ipc.ErrQueueType, says: "a Queue decoded as a JoinableQueue"},
		{name: "pipe handle decoded as a queue",
			do: func(t *testing.T) error {
				a, _ := newPipe(t, true)
				var q ipc.Queue[int32]
				return q.UnmarshalBinary(marshal(t, a))
			},
			want: ipc.ErrQueueType, says: "decoding a queue handle: gob:"},
		{name: "queue handle naming memory too small for a ring",
			do: func(t *testing.T) error {
				var q ipc.Queue[int32]
				return q.UnmarshalBinary(fakeQueueHandle(t, 16, "int32"))
			},
			want: ipc.ErrCorruptQueue, says: "ipc: queue memory corrupt: ring: "},
		{name: "queue handle naming memory that holds no ring",
			do: func(t *testing.T) error {
				var q ipc.Queue[int32]
				return q.UnmarshalBinary(fakeQueueHandle(t, 4096, "int32"))
			},
			want: ipc.ErrCorruptQueue, says: "ipc: queue memory corrupt: ring: "},

		// Negative and out-of-range sizes: shm.ErrSize, as for segments
		// and arrays.
		{name: "queue of slots of a negative size",
			do:   func(t *testing.T) error { _, err := ipc.NewQueue[string](4, ipc.MaxMessage(-1)); return err },
			want: shm.ErrSize, says: "ipc: queue of 4 slots of -1 bytes (want at most 1073741824 slots of at most 1073741824): shm: bad size"},
		{name: "queue of too many slots",
			do:   func(t *testing.T) error { _, err := ipc.NewQueue[int8](1 << 40); return err },
			want: shm.ErrSize, says: fmt.Sprintf("ipc: queue of %d slots of 1 bytes (want at most 1073741824 slots of at most 1073741824): shm: bad size", 1<<40)},
		{name: "pool with a negative MaxTasksPerChild",
			do:   func(t *testing.T) error { _, err := ipc.NewPool(1, ipc.MaxTasksPerChild(-1)); return err },
			says: "ipc: MaxTasksPerChild(-1): want 0 (no limit) or more"},

		// Other misuse of queues, pipes and pools.
		{name: "queue with an unregistered codec",
			do:   func(t *testing.T) error { _, err := ipc.NewQueue[string](4, ipc.WithCodec("nope")); return err },
			want: ipc.ErrCodec, says: `ipc: codec "nope" not registered`},
		{name: "TaskDone more times than values were put",
			do: func(t *testing.T) error {
				q, err := ipc.NewJoinableQueue[int32](4)
				if err != nil {
					t.Fatal(err)
				}
				return q.TaskDone()
			},
			want: ipc.ErrTaskDone, says: "ipc: TaskDone called more times than items were put"},
		{name: "Send on the receiving end of a one-way pipe",
			do:   func(t *testing.T) error { r, _ := newPipe(t, false); return r.Send(ctxQ(t), []byte("x")) },
			want: ipc.ErrDirection, says: "ipc: wrong direction for this end of a one-way pipe"},
		{name: "Recv on the sending end of a one-way pipe",
			do:   func(t *testing.T) error { _, s := newPipe(t, false); _, err := s.Recv(ctxQ(t)); return err },
			want: ipc.ErrDirection, says: "ipc: wrong direction for this end of a one-way pipe"},
		{name: "Map on a closed pool",
			do: func(t *testing.T) error {
				p, err := ipc.NewPool(1)
				if err != nil {
					t.Fatal(err)
				}
				p.Close()
				if err := p.Join(ctxQ(t)); err != nil {
					t.Fatal(err)
				}
				_, err = ipc.Map(ctxQ(t), p, square, []int{1, 2})
				return err
			},
			want: ipc.ErrPoolClosed, says: "ipc: pool closed"},
		{name: "Kill of a process that has exited",
			do: func(t *testing.T) error {
				p := noop.Command(struct{}{})
				start(t, p)
				if err := wait(t, p); err != nil {
					t.Fatal(err)
				}
				return p.Kill()
			},
			want: os.ErrProcessDone, says: "ipc: process already finished"},

		// Registrations: programmer's errors.
		{name: "RegisterCodec of a taken name",
			do:     func(t *testing.T) error { ipc.RegisterCodec("gob", upperCodec{}); return nil },
			panics: "ipc: RegisterCodec called twice for name gob"},
		{name: "RegisterCodec of a nil codec",
			do:     func(t *testing.T) error { ipc.RegisterCodec("nil-codec", nil); return nil },
			panics: "ipc: RegisterCodec called with an empty name or a nil codec"},
		{name: "RegisterTask of a taken name",
			do: func(t *testing.T) error {
				ipc.RegisterTask("test.square", func(context.Context, int) (int, error) { return 0, nil })
				return nil
			},
			panics: "ipc: RegisterTask called twice for name test.square"},
		{name: "RegisterTask of an empty name",
			do: func(t *testing.T) error {
				ipc.RegisterTask("", func(context.Context, int) (int, error) { return 0, nil })
				return nil
			},
			panics: "ipc: RegisterTask called with an empty name"},
		{name: "RegisterTask of a nil function",
			do:     func(t *testing.T) error { ipc.RegisterTask[int, int]("nil-task", nil); return nil },
			panics: "ipc: RegisterTask called with a nil function for name nil-task"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t) })
	}
}

// check runs the misuse and checks what it gave.
func (tt misuse) check(t *testing.T) {
	t.Helper()
	var err error
	p := catchPanic(func() { err = tt.do(t) })
	switch {
	case tt.panics != "" && p == nil:
		t.Fatalf("got %v and no panic, want a panic %q", err, tt.panics)
	case tt.panics != "" && fmt.Sprint(p) != tt.panics:
		t.Fatalf("panicked with %q, want %q", fmt.Sprint(p), tt.panics)
	case tt.panics != "":
		t.Logf("panic: %v", p)
	case p != nil:
		t.Fatalf("panicked with %v, want an error", p)
	case err == nil:
		t.Fatalf("got no error, want one saying %q", tt.says)
	case errors.Is(err, context.DeadlineExceeded):
		t.Fatalf("got %v: it waited until its deadline, want it to return at once", err)
	case tt.want != nil && !errors.Is(err, tt.want):
		t.Fatalf("got %v, want an error wrapping %v", err, tt.want)
	case !strings.Contains(err.Error(), tt.says):
		t.Fatalf("got message %q, want it to say %q", err, tt.says)
	default:
		t.Logf("error: %v", err)
	}
}

func catchPanic(fn func()) (p any) {
	defer func() { p = recover() }()
	fn()
	return nil
}

func newQ[T any](t *testing.T, capacity int, opts ...ipc.QueueOption) *ipc.Queue[T] {
	t.Helper()
	q, err := ipc.NewQueue[T](capacity, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func newPipe(t *testing.T, duplex bool) (*ipc.Conn, *ipc.Conn) {
	t.Helper()
	a, b, err := ipc.Pipe(duplex)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func marshal(t *testing.T, v interface{ MarshalBinary() ([]byte, error) }) []byte {
	t.Helper()
	b, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeQueueHandle returns what a queue of typ encodes to, naming a fresh
// region of n zero bytes instead of a ring: what a faulty or hostile
// process could send. Gob matches the fields by name.
func fakeQueueHandle(t *testing.T, n int, typ string) []byte {
	t.Helper()
	reg, err := shm.NewRegion(n)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	h := struct {
		Region      *shm.Region
		Type, Codec string
	}{reg, typ, ""}
	if err := gob.NewEncoder(&b).Encode(h); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

package ring_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/internal/ring"
	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// deadline bounds every wait of a test.
const deadline = 20 * time.Second

// Work describes what a child does with a ring.
type Work struct {
	Reg   *shm.Region
	ID, N int // producer id and number of messages (producers); messages to take (consumers)
	Batch int // > 1: PutMany/GetMany of this many
	Out   *shm.Array[int32]
	Stop  bool // stop for ever between claiming a slot and using it
}

// Functions the test binary runs as a child.
var (
	producer = ipc.Register("ring-producer", func(ctx context.Context, w Work) error {
		r, err := ring.Attach(w.Reg.Bytes())
		if err != nil {
			return err
		}
		if w.Stop {
			ring.SetHookClaimed(func(bool) { select {} })
		}
		return produce(ctx, r, w.ID, w.N, w.Batch)
	})
	// consumer takes messages until the ring is closed and counts each one
	// it sees in w.Out at index id*w.N+seq.
	consumer = ipc.Register("ring-consumer", func(ctx context.Context, w Work) error {
		r, err := ring.Attach(w.Reg.Bytes())
		if err != nil {
			return err
		}
		if w.Stop {
			ring.SetHookClaimed(func(bool) { select {} })
		}
		return consume(ctx, r, w.Batch, func(id, seq int) {
			w.Out.Add(id*w.N+seq, 1)
		})
	})
)

// msg returns the 16-byte message seq of producer id.
func msg(id, seq int) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, uint64(id))
	binary.LittleEndian.PutUint64(b[8:], uint64(seq))
	return b
}

func parse(b []byte) (id, seq int) {
	if len(b) != 16 {
		return -1, -1
	}
	return int(binary.LittleEndian.Uint64(b)), int(binary.LittleEndian.Uint64(b[8:]))
}

// produce puts messages 0..n-1 of producer id, batch at a time.
func produce(ctx context.Context, r *ring.Ring, id, n, batch int) error {
	if batch <= 1 {
		for seq := range n {
			if err := r.Put(ctx, msg(id, seq)); err != nil {
				return err
			}
		}
		return nil
	}
	for seq := 0; seq < n; seq += batch {
		var msgs [][]byte
		for s := seq; s < min(seq+batch, n); s++ {
			msgs = append(msgs, msg(id, s))
		}
		if k, err := r.PutMany(ctx, msgs); err != nil || k != len(msgs) {
			return errors.Join(err, errors.New("short PutMany"))
		}
	}
	return nil
}

// consume takes messages until the ring is closed and drained, and calls
// seen with each.
func consume(ctx context.Context, r *ring.Ring, batch int, seen func(id, seq int)) error {
	dst := make([][]byte, max(batch, 1))
	for {
		var (
			n   int
			err error
		)
		if batch <= 1 {
			dst[0], err = r.Get(ctx, dst[0])
			n = 1
		} else {
			n, err = r.GetMany(ctx, dst)
		}
		if errors.Is(err, ring.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, b := range dst[:n] {
			seen(parse(b))
		}
	}
}

// newRing returns a new ring in shared memory.
func newRing(t testing.TB, slots, slotSize int) (*ring.Ring, *shm.Region) {
	t.Helper()
	reg, err := shm.NewRegion(ring.Size(slots, slotSize))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ring.Init(reg.Bytes(), slots, slotSize)
	if err != nil {
		t.Fatal(err)
	}
	return r, reg
}

// ctxT returns a context that ends at the test's deadline.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx
}

// attach returns a new view of the ring in reg.
func attach(t testing.TB, reg *shm.Region) *ring.Ring {
	t.Helper()
	r, err := ring.Attach(reg.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// start and wait are proctest's, under short names.
var (
	start = proctest.Start
	wait  = proctest.Wait
)

package ipc_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"golang.org/x/sys/unix"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// The linearizability test: processes use one small Queue at once, each
// recording the call and return time, input and output of every
// operation; porcupine (github.com/anishathalye/porcupine) then searches
// for an order of those operations that respects their real-time order
// and that a sequential bounded FIFO queue could have produced.
//
// Clock. Each process stamps its operations with CLOCK_MONOTONIC
// (clock_gettime). On Linux and macOS it is one clock for the whole
// machine, so stamps of different processes compare; time.Now's monotonic
// reading counts from each process's start, and its wall clock can jump.
// The stamp before a call is taken before the call begins and the one
// after it once it has returned, so each recorded interval holds the real
// one, which is all the check needs.
//
// Model. A queue of capacity c, plus Close:
//
//   - Put(v) succeeds when the queue is open and holds fewer than c values,
//     and appends v; TryPut(v) likewise when it reports true;
//   - Get and TryGet that return a value return the oldest one and remove
//     it; those that report ErrClosed need the queue closed and empty;
//   - Close closes the queue.
//
// TryPut reporting full and TryGet reporting empty are allowed in any
// state and change nothing: the ring under the queue is Vyukov's queue,
// in which TryGet that finds the oldest slot claimed by a producer that
// has not yet published its message reports empty, although later
// producers may have published theirs (and returned from Put) meanwhile;
// TryPut likewise reports full while the slot at the tail is still being
// read by a consumer that has claimed it. No sequential queue explains
// those answers (a Put that returned before TryGet began put a value that
// TryGet should have taken), and the docs of TryPut and TryGet ("if a
// slot is free", "if there is one") do not mention them; so the strict
// model, in which a failed TryPut or TryGet needs the queue full or empty,
// is checked too, and each answer it cannot explain is logged, not failed
// on. Blocking Put and Get, which wait past such a slot, and successful
// Try calls must satisfy the model.

// Operation kinds.
const (
	lzPut = iota + 1
	lzTryPut
	lzGet
	lzTryGet
	lzClose
)

// Fields of an operation in a process's log.
const (
	lzKind = iota
	lzValue
	lzResult // lzDone, lzFailed (TryPut full, TryGet empty) or lzClosed
	lzCall
	lzReturn
	lzFields
)

// Results of an operation.
const (
	lzDone   = 1
	lzFailed = 2
	lzClosed = 3
)

// lzMaxOps bounds the operations a process records.
const lzMaxOps = 256

// monotonicNow returns CLOCK_MONOTONIC in nanoseconds.
func monotonicNow() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		panic(err)
	}
	return ts.Nano()
}

// LzJob is what a process of the linearizability test receives.
type LzJob struct {
	Q     *ipc.Queue[int64]
	ID    int
	Puts  int    // a producer: how many values to put (Put, or TryPut until one succeeds)
	Seed  uint64 // draws Put or TryPut, Get or TryGet
	Log   *shm.Array[int64]
	Count *shm.Array[int64] // [ID]: operations in Log
	Ready *shm.Value[int64] // processes at the start line
	Go    *shm.Value[int64] // 1: start
	Bound time.Duration     // of every blocking call
}

// lzLog records operations in a process's log.
type lzLog struct {
	j LzJob
	n int
}

func (l *lzLog) add(kind int, value int64, result int, call, ret int64) error {
	if l.n >= lzMaxOps {
		return fmt.Errorf("more than %d operations", lzMaxOps)
	}
	b := l.n * lzFields
	for i, v := range []int64{int64(kind), value, int64(result), call, ret} {
		l.j.Log.Store(b+i, v)
	}
	l.n++
	l.j.Count.Store(l.j.ID, int64(l.n))
	return nil
}

var (
	lzProducer = ipc.Register("lz-producer", func(ctx context.Context, j LzJob) error {
		return lzStart(ctx, j, lzProduce)
	})
	lzConsumer = ipc.Register("lz-consumer", func(ctx context.Context, j LzJob) error {
		return lzStart(ctx, j, lzConsume)
	})
)

// lzStart waits at the start line, so that all processes overlap, then
// runs fn.
func lzStart(ctx context.Context, j LzJob, fn func(context.Context, LzJob, *lzLog) error) error {
	j.Ready.Add(1)
	for j.Go.Load() == 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(50 * time.Microsecond)
	}
	return fn(ctx, j, &lzLog{j: j})
}

// lzProduce puts j.Puts distinct values, each with Put or with TryPut; a
// TryPut that finds the queue full is followed by a Put of that value.
func lzProduce(ctx context.Context, j LzJob, l *lzLog) error {
	rng := rand.New(rand.NewPCG(j.Seed, uint64(j.ID)))
	for k := 0; k < j.Puts; k++ {
		v := int64(j.ID*1000 + k)
		if rng.IntN(2) == 0 {
			call := monotonicNow()
			ok, err := j.Q.TryPut(v)
			ret := monotonicNow()
			if err != nil {
				return err
			}
			if ok {
				if err := l.add(lzTryPut, v, lzDone, call, ret); err != nil {
					return err
				}
				continue
			}
			if err := l.add(lzTryPut, v, lzFailed, call, ret); err != nil {
				return err
			}
		}
		bctx, cancel := context.WithTimeout(ctx, j.Bound)
		call := monotonicNow()
		err := j.Q.Put(bctx, v)
		ret := monotonicNow()
		cancel()
		if err != nil {
			return fmt.Errorf("Put(%d): %w", v, err)
		}
		if err := l.add(lzPut, v, lzDone, call, ret); err != nil {
			return err
		}
	}
	return nil
}

// lzConsume takes values with Get or TryGet until the queue is closed and
// empty; a TryGet that finds it empty is followed by a Get.
func lzConsume(ctx context.Context, j LzJob, l *lzLog) error {
	rng := rand.New(rand.NewPCG(j.Seed, uint64(j.ID)))
	for {
		if rng.IntN(2) == 0 {
			call := monotonicNow()
			v, ok, err := j.Q.TryGet()
			ret := monotonicNow()
			switch {
			case errors.Is(err, ipc.ErrClosed):
				return l.add(lzTryGet, 0, lzClosed, call, ret)
			case err != nil:
				return err
			case ok:
				if err := l.add(lzTryGet, v, lzDone, call, ret); err != nil {
					return err
				}
				continue
			}
			if err := l.add(lzTryGet, 0, lzFailed, call, ret); err != nil {
				return err
			}
		}
		bctx, cancel := context.WithTimeout(ctx, j.Bound)
		call := monotonicNow()
		v, err := j.Q.Get(bctx)
		ret := monotonicNow()
		cancel()
		switch {
		case errors.Is(err, ipc.ErrClosed):
			return l.add(lzGet, 0, lzClosed, call, ret)
		case err != nil:
			return fmt.Errorf("Get: %w", err)
		}
		if err := l.add(lzGet, v, lzDone, call, ret); err != nil {
			return err
		}
	}
}

// lzMix is the test process's part: ops TryPut and TryGet calls, in a
// seeded mix (it never blocks, so it cannot hold up the others' end).
func lzMix(j LzJob, ops int) error {
	rng := rand.New(rand.NewPCG(j.Seed, uint64(j.ID)))
	l := &lzLog{j: j}
	k := 0
	for range ops {
		call := monotonicNow()
		if rng.IntN(2) == 0 {
			v := int64(j.ID*1000 + k)
			ok, err := j.Q.TryPut(v)
			ret := monotonicNow()
			if err != nil {
				return err
			}
			res := lzFailed
			if ok {
				res, k = lzDone, k+1
			}
			if err := l.add(lzTryPut, v, res, call, ret); err != nil {
				return err
			}
			continue
		}
		v, ok, err := j.Q.TryGet()
		ret := monotonicNow()
		if err != nil {
			return err
		}
		res := lzFailed
		if ok {
			res = lzDone
		}
		if err := l.add(lzTryGet, v, res, call, ret); err != nil {
			return err
		}
	}
	return nil
}

// Sizes of a run: producer and consumer processes, values each producer
// puts, operations of the test process.
const (
	lzProducers = 2
	lzConsumers = 2
	lzPutsEach  = 30
	lzMixOps    = 30
)

// lzRun runs the processes on a queue of capacity c and returns the
// history: the operations of every process, and the test process's Close
// once the producers and its own operations are done.
func lzRun(t *testing.T, c int, seed uint64) []porcupine.Operation {
	t.Helper()
	q, err := ipc.NewQueue[int64](c)
	if err != nil {
		t.Fatal(err)
	}
	clients := lzProducers + lzConsumers + 1
	logs := make([]*shm.Array[int64], clients)
	for i := range logs {
		if logs[i], err = shm.MakeArray[int64](lzMaxOps * lzFields); err != nil {
			t.Fatal(err)
		}
	}
	count, err := shm.MakeArray[int64](clients + 1)
	if err != nil {
		t.Fatal(err)
	}
	ready, err := shm.NewValue[int64](0)
	if err != nil {
		t.Fatal(err)
	}
	goFlag, err := shm.NewValue[int64](0)
	if err != nil {
		t.Fatal(err)
	}
	job := func(id int) LzJob {
		return LzJob{Q: q, ID: id, Puts: lzPutsEach, Seed: seed, Log: logs[id], Count: count, Ready: ready, Go: goFlag, Bound: 10 * time.Second}
	}
	var prods, conss []*ipc.Process
	for i := range lzProducers {
		p := lzProducer.Command(job(i))
		start(t, p)
		prods = append(prods, p)
	}
	for i := range lzConsumers {
		p := lzConsumer.Command(job(lzProducers + i))
		start(t, p)
		conss = append(conss, p)
	}
	deadline := time.Now().Add(30 * time.Second)
	for ready.Load() < int64(lzProducers+lzConsumers) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d processes at the start line after 30s", ready.Load(), lzProducers+lzConsumers)
		}
		time.Sleep(100 * time.Microsecond)
	}
	goFlag.Store(1)
	if err := lzMix(job(clients-1), lzMixOps); err != nil {
		t.Fatalf("test process: %v", err)
	}
	for _, p := range prods {
		if err := wait(t, p); err != nil {
			t.Fatalf("producer: %v", err)
		}
	}
	call := monotonicNow()
	q.Close()
	closeOp := porcupine.Operation{ClientId: clients, Input: lzInput{Kind: lzClose}, Call: call, Output: lzOutput{Result: lzDone}, Return: monotonicNow()}
	for _, p := range conss {
		if err := wait(t, p); err != nil {
			t.Fatalf("consumer: %v", err)
		}
	}
	h := []porcupine.Operation{closeOp}
	for id, l := range logs {
		for i := range int(count.Load(id)) {
			f := func(k int) int64 { return l.Load(i*lzFields + k) }
			h = append(h, porcupine.Operation{ClientId: id,
				Input: lzInput{Kind: int(f(lzKind)), Value: inputValue(f)}, Call: f(lzCall),
				Output: lzOutput{Result: int(f(lzResult)), Value: outputValue(f)}, Return: f(lzReturn)})
		}
	}
	return h
}

// inputValue and outputValue split a logged value: a Put's is its input,
// a Get's its output.
func inputValue(f func(int) int64) int64 {
	if k := f(lzKind); k == lzPut || k == lzTryPut {
		return f(lzValue)
	}
	return 0
}

func outputValue(f func(int) int64) int64 {
	if k := f(lzKind); k == lzGet || k == lzTryGet {
		return f(lzValue)
	}
	return 0
}

// lzInput and lzOutput are an operation's input and output in the model.
type lzInput struct {
	Kind  int
	Value int64 // of a Put or TryPut
	// Strict: a failed TryPut or TryGet must find the queue full or empty
	// (see the comment at the top of this file).
	Strict bool
}

type lzOutput struct {
	Result int   // lzDone, lzFailed or lzClosed
	Value  int64 // of a Get or TryGet that is done
}

// lzMaxCap bounds the capacity of the queues modelled.
const lzMaxCap = 4

// lzState is the model's state: the values in the queue, oldest first,
// and whether it is closed. It is comparable, as porcupine's default
// equality needs.
type lzState struct {
	n      int
	v      [lzMaxCap]int64
	closed bool
}

// lzModel is the sequential specification of a queue of capacity c. A
// TryPut or TryGet whose input is Strict reports full or empty only when
// the queue is so (see the comment at the top of this file).
func lzModel(c int) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return lzState{} },
		Step: func(state, input, output any) (bool, any) {
			s, in, out := state.(lzState), input.(lzInput), output.(lzOutput)
			switch in.Kind {
			case lzClose:
				s.closed = true
				return true, s
			case lzPut, lzTryPut:
				if out.Result == lzFailed {
					return !in.Strict || s.n == c, s
				}
				if out.Result != lzDone || s.closed || s.n == c {
					return false, s
				}
				s.v[s.n] = in.Value
				s.n++
				return true, s
			case lzGet, lzTryGet:
				switch out.Result {
				case lzFailed:
					return !in.Strict || (s.n == 0 && !s.closed), s
				case lzClosed:
					return s.closed && s.n == 0, s
				}
				if s.n == 0 || s.v[0] != out.Value {
					return false, s
				}
				copy(s.v[:], s.v[1:s.n])
				s.n--
				s.v[s.n] = 0
				return true, s
			}
			return false, s
		},
		Hash: func(state any) uint64 {
			s := state.(lzState)
			h := uint64(s.n)
			for _, v := range s.v[:s.n] {
				h = h*1_000_003 ^ uint64(v)
			}
			if s.closed {
				h ^= 1 << 63
			}
			return h
		},
		DescribeOperation: func(input, output any) string {
			in, out := input.(lzInput), output.(lzOutput)
			name := [...]string{lzPut: "Put", lzTryPut: "TryPut", lzGet: "Get", lzTryGet: "TryGet", lzClose: "Close"}[in.Kind]
			res := [...]string{lzDone: "ok", lzFailed: "failed", lzClosed: "closed"}[out.Result]
			switch in.Kind {
			case lzPut, lzTryPut:
				return fmt.Sprintf("%s(%d) %s", name, in.Value, res)
			case lzGet, lzTryGet:
				if out.Result == lzDone {
					return fmt.Sprintf("%s() = %d", name, out.Value)
				}
			}
			return fmt.Sprintf("%s() %s", name, res)
		},
	}
}

// lzCheckTimeout bounds each check; the histories here take milliseconds.
const lzCheckTimeout = 20 * time.Second

// lzCheck checks h against the model and returns porcupine's verdict.
func lzCheck(t *testing.T, c int, h []porcupine.Operation) porcupine.CheckResult {
	t.Helper()
	t0 := time.Now()
	res := porcupine.CheckOperationsTimeout(lzModel(c), h, lzCheckTimeout)
	t.Logf("capacity %d, %d operations: %s in %v", c, len(h), res, time.Since(t0).Round(time.Microsecond))
	return res
}

// lzStrict returns h with the failed TryPut and TryGet calls that keep
// (keep(i) for h[i]) made Strict.
func lzStrict(h []porcupine.Operation, keep func(i int) bool) []porcupine.Operation {
	out := append([]porcupine.Operation(nil), h...)
	for i, op := range out {
		in := op.Input.(lzInput)
		if (in.Kind == lzTryPut || in.Kind == lzTryGet) && op.Output.(lzOutput).Result == lzFailed && keep(i) {
			in.Strict = true
			out[i].Input = in
		}
	}
	return out
}

// lzSpurious returns the failed TryPut and TryGet calls of h that no
// sequential queue explains, each checked alone, with the plainest reason
// the history shows: for a TryGet, the values certainly in the queue all
// through the call (put before it began, taken after it ended); for a
// TryPut, all the values that could be in the queue during it (put before
// it ended, not taken before it began), fewer than the capacity.
func lzSpurious(c int, h []porcupine.Operation) []string {
	var out []string
	m := lzModel(c)
	putOf, getOf := map[int64]porcupine.Operation{}, map[int64]porcupine.Operation{}
	for _, o := range h {
		in, res := o.Input.(lzInput), o.Output.(lzOutput)
		switch {
		case res.Result != lzDone:
		case in.Kind == lzPut || in.Kind == lzTryPut:
			putOf[in.Value] = o
		case in.Kind == lzGet || in.Kind == lzTryGet:
			getOf[res.Value] = o
		}
	}
	for i, op := range h {
		in := op.Input.(lzInput)
		if (in.Kind != lzTryPut && in.Kind != lzTryGet) || op.Output.(lzOutput).Result != lzFailed {
			continue
		}
		if porcupine.CheckOperationsTimeout(m, lzStrict(h, func(k int) bool { return k == i }), lzCheckTimeout) != porcupine.Illegal {
			continue
		}
		var certain, possible []int64
		for v, p := range putOf {
			g, taken := getOf[v]
			if p.Return < op.Call && (!taken || g.Call > op.Return) {
				certain = append(certain, v)
			}
			if p.Call <= op.Return && (!taken || g.Return >= op.Call) {
				possible = append(possible, v)
			}
		}
		slices.Sort(certain)
		slices.Sort(possible)
		why := "the reason spans more of the history"
		switch {
		case in.Kind == lzTryGet && len(certain) > 0:
			why = fmt.Sprintf("values %v were in the queue all through it", certain)
		case in.Kind == lzTryPut && len(possible) < c:
			why = fmt.Sprintf("at most the values %v could be in the queue during it, capacity %d", possible, c)
		}
		out = append(out, fmt.Sprintf("client %d: %s (%d ns): %s", op.ClientId, m.DescribeOperation(op.Input, op.Output), op.Return-op.Call, why))
	}
	return out
}

// Histories recorded from real processes are linearizable.
func TestQueue_Linearizable_Processes(t *testing.T) {
	rounds := 4
	if testing.Short() {
		rounds = 2
	}
	strictFails := 0
	for r := range rounds {
		seed := uint64(r + 1)
		c := 2 + r%(lzMaxCap-1)
		t.Run(fmt.Sprintf("seed %d capacity %d", seed, c), func(t *testing.T) {
			h := lzRun(t, c, seed)
			t.Logf("%d operations, up to %d at once", len(h), lzConcurrency(h))
			if got := lzCheck(t, c, h); got != porcupine.Ok {
				t.Fatalf("history of %d operations: %s, want linearizable:\n%s", len(h), got, lzDescribe(h))
			}
			if lzCheck(t, c, lzStrict(h, func(int) bool { return true })) != porcupine.Ok {
				strictFails++
				for _, s := range lzSpurious(c, h) {
					t.Logf("spurious: %s", s)
				}
			}
			lzCorrupt(t, c, h)
		})
	}
	t.Logf("%d of %d histories had TryPut report full or TryGet empty where a sequential queue could not (allowed, see the model)", strictFails, rounds)
}

// lzCorrupt checks that two corruptions of a real history are found: a
// value received twice, and two values of one producer received by one
// consumer in the opposite order of their Puts.
func lzCorrupt(t *testing.T, c int, h []porcupine.Operation) {
	t.Helper()
	var gets []int // indexes of Gets that returned a value
	for i, op := range h {
		if k := op.Input.(lzInput).Kind; (k == lzGet || k == lzTryGet) && op.Output.(lzOutput).Result == lzDone {
			gets = append(gets, i)
		}
	}
	if len(gets) < 2 {
		t.Fatalf("only %d values received", len(gets))
	}
	dup := append([]porcupine.Operation(nil), h...)
	a, b := gets[0], gets[len(gets)-1]
	dup[b].Output = lzOutput{Result: lzDone, Value: dup[a].Output.(lzOutput).Value}
	if got := lzCheck(t, c, dup); got != porcupine.Illegal {
		t.Errorf("value %d received twice: %s, want illegal", dup[a].Output.(lzOutput).Value, got)
	}
	// Two Gets of one process, one before the other, of values one
	// producer put one after the other: swapped, the later value comes out
	// first, which no FIFO queue does.
	for _, i := range gets {
		for _, j := range gets {
			gi, gj := h[i], h[j]
			vi, vj := gi.Output.(lzOutput).Value, gj.Output.(lzOutput).Value
			if gi.ClientId != gj.ClientId || gi.Return >= gj.Call || vi/1000 != vj/1000 || vi >= vj {
				continue
			}
			swapped := append([]porcupine.Operation(nil), h...)
			swapped[i].Output, swapped[j].Output = gj.Output, gi.Output
			if got := lzCheck(t, c, swapped); got != porcupine.Illegal {
				t.Errorf("values %d and %d received in the opposite order of their Puts: %s, want illegal", vi, vj, got)
			}
			return
		}
	}
	t.Errorf("no two values of one producer received by one consumer to swap, in %d operations", len(h))
}

// lzConcurrency returns the largest number of operations of h in progress
// at one moment.
func lzConcurrency(h []porcupine.Operation) int {
	type edge struct {
		t     int64
		delta int
	}
	var es []edge
	for _, op := range h {
		es = append(es, edge{op.Call, 1}, edge{op.Return + 1, -1})
	}
	slices.SortFunc(es, func(a, b edge) int {
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		return b.delta - a.delta
	})
	n, most := 0, 0
	for _, e := range es {
		n += e.delta
		most = max(most, n)
	}
	return most
}

// lzDescribe lists a history, ordered by call time, for a failure message.
func lzDescribe(h []porcupine.Operation) string {
	m := lzModel(lzMaxCap)
	var b strings.Builder
	sorted := append([]porcupine.Operation(nil), h...)
	slices.SortStableFunc(sorted, func(a, b porcupine.Operation) int { return cmp.Compare(a.Call, b.Call) })
	for _, op := range sorted {
		fmt.Fprintf(&b, "  client %d [%d, %d] %s\n", op.ClientId, op.Call-sorted[0].Call, op.Return-sorted[0].Call,
			m.DescribeOperation(op.Input, op.Output))
	}
	return b.String()
}

// The checker rejects small histories that no FIFO queue produces, and
// accepts their correct twins, so the test above can fail.
func TestQueue_Linearizable_CheckerRejects(t *testing.T) {
	put := func(client int, v int64, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: lzInput{Kind: lzPut, Value: v}, Call: call, Output: lzOutput{Result: lzDone}, Return: ret}
	}
	get := func(client int, v int64, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: lzInput{Kind: lzGet}, Call: call, Output: lzOutput{Result: lzDone, Value: v}, Return: ret}
	}
	tryPut := func(client int, v int64, res int, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: lzInput{Kind: lzTryPut, Value: v}, Call: call, Output: lzOutput{Result: res}, Return: ret}
	}
	tryGet := func(client int, res int, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: lzInput{Kind: lzTryGet}, Call: call, Output: lzOutput{Result: res}, Return: ret}
	}
	strict := func(ops ...porcupine.Operation) []porcupine.Operation {
		return lzStrict(ops, func(int) bool { return true })
	}
	closed := func(client int, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: lzInput{Kind: lzGet}, Call: call, Output: lzOutput{Result: lzClosed}, Return: ret}
	}
	closeOp := func(call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: 9, Input: lzInput{Kind: lzClose}, Call: call, Output: lzOutput{Result: lzDone}, Return: ret}
	}
	tests := []struct {
		name string
		h    []porcupine.Operation
		want porcupine.CheckResult
	}{
		{"fifo", []porcupine.Operation{put(0, 1, 0, 1), put(0, 2, 2, 3), get(1, 1, 4, 5), get(1, 2, 6, 7)}, porcupine.Ok},
		{"out of order", []porcupine.Operation{put(0, 1, 0, 1), put(0, 2, 2, 3), get(1, 2, 4, 5), get(1, 1, 6, 7)}, porcupine.Illegal},
		{"concurrent puts, either order", []porcupine.Operation{put(0, 1, 0, 10), put(2, 2, 0, 10), get(1, 2, 11, 12), get(1, 1, 13, 14)}, porcupine.Ok},
		{"twice", []porcupine.Operation{put(0, 1, 0, 1), get(1, 1, 2, 3), get(2, 1, 4, 5)}, porcupine.Illegal},
		{"never put", []porcupine.Operation{put(0, 1, 0, 1), get(1, 3, 2, 3)}, porcupine.Illegal},
		{"over capacity", []porcupine.Operation{put(0, 1, 0, 1), put(0, 2, 2, 3), put(0, 3, 4, 5)}, porcupine.Illegal},
		{"closed while not empty", []porcupine.Operation{put(0, 1, 0, 1), closeOp(2, 3), closed(1, 4, 5)}, porcupine.Illegal},
		{"closed once empty", []porcupine.Operation{put(0, 1, 0, 1), closeOp(2, 3), get(1, 1, 4, 5), closed(1, 6, 7)}, porcupine.Ok},
		{"empty with a value in, relaxed", []porcupine.Operation{put(0, 1, 0, 1), tryGet(1, lzFailed, 2, 3)}, porcupine.Ok},
		{"empty with a value in, strict", strict(put(0, 1, 0, 1), tryGet(1, lzFailed, 2, 3)), porcupine.Illegal},
		{"full with room, strict", strict(tryPut(0, 1, lzFailed, 0, 1)), porcupine.Illegal},
		{"full when full, strict", strict(put(0, 1, 0, 1), put(0, 2, 2, 3), tryPut(0, 3, lzFailed, 4, 5)), porcupine.Ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := porcupine.CheckOperationsTimeout(lzModel(2), tt.h, lzCheckTimeout); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

package chaos

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
	"golang.org/x/sys/unix"
)

// poolTask is the argument of a pool task.
type poolTask struct {
	Index, X int
	Sleep    time.Duration
	Started  *shm.Array[int64] // [Index]: the pid of the worker, once it runs the task
}

// poolOut is the result of a pool task.
type poolOut struct {
	Square, Pid int
}

var square = ipc.RegisterTask("chaos.square", runSquare)

// runSquare records which worker runs it, works for a while (so that it
// can be killed in the middle) and returns the square of its number.
func runSquare(ctx context.Context, t poolTask) (poolOut, error) {
	t.Started.Store(t.Index, int64(os.Getpid()))
	select {
	case <-time.After(t.Sleep):
	case <-ctx.Done():
		return poolOut{}, ctx.Err()
	}
	return poolOut{Square: t.X * t.X, Pid: os.Getpid()}, nil
}

// batchSize is the number of tasks of one ipc.ImapUnordered call.
const batchSize = 12

// poolRun is a round's pool workload: batches of tasks mapped with
// ipc.ImapUnordered, one task a chunk, until the round stops; and the
// killing of the workers running them.
type poolRun struct {
	pool    *ipc.Pool
	started *shm.Array[int64] // batchSize slots; in a segment the workers have
	rng     *rand.Rand        // of the task sleeps
	bound   time.Duration
	stop    atomic.Bool

	mu       sync.Mutex
	done     []bool                 // of the current batch: the task yielded
	killed   map[int]syscall.Signal // pid → the signal sent
	failedBy map[int]int            // pid → tasks failed naming it

	// Totals, read after run returns.
	tasks, failed int
}

func newPoolRun(pool *ipc.Pool, started *shm.Array[int64], seed uint64, bound time.Duration) *poolRun {
	return &poolRun{pool: pool, started: started, rng: rand.New(rand.NewPCG(seed, 0x9001)), bound: bound,
		killed: map[int]syscall.Signal{}, failedBy: map[int]int{}}
}

// run maps batches until stop is set; a batch that does not finish within
// the bound is a hang and ends the run.
func (pr *poolRun) run(r *round) {
	for !pr.stop.Load() && pr.batch(r) {
	}
	r.violations(checkPoolFailures(pr.failedBy))
}

// batch maps one batch and checks its outcomes. It reports false after a
// hang.
func (pr *poolRun) batch(r *round) bool {
	args := make([]poolTask, batchSize)
	for i := range args {
		args[i] = poolTask{Index: i, X: pr.rng.IntN(1000), Sleep: time.Duration(500+pr.rng.IntN(3000)) * time.Microsecond, Started: pr.started}
	}
	pr.mu.Lock()
	pr.done = make([]bool, batchSize)
	for i := range batchSize {
		pr.started.Store(i, 0)
	}
	pr.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), pr.bound)
	defer cancel()
	var outs []poolOutcome
	for res, err := range ipc.ImapUnordered(ctx, pr.pool, square, args, ipc.ChunkSize(1)) {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			r.hang("pool: ImapUnordered yielded %d of %d results in %v", len(outs), len(args), pr.bound)
			return false
		}
		outs = append(outs, poolOutcome{Index: res.Index, Value: res.Value, Err: err})
		pr.mu.Lock()
		if res.Index >= 0 && res.Index < batchSize {
			pr.done[res.Index] = true
		}
		pr.mu.Unlock()
	}
	pr.mu.Lock()
	killed := maps.Clone(pr.killed)
	pr.mu.Unlock()
	failedBy, problems := checkPool(poolView{Args: args, Outcomes: outs, Killed: killed})
	r.violations(problems)
	for pid, n := range failedBy {
		pr.failedBy[pid] += n
		pr.failed += n
	}
	pr.tasks += len(args)
	return true
}

// kill sends sig to a worker that runs a task of the current batch, chosen
// with rng among those, waiting up to 50 ms for one to run. The worker's
// pid comes from the task itself: the pool does not publish its workers'
// pids. It reports whether it sent the signal.
func (pr *poolRun) kill(r *round, sig syscall.Signal, rng *rand.Rand) bool {
	deadline := time.Now().Add(50 * time.Millisecond)
	for {
		if pid := pr.pick(sig, rng); pid != 0 {
			if unix.Kill(pid, sig) != nil {
				return false // gone already
			}
			r.countKill(sig)
			return true
		}
		if time.Now().After(deadline) || pr.stop.Load() {
			return false
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// pick chooses a pid that runs a task not yet done and was not killed
// before, and records it as killed with sig (before the signal is sent,
// so that a result naming it is never checked without it).
func (pr *poolRun) pick(sig syscall.Signal, rng *rand.Rand) int {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	var pids []int
	for i, d := range pr.done {
		if pid := int(pr.started.Load(i)); !d && pid != 0 && pr.killed[pid] == 0 {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		return 0
	}
	pid := pids[rng.IntN(len(pids))]
	pr.killed[pid] = sig
	return pid
}

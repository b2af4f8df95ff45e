package ipc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shmkit/shmkit/internal/ring"
	"github.com/shmkit/shmkit/shm"
)

// Sizes of a pool's queues. A message is one chunk of arguments or one
// part of a chunk's results; larger ones are split before they are sent.
const (
	poolMaxMessage  = 64 << 10
	poolTaskSlots   = 16 // per worker: room for the largest window
	poolResultSlots = 64
	// poolWindow is how many chunks a worker holds at least while its
	// chunks are quick: one it runs and one ready for when it is done. It
	// holds more when they are quicker still, as many as take about
	// poolAhead to run (at most poolTaskSlots), so that it never waits for
	// the parent's next chunk. A worker whose chunks take poolLong or more,
	// or that has not yet finished one, holds one at a time: the parent's
	// next chunk reaches it in tens of microseconds, under 1 % of such a
	// chunk, while a chunk held ahead waits behind a long one and can keep
	// that worker busy for a chunk's time after the others have run out
	// (a map's last chunks), as it did for the factorial demo's map.
	poolWindow = 2
	poolAhead  = 200 * time.Microsecond
	poolLong   = 5 * time.Millisecond
	// poolSegmentSlack is room in the pool's segment for each queue's
	// entry and alignment, and for the segment's header.
	poolSegmentSlack = 4 << 10
)

// Pool is a set of long-lived worker processes that run registered tasks
// ([RegisterTask]). Python: multiprocessing.Pool. Use it with [Map],
// [Imap], [ImapUnordered], [Starmap], [Apply] and [ApplyAsync].
//
// Tasks travel to the workers and results back through shared-memory
// queues, a chunk of arguments at a time. Each worker has its own task
// queue: the chunk it runs, and more ahead when its chunks are quick
// (those that take 5 ms or more go one at a time, so that a map's last
// chunks go to whichever worker is free first). It is filled once the
// worker has said it is ready (after its initializer), so the
// first tasks go to the workers that start first. The pool knows which
// tasks a worker holds: if a worker dies
// (killed, out of memory, a crash outside a task), the tasks it had not
// started go to another worker, the one it was running fails with a
// [*TaskError] whose Exit names the worker's pid and its exit status or
// signal, and a new worker takes its place. Nothing hangs, and every other
// result is delivered. (Python's Pool hangs in that case.)
//
// Arguments and results travel in messages of at most 64 KiB: a chunk is
// split to fit, but a single argument or result that encodes to more
// fails with [ErrTooLarge] (a [*TaskError] for a result). Pass big data
// through shared memory instead: put it in an shm.Array or shm.Region and
// give the task the handle, which is a few bytes.
//
// A Pool must be closed: [Pool.Close] and [Pool.Join], or
// [Pool.Terminate].
type Pool struct {
	cfg      poolConfig
	seg      *shm.Segment // the queues' memory, released when the pool is over
	results  *Queue[[]byte]
	monitors sync.WaitGroup // the goroutines that report workers' exits

	mu         sync.Mutex
	workers    []*worker
	calls      map[uint64]*call // submitted, not done
	pending    []*call          // submitted, not yet given to a worker
	nextID     uint64
	closed     bool  // Close or Terminate: no new tasks
	terminated bool  // Terminate: kill everything
	over       bool  // every worker exited and the queues are unmapped
	broken     error // workers cannot start: every task fails with it
	joined     chan struct{}
}

// worker is one slot of the pool and the process in it.
type worker struct {
	slot, gen   int
	proc        *Process
	tasks       *Queue[[]byte]
	outstanding map[uint64]*call // given to this process, not done
	given       int              // chunks given to this process
	done        int              // chunks this process finished
	ready       bool             // the process said it is ready for tasks (msgReady)
	exited      bool
	closing     bool          // its task queue is closed: it exits when empty
	lastDone    time.Time     // when its last chunk came back
	chunkTime   time.Duration // a moving average of the time it takes for a chunk
}

// window returns how many chunks w may hold: see poolWindow.
func (w *worker) window() int {
	if w.chunkTime <= 0 || w.chunkTime >= poolLong {
		return 1
	}
	return int(min(max(poolAhead/w.chunkTime, poolWindow), poolTaskSlots))
}

// finished updates w's chunk time with the chunk c, given at c.sent,
// done now: the chunk ran from when it was given or when the previous
// one came back, whichever is later (a worker runs its chunks in order).
func (w *worker) finished(c *call, now time.Time) {
	start := c.sent
	if w.lastDone.After(start) {
		start = w.lastDone
	}
	w.lastDone = now
	d := now.Sub(start)
	if w.chunkTime == 0 {
		w.chunkTime = d
	} else {
		w.chunkTime += (d - w.chunkTime) / 8
	}
	w.chunkTime = max(w.chunkTime, time.Nanosecond)
}

// call is one chunk of tasks on its way through the pool.
type call struct {
	id     uint64
	fn     string
	chunk  []byte
	n      int           // items in the chunk
	parts  []encodedPart // results received
	got    int           // items received
	err    error         // the chunk failed as a whole
	done   chan struct{} // closed when parts cover n items, or err is set
	notify chan<- *call  // if set, receives the call when done
	worker *worker       // holding it, if given
	sent   time.Time     // when it was given to worker
}

// PoolOption configures a [Pool] or an [Executor].
type PoolOption func(*poolConfig)

type poolConfig struct {
	maxTasks int
	procs    int // GOMAXPROCS of a worker; 0: its share of the CPUs
	initName string
	initArg  []byte
	initErr  error
}

// MaxTasksPerChild makes each worker exit after n chunks of tasks and be
// replaced by a fresh one. Python: maxtasksperchild.
func MaxTasksPerChild(n int) PoolOption { return func(c *poolConfig) { c.maxTasks = n } }

// WorkerProcs sets GOMAXPROCS, the CPUs that a worker's goroutines may use
// at once, to k in each worker. By default a worker gets its share of the
// CPUs: runtime.NumCPU() over the number of workers, at least 1 (unless
// the GOMAXPROCS environment variable is set, which the workers inherit).
//
// The share keeps CPU-bound workers out of each other's way: a Go process
// allowed more CPUs than its goroutines keep busy runs its garbage
// collector's idle workers on the others, which in a pool are the other
// workers' CPUs. (The factorial demo's map on 2 workers and 2 CPUs: 2-3 %
// faster with 1 each than with 2, medians of 10.) Give more when a task
// runs goroutines of its own that should spread over several CPUs.
//
// A worker is started with GOMAXPROCS in its environment, then puts the
// variable back as it is in the parent, so that its tasks, and the
// processes they start, see the parent's.
func WorkerProcs(k int) PoolOption { return func(c *poolConfig) { c.procs = k } }

// Initializer makes each worker run f with arg once, before its first
// task. Python: initializer and initargs. If it fails, the pool is broken:
// every task fails with its error.
func Initializer[A any](f *Func[A], arg A) PoolOption {
	return func(c *poolConfig) {
		c.initName = f.name
		c.initArg, c.initErr = encodeArg(arg)
	}
}

// workerArgs is what each worker process receives.
type workerArgs struct {
	Slot, Gen int
	Tasks     *Queue[[]byte]
	Results   *Queue[[]byte]
	MaxTasks  int
	Procs     int // the worker's GOMAXPROCS, given in its environment; 0: leave it
	// The parent's GOMAXPROCS variable, which the worker restores for its
	// tasks and their children.
	GOMAXPROCS    string
	HadGOMAXPROCS bool
	InitName      string
	InitArg       []byte
}

var poolWorker = Register("shmkit.pool.worker", runWorker)

// initFailure starts the error of a worker whose initializer failed.
const initFailure = "ipc: pool initializer failed: "

// NewPool starts a pool of n worker processes (n <= 0: one per CPU).
func NewPool(n int, opts ...PoolOption) (*Pool, error) {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	p := &Pool{calls: map[uint64]*call{}, joined: make(chan struct{})}
	for _, o := range opts {
		o(&p.cfg)
	}
	if p.cfg.initErr != nil {
		return nil, p.cfg.initErr
	}
	if p.cfg.maxTasks < 0 {
		return nil, fmt.Errorf("ipc: MaxTasksPerChild(%d): want 0 (no limit) or more", p.cfg.maxTasks)
	}
	switch {
	case p.cfg.procs < 0:
		return nil, fmt.Errorf("ipc: WorkerProcs(%d): want 1 or more (0: a share of the CPUs)", p.cfg.procs)
	case p.cfg.procs == 0 && os.Getenv("GOMAXPROCS") == "":
		p.cfg.procs = max(1, runtime.NumCPU()/n)
	}
	// The queues live in a segment of their own, unmapped when the pool is
	// over, rather than in the default arena, which never gives memory back
	// (and every child started later would map).
	need := ring.Size(poolResultSlots, poolMaxMessage) + n*ring.Size(poolTaskSlots, poolMaxMessage) + poolSegmentSlack*(n+2)
	need += need / 7 // a segment names its objects in a table of up to an eighth of its size
	var err error
	// Sparse: of each 64 KiB slot, small messages touch the first page.
	if p.seg, err = shm.NewSegment(need, shm.Sparse()); err != nil {
		return nil, fmt.Errorf("ipc: pool of %d workers: %w", n, err)
	}
	in := QueueIn(p.seg)
	if p.results, err = NewQueue[[]byte](poolResultSlots, MaxMessage(poolMaxMessage), in); err != nil {
		p.seg.Close()
		return nil, err
	}
	for i := range n {
		q, err := NewQueue[[]byte](poolTaskSlots, MaxMessage(poolMaxMessage), in)
		if err != nil {
			p.abort()
			return nil, err
		}
		w := &worker{slot: i, tasks: q}
		p.workers = append(p.workers, w)
		if err := p.startWorker(w); err != nil {
			p.abort()
			return nil, err
		}
	}
	go p.collect()
	return p, nil
}

// Size returns the number of worker slots.
func (p *Pool) Size() int { return len(p.workers) }

// startWorker starts a process in w's slot. The caller holds p.mu, or owns
// p alone.
func (p *Pool) startWorker(w *worker) error {
	args := workerArgs{Slot: w.slot, Gen: w.gen, Tasks: w.tasks, Results: p.results,
		MaxTasks: p.cfg.maxTasks, Procs: p.cfg.procs, InitName: p.cfg.initName, InitArg: p.cfg.initArg}
	var env []string
	if args.Procs > 0 {
		// The worker starts with its GOMAXPROCS: setting it later, with
		// runtime.GOMAXPROCS, stops the world and hands back the caches of
		// the Ps it drops, which took half of a fresh worker's CPU time
		// before its first task (page faults for the central span sets).
		// The worker puts the variable back as it was here (see runWorker).
		args.GOMAXPROCS, args.HadGOMAXPROCS = os.LookupEnv("GOMAXPROCS")
		env = []string{"GOMAXPROCS=" + strconv.Itoa(args.Procs)}
	}
	proc := poolWorker.Command(args)
	proc.env = env
	if err := proc.Start(); err != nil {
		return fmt.Errorf("ipc: start pool worker: %w", err)
	}
	w.proc, w.outstanding, w.given, w.done, w.ready, w.exited, w.closing = proc, map[uint64]*call{}, 0, 0, false, false, false
	p.monitors.Add(1)
	go p.monitor(w.slot, w.gen, proc)
	return nil
}

// abort ends a pool that NewPool could not finish: its workers are killed
// and reaped, and its memory released.
func (p *Pool) abort() {
	p.Terminate()
	p.monitors.Wait()
	p.seg.Close()
}

// monitor reports the exit of a worker process through the results queue,
// behind every result the worker published: the collector then fails only
// what the worker really did not finish.
func (p *Pool) monitor(slot, gen int, proc *Process) {
	defer p.monitors.Done()
	<-proc.Done()
	p.results.Put(context.Background(), exitedMsg(slot, gen)) // fails only once the pool is over
}

// submit queues a chunk for the workers.
func (p *Pool) submit(fn string, chunk []byte, n int, notify chan<- *call) (*call, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrPoolClosed
	}
	if p.broken != nil {
		return nil, p.broken
	}
	p.nextID++
	c := &call{id: p.nextID, fn: fn, chunk: chunk, n: n, done: make(chan struct{}), notify: notify}
	p.calls[c.id] = c
	p.pending = append(p.pending, c)
	p.dispatch()
	return c, nil
}

// dispatch gives pending calls to the ready workers holding the fewest, in
// order. A worker still starting gets none: the calls wait for the first
// worker ready, rather than in the queue of one that may start last (the
// processes of a pool reach their first task 2-4 ms apart on 2 CPUs, in
// no set order). The caller holds p.mu.
func (p *Pool) dispatch() {
	for len(p.pending) > 0 {
		var best *worker
		for _, w := range p.workers {
			if !w.ready || w.exited || w.closing || (p.cfg.maxTasks > 0 && w.given >= p.cfg.maxTasks) || len(w.outstanding) >= w.window() {
				continue
			}
			if best == nil || len(w.outstanding) < len(best.outstanding) {
				best = w
			}
		}
		if best == nil {
			return
		}
		c := p.pending[0]
		ok, err := best.tasks.TryPut(taskMsg(c.id, c.fn, c.chunk))
		if err != nil {
			p.pending = p.pending[1:]
			p.finish(c, fmt.Errorf("ipc: queue a task of %s: %w", c.fn, err))
			continue
		}
		if !ok { // full: the worker still holds a finished chunk's slot
			return
		}
		p.pending = p.pending[1:]
		c.worker, c.sent = best, time.Now()
		best.outstanding[c.id] = c
		best.given++
	}
}

// finish completes c with err (nil: its parts are all in). The caller holds
// p.mu.
func (p *Pool) finish(c *call, err error) {
	if c.worker != nil {
		delete(c.worker.outstanding, c.id)
		c.worker.done++
		if err == nil {
			c.worker.finished(c, time.Now())
		}
	}
	delete(p.calls, c.id)
	c.err = err
	close(c.done)
	if c.notify != nil {
		c.notify <- c
	}
}

// cancel takes c back if no worker has it yet, reporting whether it did.
func (p *Pool) cancel(c *call, err error) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, q := range p.pending {
		if q == c {
			p.pending = append(p.pending[:i], p.pending[i+1:]...)
			p.finish(c, err)
			return true
		}
	}
	return false
}

// collect receives results and exit notices until the pool is over, then
// releases the pool's memory, once nothing can touch it any more (every
// worker has exited, every monitor returned), and lets Join return.
func (p *Pool) collect() {
	p.receive()
	p.monitors.Wait()
	p.mu.Lock()
	p.over = true
	p.seg.Close()
	p.mu.Unlock()
	close(p.joined)
}

// receive receives results and exit notices until the results queue is
// closed: every worker has exited.
func (p *Pool) receive() {
	// Every message ready is taken at once and handled under one hold of
	// p.mu, with one dispatch for them all.
	msgs := make([][]byte, poolResultSlots)
	for {
		n, err := p.results.GetMany(context.Background(), msgs)
		if err != nil { // closed: every worker has exited
			return
		}
		p.mu.Lock()
		for _, b := range msgs[:n] {
			m, err := parsePoolMsg(b)
			if err != nil {
				continue // a corrupt message names no call; its call fails when its worker exits
			}
			p.handle(m)
		}
		clear(msgs[:n])
		p.dispatch()
		over := p.retire()
		p.mu.Unlock()
		if over {
			p.results.Close()
		}
	}
}

// handle acts on one message from the results queue. The caller holds
// p.mu.
func (p *Pool) handle(m poolMsg) {
	switch m.kind {
	case msgPart:
		if c := p.calls[m.id]; c != nil && m.first >= 0 && m.count >= 0 && m.first+m.count <= c.n {
			c.parts = append(c.parts, encodedPart{first: m.first, count: m.count, b: m.payload})
			if c.got += m.count; c.got >= c.n {
				p.finish(c, nil)
			}
		}
	case msgFailed:
		if c := p.calls[m.id]; c != nil {
			p.finish(c, errors.New(string(m.payload)))
		}
	case msgExited:
		p.exited(m.slot, m.gen)
	case msgReady:
		if w := p.workerOf(m.slot, m.gen); w != nil {
			w.ready = true
		}
	}
}

// workerOf returns the worker of slot if its process is still generation
// gen (a notice may come from a process already replaced), or nil. The
// caller holds p.mu.
func (p *Pool) workerOf(slot, gen int) *worker {
	if slot < 0 || slot >= len(p.workers) || p.workers[slot].gen != gen {
		return nil
	}
	return p.workers[slot]
}

// exited handles the exit of the worker process of slot and generation
// gen. The caller holds p.mu.
func (p *Pool) exited(slot, gen int) {
	w := p.workerOf(slot, gen)
	if w == nil {
		return
	}
	w.exited = true
	exitErr := w.proc.Wait(context.Background()) // done already: returns at once
	// What is still in its queue was never started: it goes to another
	// worker. (The queue is shared memory, readable here.)
	for {
		b, ok, err := w.tasks.TryGet()
		if err != nil || !ok {
			break
		}
		if m, err := parsePoolMsg(b); err == nil {
			if c := w.outstanding[m.id]; c != nil {
				delete(w.outstanding, m.id)
				c.worker = nil
				p.pending = append([]*call{c}, p.pending...)
			}
		}
	}
	var ee *ExitError
	errors.As(exitErr, &ee)
	if ee != nil && w.done == 0 && strings.HasPrefix(ee.Message, initFailure) {
		p.broken = fmt.Errorf("ipc: pool broken: %s", ee.Message)
	}
	for _, c := range w.outstanding {
		p.finish(c, &TaskError{Func: c.fn, Message: "worker process died", Exit: ee})
	}
	if p.broken != nil {
		for _, c := range p.pending {
			p.finish(c, p.broken)
		}
		p.pending = nil
		return
	}
	if p.terminated || (p.closed && len(p.pending) == 0) {
		return
	}
	w.gen++
	if err := p.startWorker(w); err != nil {
		w.exited = true
		p.broken = err
	}
}

// retire closes the task queue of each live worker once the pool is closed
// and nothing is left for it, so that the worker exits; it reports whether
// every worker has exited. The caller holds p.mu.
func (p *Pool) retire() (over bool) {
	if !p.closed {
		return false
	}
	over = true
	for _, w := range p.workers {
		if !w.exited {
			over = false
			if len(p.pending) == 0 && len(w.outstanding) == 0 && !w.closing {
				w.closing = true
				w.tasks.Close()
			}
		}
	}
	return over
}

// Close stops the pool from taking new tasks; the workers finish what was
// submitted and exit. Python: close(). Use [Pool.Join] to wait for them.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.over {
		return nil
	}
	p.closed = true
	if p.retire() {
		p.results.Close()
	}
	return nil
}

// Join waits until every worker has exited, after [Pool.Close] or
// [Pool.Terminate]. Python: join().
func (p *Pool) Join(ctx context.Context) error {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if !closed {
		return errors.New("ipc: Join of a pool that is neither closed nor terminated")
	}
	select {
	case <-p.joined:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Terminate kills the workers at once; every task not done fails with
// [ErrPoolClosed]. Python: terminate().
func (p *Pool) Terminate() error {
	p.mu.Lock()
	if p.over {
		p.mu.Unlock()
		return nil
	}
	p.closed, p.terminated = true, true
	for _, c := range p.calls {
		p.finish(c, ErrPoolClosed)
	}
	p.pending = nil
	var procs []*Process
	for _, w := range p.workers {
		if w.proc != nil {
			procs = append(procs, w.proc)
		}
		w.tasks.Close()
	}
	p.mu.Unlock()
	for _, proc := range procs {
		proc.Kill()
		proc.Wait(context.Background())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.over && p.retireAll() {
		p.results.Close()
	}
	return nil
}

// retireAll marks every worker of a terminated pool exited (their
// processes are reaped) and reports true. The caller holds p.mu.
func (p *Pool) retireAll() bool {
	for _, w := range p.workers {
		w.exited = true
	}
	return true
}

// runWorker is a worker process: it takes chunks from its queue, runs them
// and sends the results, until the queue is closed or it has done
// MaxTasks chunks.
func runWorker(ctx context.Context, a workerArgs) error {
	if a.Procs > 0 {
		if a.HadGOMAXPROCS {
			os.Setenv("GOMAXPROCS", a.GOMAXPROCS)
		} else {
			os.Unsetenv("GOMAXPROCS")
		}
		if runtime.GOMAXPROCS(0) != a.Procs { // the environment did not say it
			runtime.GOMAXPROCS(a.Procs)
		}
	}
	if a.InitName != "" {
		e, ok := lookup(a.InitName)
		if !ok {
			return fmt.Errorf("%s%w: %q", initFailure, ErrUnknownFunc, a.InitName)
		}
		run, err := e.bind(a.InitArg)
		if err == nil {
			err = run(ctx)
		}
		if err != nil {
			return fmt.Errorf("%s%w", initFailure, err)
		}
	}
	if err := a.Results.Put(ctx, readyMsg(a.Slot, a.Gen)); err != nil {
		return err
	}
	for n := 0; a.MaxTasks == 0 || n < a.MaxTasks; n++ {
		b, err := a.Tasks.Get(ctx)
		if errors.Is(err, ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		m, err := parsePoolMsg(b)
		if err != nil || m.kind != msgTask {
			return fmt.Errorf("ipc: pool worker: bad task message: %v", err)
		}
		for _, out := range runTask(ctx, m) {
			if err := a.Results.Put(ctx, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// runTask runs one chunk and returns the messages that carry its outcome.
func runTask(ctx context.Context, m poolMsg) [][]byte {
	t, ok := lookupTask(m.name)
	if !ok {
		return [][]byte{failedMsg(m.id, fmt.Sprintf("%v: no task registered as %q in this binary", ErrUnknownFunc, m.name))}
	}
	parts, err := t.runChunk(ctx, m.payload, poolMaxMessage-32)
	if err != nil {
		return [][]byte{failedMsg(m.id, err.Error())}
	}
	out := make([][]byte, len(parts))
	for i, pt := range parts {
		out[i] = partMsg(m.id, pt.first, pt.count, pt.b)
	}
	return out
}

package ipc_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

var (
	square = ipc.RegisterTask("test.square", func(ctx context.Context, n int) (int, error) { return n * n, nil })
	// failing fails on 5 and panics on 7.
	failing = ipc.RegisterTask("test.failing", func(ctx context.Context, n int) (int, error) {
		switch n {
		case 5:
			return 0, fmt.Errorf("five is not allowed")
		case 7:
			panic("seven")
		}
		return n, nil
	})
	// suicidal kills its own worker process on 3.
	suicidal = ipc.RegisterTask("test.suicidal", func(ctx context.Context, n int) (int, error) {
		if n == 3 {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Minute)
		}
		return n * 10, nil
	})
	pid    = ipc.RegisterTask("test.pid", func(ctx context.Context, _ int) (int, error) { return os.Getpid(), nil })
	napper = ipc.RegisterTask("test.napper", func(ctx context.Context, d time.Duration) (int, error) {
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
		return int(d), nil
	})
	initialized string
	initWorker  = ipc.Register("test.init", func(ctx context.Context, s string) error {
		if s == "fail" {
			return errors.New("initializer refuses")
		}
		initialized = s
		return nil
	})
	readInit = ipc.RegisterTask("test.readinit", func(ctx context.Context, _ int) (string, error) { return initialized, nil })
	procs    = ipc.RegisterTask("test.procs", func(context.Context, int) (int, error) { return runtime.GOMAXPROCS(0), nil })
	// procsEnv tells a worker's GOMAXPROCS and the variable its tasks see.
	procsEnv = ipc.RegisterTask("test.procsenv", func(context.Context, int) (string, error) {
		v, ok := os.LookupEnv("GOMAXPROCS")
		return fmt.Sprintf("%d %q %v", runtime.GOMAXPROCS(0), v, ok), nil
	})
	// waitInit is an initializer that holds its worker until ev is set.
	waitInit = ipc.Register("test.waitinit", func(ctx context.Context, ev *shm.Event) error { return ev.Wait(ctx) })
)

// newPool starts a pool that the test terminates and joins at its end.
func newPool(t *testing.T, n int, opts ...ipc.PoolOption) *ipc.Pool {
	t.Helper()
	p, err := ipc.NewPool(n, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Terminate()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.Join(ctx); err != nil {
			t.Errorf("Join after Terminate: %v", err)
		}
	})
	return p
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func ints(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestMap_Squares(t *testing.T) {
	p := newPool(t, 2)
	want := []int{0, 1, 4, 9, 16, 25, 36, 49, 64, 81}
	for _, opts := range [][]ipc.MapOption{nil, {ipc.ChunkSize(1)}, {ipc.ChunkSize(3)}, {ipc.ChunkSize(100)}} {
		got, err := ipc.Map(testCtx(t), p, square, ints(10), opts...)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("Map(%d opts): got %v, %v; want %v", len(opts), got, err, want)
		}
	}
	big, err := ipc.Map(testCtx(t), p, square, ints(100000))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range big {
		if v != i*i {
			t.Fatalf("item %d: got %d, want %d", i, v, i*i)
		}
	}
}

func TestMap_Empty(t *testing.T) {
	p := newPool(t, 1)
	got, err := ipc.Map(testCtx(t), p, square, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("Map of nothing: got %v, %v", got, err)
	}
}

func TestMap_TaskErrors_OthersDelivered(t *testing.T) {
	p := newPool(t, 2)
	got, err := ipc.Map(testCtx(t), p, failing, ints(10), ipc.ChunkSize(2))
	var te *ipc.TaskError
	if !errors.As(err, &te) || te.Index != 5 || te.Message != "five is not allowed" || te.Panicked {
		t.Fatalf("Map: got error %#v, want the TaskError of item 5", err)
	}
	for i, v := range got {
		if i != 5 && i != 7 && v != i {
			t.Fatalf("item %d: got %d, want %d (delivered despite the failures)", i, v, i)
		}
	}
	var errs []error
	for _, err := range ipc.Imap(testCtx(t), p, failing, ints(10)) {
		errs = append(errs, err)
	}
	if len(errs) != 10 || errs[5] == nil || errs[7] == nil || errs[4] != nil {
		t.Fatalf("Imap errors: %v", errs)
	}
	if !errors.As(errs[7], &te) || !te.Panicked || te.Message != "seven" || !strings.Contains(te.Stack, "goroutine") {
		t.Fatalf("item 7: got %#v, want a panic with its stack", errs[7])
	}
}

func TestImap_Order_And_Unordered_Complete(t *testing.T) {
	p := newPool(t, 2)
	var got []int
	for v, err := range ipc.Imap(testCtx(t), p, square, ints(50), ipc.ChunkSize(4)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("Imap item %d: got %d", i, v)
		}
	}
	seen := make([]bool, 50)
	for r, err := range ipc.ImapUnordered(testCtx(t), p, square, ints(50), ipc.ChunkSize(3)) {
		if err != nil || r.Value != r.Index*r.Index || seen[r.Index] {
			t.Fatalf("ImapUnordered: %+v, %v (seen before: %v)", r, err, seen[r.Index])
		}
		seen[r.Index] = true
	}
	if slices.Contains(seen, false) {
		t.Fatalf("ImapUnordered missed items: %v", seen)
	}
	// Stopping early is allowed and withdraws the rest.
	for range ipc.Imap(testCtx(t), p, square, ints(1000), ipc.ChunkSize(1)) {
		break
	}
}

// A worker killed mid-task fails that task with its pid and signal; every
// other result arrives, and the pool goes on working.
func TestPool_WorkerKilled_TaskFails_OthersDelivered(t *testing.T) {
	p := newPool(t, 2)
	got, err := ipc.Map(testCtx(t), p, suicidal, ints(8), ipc.ChunkSize(1))
	var te *ipc.TaskError
	if !errors.As(err, &te) || te.Index != 3 || te.Exit == nil || te.Exit.Signal != syscall.SIGKILL || te.Exit.Pid <= 0 {
		t.Fatalf("Map: got %v, want the TaskError of item 3 with the worker's SIGKILL", err)
	}
	for i, v := range got {
		if i != 3 && v != i*10 {
			t.Fatalf("item %d: got %d, want %d", i, v, i*10)
		}
	}
	again, err := ipc.Map(testCtx(t), p, square, ints(10))
	if err != nil || again[9] != 81 {
		t.Fatalf("Map after a worker died: %v, %v", again, err)
	}
}

func TestPool_MaxTasksPerChild_FreshWorkers(t *testing.T) {
	p := newPool(t, 1, ipc.MaxTasksPerChild(1))
	pids, err := ipc.Map(testCtx(t), p, pid, ints(4), ipc.ChunkSize(1))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(pids)
	if len(slices.Compact(pids)) != 4 {
		t.Fatalf("pids %v: want 4 different worker processes for 4 tasks", pids)
	}
}

func TestPool_Initializer(t *testing.T) {
	p := newPool(t, 2, ipc.Initializer(initWorker, "ready"))
	got, err := ipc.Map(testCtx(t), p, readInit, ints(4))
	if err != nil || !slices.Equal(got, []string{"ready", "ready", "ready", "ready"}) {
		t.Fatalf("got %v, %v; want every worker initialized", got, err)
	}
	bad := newPool(t, 1, ipc.Initializer(initWorker, "fail"))
	_, err = ipc.Map(testCtx(t), bad, readInit, ints(2))
	if err == nil || !strings.Contains(err.Error(), "initializer refuses") {
		t.Fatalf("Map on a pool whose initializer fails: got %v, want its error", err)
	}
}

// A worker's GOMAXPROCS is its share of the CPUs, or what WorkerProcs says.
func TestPool_WorkerProcs(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set in the environment, which the workers inherit")
	}
	for _, tt := range []struct {
		name    string
		workers int
		opts    []ipc.PoolOption
		want    int
	}{
		{"share of 2", 2, nil, max(1, runtime.NumCPU()/2)},
		{"share of 1", 1, nil, runtime.NumCPU()},
		{"WorkerProcs(3)", 2, []ipc.PoolOption{ipc.WorkerProcs(3)}, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, tt.workers, tt.opts...)
			got, err := ipc.Map(testCtx(t), p, procs, ints(4), ipc.ChunkSize(1))
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range got {
				if g != tt.want {
					t.Fatalf("workers' GOMAXPROCS %v, want %d each", got, tt.want)
				}
			}
		})
	}
	// The pool gives a worker its GOMAXPROCS in its environment; its tasks
	// see the parent's variable: here none, then one set to 2.
	for _, env := range []struct {
		set  bool
		want string
	}{{false, `3 "" false`}, {true, `3 "2" true`}} {
		if env.set {
			t.Setenv("GOMAXPROCS", "2")
		}
		p := newPool(t, 1, ipc.WorkerProcs(3))
		got, err := ipc.Apply(testCtx(t), p, procsEnv, 0)
		if err != nil || got != env.want {
			t.Fatalf("a worker's GOMAXPROCS and variable (parent's set: %v): got %s, %v; want %s", env.set, got, err, env.want)
		}
	}
	if _, err := ipc.NewPool(1, ipc.WorkerProcs(-1)); err == nil || !strings.Contains(err.Error(), "WorkerProcs(-1)") {
		t.Fatalf("NewPool with WorkerProcs(-1): got %v, want an error naming it", err)
	}
}

// A task waits for a worker that is ready, rather than in the queue of one
// still starting: none is given while every worker is in its initializer,
// and it runs once one is through.
func TestPool_TasksWaitForReadyWorker(t *testing.T) {
	ev, err := shm.NewEvent()
	if err != nil {
		t.Fatal(err)
	}
	p := newPool(t, 2, ipc.Initializer(waitInit, ev))
	r, err := ipc.ApplyAsync(p, square, 3)
	if err != nil {
		t.Fatal(err)
	}
	if n := ipc.Pending(p); n != 1 {
		t.Fatalf("%d calls pending while no worker is ready, want 1 (given to a worker still starting)", n)
	}
	ev.Set()
	if v, err := r.Get(testCtx(t)); err != nil || v != 9 {
		t.Fatalf("square(3) once the workers are ready: got %v, %v, want 9", v, err)
	}
}

func TestPool_CloseJoin(t *testing.T) {
	p := newPool(t, 2)
	r, err := ipc.ApplyAsync(p, napper, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := ipc.Apply(testCtx(t), p, square, 2); !errors.Is(err, ipc.ErrPoolClosed) {
		t.Fatalf("Apply after Close: got %v, want ErrPoolClosed", err)
	}
	if err := p.Join(testCtx(t)); err != nil {
		t.Fatalf("Join: %v", err)
	}
	if v, err := r.Get(testCtx(t)); err != nil || v != int(50*time.Millisecond) {
		t.Fatalf("task submitted before Close: got %v, %v, want it finished", v, err)
	}
}

func TestPool_Terminate_FailsRunning(t *testing.T) {
	p := newPool(t, 1)
	r, err := ipc.ApplyAsync(p, napper, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	p.Terminate()
	if _, err := r.Get(testCtx(t)); !errors.Is(err, ipc.ErrPoolClosed) {
		t.Fatalf("running task after Terminate: got %v, want ErrPoolClosed", err)
	}
}

func TestMap_ContextCanceled(t *testing.T) {
	p := newPool(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := ipc.Map(ctx, p, napper, []time.Duration{time.Minute, time.Minute})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want DeadlineExceeded", err)
	}
}

func TestApply(t *testing.T) {
	p := newPool(t, 1)
	if v, err := ipc.Apply(testCtx(t), p, square, 12); err != nil || v != 144 {
		t.Fatalf("Apply: got %d, %v", v, err)
	}
}

func newExecutor(t *testing.T, n int) *ipc.Executor {
	t.Helper()
	e, err := ipc.NewExecutor(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.Shutdown(ctx, true, true); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return e
}

func TestExecutor_SubmitMapAsCompleted(t *testing.T) {
	e := newExecutor(t, 2)
	var fs []*ipc.Future[int]
	for i := range 10 {
		f, err := ipc.Submit(e, square, i)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	n := 0
	for f := range ipc.AsCompleted(testCtx(t), fs...) {
		if _, err := f.Result(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 10 {
		t.Fatalf("AsCompleted yielded %d futures, want 10", n)
	}
	if v, err := fs[7].Result(testCtx(t)); err != nil || v != 49 {
		t.Fatalf("future 7: got %d, %v", v, err)
	}
	got, err := ipc.Map(testCtx(t), e, square, ints(6))
	if err != nil || !slices.Equal(got, []int{0, 1, 4, 9, 16, 25}) {
		t.Fatalf("executor Map: got %v, %v", got, err)
	}
}

func TestExecutor_Cancel_Pending(t *testing.T) {
	e := newExecutor(t, 1)
	var fs []*ipc.Future[int]
	for range 40 { // more than one worker holds: the last ones wait in the executor
		f, err := ipc.Submit(e, napper, 20*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	last := fs[len(fs)-1]
	if !last.Cancel() {
		t.Fatal("Cancel of the last of 40 pending futures: got false")
	}
	if _, err := last.Result(testCtx(t)); !errors.Is(err, ipc.ErrCancelled) || !errors.Is(last.Err(), ipc.ErrCancelled) {
		t.Fatalf("cancelled future: got %v / %v, want ErrCancelled", err, last.Err())
	}
	if _, err := fs[0].Result(testCtx(t)); err != nil {
		t.Fatalf("first future: %v", err)
	}
	if fs[0].Cancel() {
		t.Fatal("Cancel of a finished future: got true")
	}
}

func TestExecutor_WorkerDies_OnlyItsFutureFails(t *testing.T) {
	e := newExecutor(t, 2)
	var fs []*ipc.Future[int]
	for i := range 6 {
		f, err := ipc.Submit(e, suicidal, i)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	for i, f := range fs {
		v, err := f.Result(testCtx(t))
		if i == 3 {
			var te *ipc.TaskError
			if !errors.As(err, &te) || te.Exit == nil || te.Exit.Signal != syscall.SIGKILL {
				t.Fatalf("future 3: got %v, want the worker's death", err)
			}
			continue
		}
		if err != nil || v != i*10 {
			t.Fatalf("future %d: got %d, %v", i, v, err)
		}
	}
	if f, err := ipc.Submit(e, square, 9); err != nil {
		t.Fatal(err)
	} else if v, err := f.Result(testCtx(t)); err != nil || v != 81 {
		t.Fatalf("executor after a death: %d, %v", v, err)
	}
}

// Point is fixed-size (travels raw); a string does not (travels by gob).
type Point struct{ X, Y int32 }

var (
	length = ipc.RegisterTask("test.length", func(ctx context.Context, s string) (int, error) { return len(s), nil })
	flip   = ipc.RegisterTask("test.flip", func(ctx context.Context, p Point) (Point, error) { return Point{p.Y, p.X}, nil })
)

func TestMap_RawAndGobEncodings(t *testing.T) {
	p := newPool(t, 2)
	lens, err := ipc.Map(testCtx(t), p, length, []string{"", "a", "héllo", strings.Repeat("x", 1000)}, ipc.ChunkSize(3))
	if err != nil || !slices.Equal(lens, []int{0, 1, 6, 1000}) {
		t.Fatalf("gob arguments: got %v, %v", lens, err)
	}
	pts, err := ipc.Map(testCtx(t), p, flip, []Point{{1, 2}, {-3, 4}, {5, -6}})
	if err != nil || !slices.Equal(pts, []Point{{2, 1}, {4, -3}, {-6, 5}}) {
		t.Fatalf("raw struct arguments and results: got %v, %v", pts, err)
	}
}

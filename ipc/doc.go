// Package ipc runs Go functions in child processes, the twin of Python's
// multiprocessing.Process.
//
// A child's entry point is registered by name at package level, and
// [Main] is the first line of main (and of TestMain):
//
//	var task = ipc.Register("task", func(ctx context.Context, name string) error {
//		fmt.Printf("Running %s\n", name)
//		return nil
//	})
//
//	func main() {
//		ipc.Main() // in a child: runs the function and exits; in the parent: returns at once
//		p, err := task.Start("Process-1")
//		if err != nil {
//			log.Fatal(err)
//		}
//		if err := p.Wait(context.Background()); err != nil {
//			log.Fatal(err)
//		}
//	}
//
// # Why re-exec, not fork
//
// Python's fork start method copies the parent process. Go cannot do that:
// the runtime runs many threads, and a forked child holds only the thread
// that called fork, with every lock the others held locked forever. So a
// child is this same binary executed again (Python's spawn start method):
// /proc/self/exe on Linux, which names the running binary even after its
// file is replaced or deleted, and os.Executable on macOS. The child runs
// every package initializer again, then [Main] recognizes it as a child and
// runs the registered function instead of the rest of main. This is why
// functions are registered by name at package level: the name is what the
// child looks up, and package-level registration happens in every copy of
// the binary. A name registered later (in main) is unknown to children, and
// Wait returns an error wrapping [ErrUnknownFunc].
//
// # How a child is started
//
// [Process.Start] creates a Unix socket pair, the control channel, and
// executes the binary with its own arguments (os.Args), its environment
// plus a marker variable, SHMKIT_IPC_CHILD=1:<nonce>:<segments>, and
// these descriptors: the child's end of the socket as 3, and the shared
// memory segments of this process (those package shm has recorded) as 4,
// 5, and so on. Standard input is the null device; standard output and
// error are the parent's, unless [Process.Stdout] and [Process.Stderr] say
// otherwise. The parent then sends a start frame (the nonce, the
// function's name and the argument: its bytes if it is of fixed size
// (numbers, and arrays and structs of them), else encoded with
// encoding/gob, in which shared objects of package shm travel as handles
// to their memory).
//
// [Main] in the child removes the marker from the environment, checks the
// nonce against the start frame, marks the descriptors it takes over
// close-on-exec (so a program the child executes inherits none of them),
// maps the segments, decodes the argument and calls the function. It then
// sends a result frame (nil, the error's text, or the panic's value and
// stack) and exits with status 0 (success), 1 (the function returned an
// error, or the child could not run it) or 2 (the function panicked; the
// panic is also printed to the child's stderr). The parent's reaper
// goroutine, started by Start, reads the result, reaps the child and
// closes every descriptor it created for it, whether or not anyone calls
// [Process.Wait]. A process with the marker set but no valid control
// channel (a copied environment, say) prints a warning and runs as a
// normal program.
//
// # Lifetimes
//
// A child ends when its function returns, like a program when main
// returns: goroutines it started are not waited for. A panic in any other
// goroutine of the child kills it without a report, and Wait returns an
// [*ExitError] with Code 2 and an empty Message.
//
// A child never outlives its parent for long. The function's context is
// canceled when the parent goes away, which the child notices as the end
// of its control socket (the parent holds its end open until the child is
// reaped, and the kernel closes it when the parent dies, however it dies).
// If the function has not returned 250 ms after that, the child exits with
// status 1. On Linux the child is moreover killed at once by SIGKILL when
// its parent dies (Pdeathsig). The kernel sends that signal when the
// thread that started the child ends, not the process, so ipc starts every
// child from one goroutine locked to its own thread for the life of the
// process; starts are serialized through it.
//
// Nothing else ties a child to its parent: [Process.Kill] and
// [Process.Terminate] signal only the child, not processes it started in
// turn (those die with it, as its children). A Ctrl-C at the terminal
// signals the whole process group, children included, as in Python.
//
// # Testing
//
// A test binary is a program like any other: call [Main] first in
// TestMain, and register the functions its tests start at package level.
// Under the race detector a child that exits with status 0 first sleeps
// for GORACE's atexit_sleep_ms, a second by default; setting
// GORACE=atexit_sleep_ms=0 in TestMain, before m.Run, spares every child
// that second.
//
// # Platform differences
//
// Linux: the child is re-executed from /proc/self/exe and has Pdeathsig;
// where the kernel has pidfds (5.3 and later) signals go through one, so
// they cannot reach a process that reused a reaped child's pid. macOS: the binary is found again with os.Executable,
// so it must not be moved or replaced while the program runs; there is no
// Pdeathsig, so a child whose parent dies learns it from its control
// socket alone, within 250 ms.
//
// # Queues and pipes
//
// [Queue] (Python's Queue), [SimpleQueue], [JoinableQueue] and [Pipe] are
// bounded rings in shared memory (package internal/ring: Vyukov's
// multi-producer multi-consumer queue, slots claimed with one
// compare-and-swap, no lock). They pass to children as arguments, like the
// objects of package shm. A fixed-size T is copied raw and allocates
// nothing; []byte travels as its bytes; any other T goes through a [Codec]
// (gob by default), and a message larger than a slot fails with
// [ErrTooLarge]. Blocked calls spin for some microseconds, then sleep on a
// futex word that the other side bumps only when someone sleeps; Close
// wakes every sleeper.
//
// Unlike Python's, these queues survive a process killed in the middle of
// a Put or Get. A process claims a slot with one compare-and-swap of the
// slot's word, which records its pid in the same step; a waiter stuck
// behind that slot checks, at most once a millisecond, whether the pid is
// gone or a zombie, and if so takes the slot back (skipping a producer's
// unpublished slot, freeing a consumer's unreleased one). The guarantee: no
// deadlock, no message delivered twice or torn, and at most the messages
// in the dead process's hands lost (one, or a batch of up to 64). A live
// process is never robbed of a slot, however long it stalls. A value taken
// by a process that dies before [JoinableQueue.TaskDone] is never done, as
// in Python.
//
// # Pools and executors
//
// A [Pool] starts its worker processes once; [Map] and the others send
// them chunks of arguments for functions registered with [RegisterTask]
// and get the results back, through the queues above: one task queue per
// worker, one result queue for all. Because the pool knows which chunks
// each worker holds, a worker that dies costs only the chunk in its hands,
// which fails with a [*TaskError] carrying the worker's pid and exit status
// or signal; chunks it had not started go to other workers, and a new
// worker takes its place. An [Executor] is a pool that hands out a
// [Future] per task. Each worker runs with its share of the CPUs as its
// GOMAXPROCS (one each, for a worker per CPU, as Python's are single
// threads); [WorkerProcs] changes it.
//
// # Python to Go
//
//	Python multiprocessing              shmkit
//	Process(target=f, args=(a,))        var f = ipc.Register("f", fn); p, err := f.Start(a)
//	p.start(), p.join()                 Process.Start, Process.Wait(ctx)
//	p.exitcode, p.pid, p.is_alive()     Process.ExitCode, Process.Pid, Process.Alive
//	p.terminate(), p.kill()             Process.Terminate, Process.Kill
//	Queue, SimpleQueue, JoinableQueue   NewQueue[T], NewSimpleQueue[T], NewJoinableQueue[T]
//	q.put, q.get, put_nowait, get_nowait  Put(ctx, v), Get(ctx), TryPut, TryGet
//	Pipe(duplex)                        Pipe(duplex) → two *Conn with Send and Recv
//	Pool(n), pool.map, imap, imap_unordered, starmap
//	                                    NewPool(n), Map, Imap, ImapUnordered, Starmap
//	pool.apply, apply_async             Apply, ApplyAsync → *AsyncResult
//	initializer, maxtasksperchild       Initializer(f, arg), MaxTasksPerChild(n)
//	close, join, terminate              Pool.Close, Pool.Join(ctx), Pool.Terminate
//	ProcessPoolExecutor(max_workers)    NewExecutor(n)
//	submit, result, done, cancel        Submit → *Future: Result(ctx), Done, Cancel, Err
//	executor.map, as_completed          Map (chunk 1 by default), AsCompleted
//	shutdown(wait, cancel_futures)      Executor.Shutdown(ctx, wait, cancelPending)
//	Value, Array, RawValue, RawArray    shm.NewValue[T], shm.NewArray[T] (atomic methods need no lock)
//	Lock, RLock                         shm.NewMutex, shm.NewRLock (with an explicit Token)
//	Semaphore, BoundedSemaphore         shm.NewSemaphore, shm.NewBoundedSemaphore
//	Event, Condition, Barrier           shm.NewEvent, shm.NewCondition, shm.NewBarrier
//	shared_memory.SharedMemory          shm.Create(name, size), shm.Open(name), shm.NewRegion(n)
package ipc

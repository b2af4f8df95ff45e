// Shmdemo runs the shmkit demos: Go twins of the examples and exercises of
// Python's multiprocessing tutorial, in which processes share memory
// through packages shm and ipc. It also lists and removes the named shared
// memory segments that programs leave behind.
//
// Usage:
//
//	shmdemo <subcommand> [flags]
//
// The subcommands are:
//
//	bank           deposit into one shared balance from several processes
//	watch          follow a bank simulation run with -name, from another terminal
//	process        two child processes print a line each; the parent waits for both
//	queue          five processes put their squares on one shared queue
//	valuearray     a child adds one to a shared Value and to each element of a shared Array
//	pool           a pool of 4 worker processes squares 0 to 9
//	executor       an executor of 3 worker processes cubes 0 to 5
//	squares        4 processes square 1 to 10 into a shared array
//	queue-squares  worker processes send squares back to the main process through a queue
//	factorial      time factorials of large numbers, sequentially and on a pool
//	bench          measure the performance table: our figures against baselines of the same run
//	chaos          kill worker processes at random mid-work; check that nothing hangs or breaks
//	segments       list named shared memory segments, or remove them
//	list           say what each subcommand teaches
//	version        print the shmkit version, the Go version and the platform
//
// "shmdemo <subcommand> -h" describes a subcommand, its flags and examples.
// shmdemo alone, "shmdemo help" and "shmdemo -h" print the list above and
// how to start. Exit status: 0 on success, 1 when the work failed, 2 for a
// usage error (an unknown subcommand or flag, a stray argument), which is
// reported on standard error.
//
// # Bank
//
// The tutorial's exercise 4: several processes deposit into one balance, a
// shared [shm.Value]. On its defaults it starts 4 processes that make
// 100000 deposits each under the Value's lock, and checks the balance to
// the unit. It is also what "make demo" runs:
//
//	$ shmdemo bank
//	4 processes × 100000 deposits of 10, mode locked
//	  expected balance  4000000
//	  actual balance    4000000
//	  lost deposits     0
//	  completed         400000
//	  time              0.032 s, 12.6 M deposits/s
//	Every deposit is in the balance.
//
// Without the lock, read-add-write sequences of different processes
// overwrite each other:
//
//	$ shmdemo bank -mode unsafe
//	4 processes × 100000 deposits of 10, mode unsafe
//	  expected balance  4000000
//	  actual balance    2686290
//	  lost deposits     131371
//	  completed         400000
//	  time              0.017 s, 23.3 M deposits/s
//	Without the lock, processes overwrote each other's deposits: 131371 lost.
//	Run with -mode locked (the default) to see the lock prevent it.
//
// "shmdemo bank -h" lists the other flags: -mode atomic, -crash (kill
// depositors mid-run), -name (see Watch), -json and the sizes. Times and
// lost deposits differ from run to run.
//
// When standard error is a terminal, a progress bar is drawn there while
// the depositors work, fed about ten times a second from the deposit
// counter in shared memory, and erased at the end. Nothing is drawn when
// standard error is a pipe or a file, nor with -json.
//
// # Watch
//
// With -name NAME, bank puts the account in a new named segment ([shm.Create])
// instead of an anonymous one, and its objects have names: balance, ledger,
// config, clock, procs (the depositors' pids), status. Any process of the
// same user can attach to it by name, as watch does from a second
// terminal:
//
//	$ shmdemo bank -name demo -procs 3 -deposits 8000000     # first terminal
//	$ shmdemo watch demo                                     # second terminal
//	bank "demo": 3 processes × 8000000 deposits of 10, mode locked
//	  status      running, 0.52 s
//	  balance     127778490 (240000000 when every deposit is in)
//	  deposits    12777849 of 24000000 (53.2 %), 26.35 M deposits/s
//	  lock        held by depositor 25575; depositing or waiting: 25577 25578
//
// On a terminal the block is redrawn in place every -interval (200ms by
// default) until the run ends, and the last one shows the final figures:
//
//	bank "demo": 3 processes × 8000000 deposits of 10, mode locked
//	  status      done, 0.93 s
//	  balance     240000000 (240000000 when every deposit is in)
//	  deposits    24000000 of 24000000 (100.0 %), 25.89 M deposits/s on average
//	  lock        free; no depositor running
//
// Elsewhere (a pipe, a file) each refresh is one line, and with -json one
// JSON object:
//
//	$ shmdemo watch demo -interval 300ms | cat
//	running: balance 18005300, deposits 1800530 of 30000000, 24.92 M deposits/s; lock held by depositor 19939; depositing or waiting: 19940 19941
//	running: balance 82951450, deposits 8295145 of 30000000, 25.36 M deposits/s; lock held by depositor 19940; depositing or waiting: 19939 19941
//	done: balance 300000000, deposits 30000000 of 30000000, 25.63 M deposits/s on average; lock free; no depositor running
//
// watch reads the segment without taking the account's lock. The lock
// records its holder's pid but keeps no list of the processes waiting for
// it, so watch names the holder and the depositors still running, and
// does not guess which of those wait. The deposits per second are counted
// between two refreshes, and over the whole run at the end.
//
// bank removes its segment when it ends, also when it fails or is
// interrupted; watch has it mapped and still reads the final state. watch
// exits with status 0 when the run is done, and 1 when the run failed, or
// its segment was removed or its creator died before the end. A name with
// no segment, or a file that is not a shmkit segment, is an error (status
// 1):
//
//	$ shmdemo watch nosuch
//	shmdemo watch: no segment named "nosuch" in /dev/shm
//	(start one with "shmdemo bank -name nosuch"; "shmdemo segments" lists the segments there are)
//	$ shmdemo watch junk
//	shmdemo watch: segment "junk": shm: not a shmkit segment (bad magic)
//
// A name already taken is refused by bank (shm.ErrExists), so two runs
// never share an account by accident.
//
// # The tutorial's examples
//
// Five subcommands are the examples of the tutorial, one each, with no
// flags. They print what the Python prints, in Go's notation, and always
// the same: where the order in which processes finish could show, the
// demo fixes it (and says how in its package doc, under demos/).
//
// process: two children, each printing a line; the parent joins both.
// Both run at once; each child's output is collected and printed in the
// order the children were started:
//
//	$ shmdemo process
//	Running Process-1
//	Running Process-2
//	All processes finished!
//
// queue: five children put n*n on one [ipc.Queue]; the parent takes five
// values off it. They arrive in no fixed order, so they are sorted:
//
//	$ shmdemo queue
//	Squares: [0 1 4 9 16]
//
// valuearray: a child adds one to a shared [shm.Value] and to each element
// of a shared [shm.Array]; the parent reads the results:
//
//	$ shmdemo valuearray
//	Value: 1
//	Array: [2 3 4]
//
// pool: [ipc.Map] of square over 0 to 9 on a pool of 4 worker processes;
// executor: of cube over 0 to 5 on an executor of 3:
//
//	$ shmdemo pool
//	[0 1 4 9 16 25 36 49 64 81]
//	$ shmdemo executor
//	[0 1 8 27 64 125]
//
// # The tutorial's exercises
//
// Exercise 1, squares: 4 processes square the numbers 1 to 10, each a block
// of consecutive numbers, into a shared array; -procs and -n change the
// sizes:
//
//	$ shmdemo squares
//	process 1 squares 1 to 3
//	process 2 squares 4 to 6
//	process 3 squares 7 to 8
//	process 4 squares 9 to 10
//	Squares: [1 4 9 16 25 36 49 64 81 100]
//
// Exercise 2, queue-squares: the main process sends the numbers to worker
// processes through a task queue, and they send the squares back through a
// result queue; the results arrive in no fixed order and are sorted.
// -workers and -n change the sizes (more numbers than a queue has slots
// work too):
//
//	$ shmdemo queue-squares
//	4 worker processes sent 10 results through the queue
//	Squares: [1 4 9 16 25 36 49 64 81 100]
//
// Exercise 3, factorial: the factorials of 20000, 21000, ... 27000 (-n
// sets the list), computed one after the other in this process, then on a
// pool of a worker per CPU (-workers), with the time of each way as a
// table and as a bar chart. The results of both ways are compared (by
// their digits: count, first digits and SHA-256) and the run fails if they
// differ. The times, and so the speed-up, change from run to run; the
// pool's time includes starting its workers:
//
//	$ shmdemo factorial
//	N      DIGITS  FIRST DIGITS
//	20000  77338   18192063202303451348…
//	21000  81649   95779099366697564791…
//	22000  85982   24585505185288278014…
//	23000  90334   35245206186786892637…
//	24000  94705   39033047806796553928…
//	25000  99094   54479185480622632585…
//	26000  103501  18075726306992200264…
//	27000  107924  30576942850166619881…
//	The pool of 2 workers computed the same digits as the sequential run.
//
//	METHOD                 TIME  SPEED-UP
//	sequential         445.3 ms     1.00×
//	pool, 2 workers    327.0 ms     1.36×
//
//	sequential       ████████████████████████████████████████  445.3 ms
//	pool, 2 workers  █████████████████████████████▍            327.0 ms
//
//	Speed-up 1.36× with a pool of 2 workers on 2 CPUs.
//
// With -json it prints the results and the times as one JSON object:
//
//	$ shmdemo factorial -n 300,400 -json
//	{
//	  "ns": [
//	    300,
//	    400
//	  ],
//	  "workers": 2,
//	  "cpus": 2,
//	  "results": [
//	    {
//	      "n": 300,
//	      "digits": 615,
//	      "leading": "30605751221644063603",
//	      "sha256_digits": "553ac9e43cabedeab87263ca1c4ba9b60cb30485e9e6c54f7377d7fd0da101fb"
//	    },
//	    {
//	      "n": 400,
//	      "digits": 869,
//	      "leading": "64034522846623895262",
//	      "sha256_digits": "e0c9742ae28a3bbe13ec46de4a88ea0dbd48c62672b09a8ddc2c5d328aa0c731"
//	    }
//	  ],
//	  "equal": true,
//	  "sequential_seconds": 0.000325771,
//	  "pool_seconds": 0.034417242,
//	  "speedup": 0.009465342981288274
//	}
//
// (On numbers that small, starting the pool costs a hundred times the
// work: processes pay off only for work that takes much longer than
// starting them.)
//
// # Bench
//
// bench measures the performance table of the design (DESIGN.md, section
// 3; package internal/perf): for each row our figure, a baseline measured
// in the same run, the ratio OURS / BASELINE, the aim, and whether the
// figure meets it. The machines drift 20–50 % between runs for anything
// that enters the kernel, so compare ratios, not figures of different runs:
//
//	$ shmdemo bench -quick
//	shmdemo bench: quick run, 1 warm-up + 3 repetitions of 100ms a row (medians); linux/amd64, 2 CPUs, go1.26.8
//
//	ROW                               OURS         BASELINE                                      RATIO     AIM                              MET
//	lock_uncontended_ns               5.52 ns      5.65 ns       sync.Mutex                      0.976×    ≤ 15 ns                          yes
//	lock_contended_ops_per_s          55.90 M/s    147.98 M/s    2 goroutines, sync.Mutex        0.378×    ≥ 30 M/s                         yes
//	lock_contended_handoffs           1024 /M ops  4609 /M ops   2 goroutines, sync.Mutex        0.222×    no starving: each ≥ 10 % of ops  yes
//	atomic_add_2proc_ops_per_s        70.22 M/s    73.80 M/s     2 goroutines, sync/atomic       0.951×    ≥ 70 M/s                         yes
//	bank_locked_4proc_deposits_per_s  28.87 M/s    54.42 M/s     4 goroutines, sync.Mutex        0.53×     ≥ 20 M/s                         yes
//	queue_spsc_64B_msgs_per_s         18.20 M/s    1.41 M/s      os.Pipe, 64 B                   13.0×     ≥ 10 M/s, ≥ 10× pipe             yes
//	queue_mpmc_64B_msgs_per_s         14.64 M/s    1.41 M/s      os.Pipe, 64 B                   10.4×     ≥ 3 M/s                          yes
//	queue_spsc_4KiB_msgs_per_s        1.68 M/s     903.5 k/s     os.Pipe, 4 KiB                  1.86×     ≥ 1 M/s                          yes
//	queue_batch_64B_msgs_per_s        54.95 M/s    32.97 M/s     os.Pipe + bufio                 1.67×     ≥ 40 M/s, ahead of bufio         yes
//	queue_rtt_p50_us                  0.541 µs     12.3 µs       2 pipes                         0.0441×   ≤ 2 µs                           yes
//	queue_rtt_p99_us                  0.691 µs     115 µs        2 pipes                         0.00599×  —                                —
//	pipe_64B_msgs_per_s               1.41 M/s     (a baseline)
//	pipe_bufio_64B_msgs_per_s         32.97 M/s    (a baseline)
//	process_start_wait_ms             2.15 ms      0.749 ms      os/exec of true                 2.86×     ≤ 10 ms                          yes
//	pool_start_first_result_ms        3.22 ms      2.15 ms       start + wait of one child       1.50×     ≤ 20 ms                          yes
//	pool_map_auto_tasks_per_s         17.26 M/s    527.08 M/s    2 goroutines, same chunks       0.0328×   ≥ 5 M/s                          yes
//	pool_map_chunk1_tasks_per_s       663.8 k/s    6.51 M/s      2 goroutines, chunk 1           0.102×    ≥ 200 k/s                        yes
//	executor_submit_tasks_per_s       467.5 k/s    3.76 M/s      2 goroutines, a channel a task  0.124×    ≥ 200 k/s                        yes
//	factorial_speedup                 1.86×        1.77×         2 goroutines                    1.06×     ≥ 1.9×                           no
//
//	lock_contended_handoffs: shares of the ops: processes 47.5 % / 52.5 %; goroutines 48.8 % / 51.2 %
//	queue_spsc_64B_msgs_per_s: a cache line's round trip between the CPUs, measured after each repetition: 138 ns
//	queue_spsc_4KiB_msgs_per_s: a cache line's round trip between the CPUs, measured after each repetition: 121 ns
//	queue_batch_64B_msgs_per_s: a cache line's round trip between the CPUs, measured after each repetition: 118 ns
//	queue_rtt_p50_us: a cache line's round trip between the CPUs, measured after each repetition: 116 ns
//	factorial_speedup: sequential 126.5 ms; pool of 2 workers once started 68.5 ms, 74.9 ms with its start (1.69×); 2 goroutines 72.2 ms; the digests agree
//
//	RATIO is OURS / BASELINE, both measured in this run. Wall time 8.1 s.
//
// (A quick run of 2026-12-06, with the queue rows in the host's fast mode:
// the cache line's round trip, in their notes, was 116-138 ns; in the slow
// mode, 550 ns and more, one message at a time gives about 6 M/s and
// batches about 20 M/s, under their aims (see the README's Performance
// section, which measures the same modes in C). Where the host places
// the two virtual CPUs decides it, and it changes from minute to minute.
// A quick run's rows are short, so the atomic and factorial rows swing
// around their aims; the full run is the reference.)
//
// The rows, each with its baseline:
//
//   - lock_uncontended_ns: Lock and Unlock of an [shm.Mutex] by one
//     process, in ns. Baseline: a sync.Mutex.
//   - lock_contended_ops_per_s: two processes (this one and a child) take
//     the lock of one shm.Value in a loop, and under it add one to the
//     value (a load and a store) and note which process holds the lock;
//     operations a second over both. Baseline: two goroutines doing the
//     same on a sync.Mutex.
//   - lock_contended_handoffs: in the same loops, how many times per
//     million operations the lock went to the other process than the one
//     that took it last (the first take of a repetition does not count).
//     A note gives each process's share of the operations: the aim is that
//     neither starves (each at least 10 %). Baseline: the same count
//     between the two goroutines.
//   - atomic_add_2proc_ops_per_s: two processes Add 1 to one
//     shm.Value[int64]; adds a second over both. Baseline: two goroutines
//     on an atomic.Int64.
//   - bank_locked_4proc_deposits_per_s: the bank simulation of the bank
//     subcommand, 4 processes of 1000000 deposits each (200000 with
//     -quick) under the lock, deposits a second as it reports them.
//     Baseline: 4 goroutines making the same deposits (undo record,
//     balance, count) under a sync.Mutex.
//   - queue_spsc_64B_msgs_per_s: a child puts 64-byte messages on an
//     [ipc.Queue] of 1024 slots, a Put each, and this process takes them, a
//     Get each. Baseline: pipe_64B_msgs_per_s.
//   - queue_mpmc_64B_msgs_per_s: the same, many to many: 2 producing and 2
//     consuming children on one queue. Baseline: pipe_64B_msgs_per_s.
//   - queue_spsc_4KiB_msgs_per_s: as queue_spsc_64B with 4 KiB messages,
//     on a queue of 256 slots. Baseline: the pipe, a 4 KiB write and a
//     4 KiB read a message.
//   - queue_batch_64B_msgs_per_s: as queue_spsc_64B with PutMany and
//     GetMany of up to 64 messages. Baseline: pipe_bufio_64B_msgs_per_s.

//   - queue_rtt_p50_us, queue_rtt_p99_us: this process puts a 64-byte
//     message on a queue, a child takes it and puts it on a second queue,
//     and this process takes it back: the median and the 99th percentile
//     of the round trips, in µs. Both sides spin on TryGet while they wait
//     (to keep busy, as the aim says; after some hundreds of µs without a
//     message they wait in Get). Baseline: the same over two pipes, a
//     named pipe (FIFO) to the child and an os.Pipe back, as a child
//     started by ipc gets no pipe from its parent but its standard output.
//   - pipe_64B_msgs_per_s: a child writes 64-byte messages to an os.Pipe
//     (its standard output), a write each, and this process reads them, a
//     read each. The baseline of the queue rows.
//   - pipe_bufio_64B_msgs_per_s: the same through a bufio.Writer and a
//     bufio.Reader of 64 KiB.
//   - process_start_wait_ms: start a child ([ipc.Register]) that does
//     nothing, and wait for it. Baseline: os/exec starts true (found in
//     PATH) and waits for it.
//   - pool_start_first_result_ms: [ipc.NewPool] of 2 workers, then
//     [ipc.Apply] of a trivial task, until its result, timed in a fresh
//     child process each time (the memory of a pool's queues is never
//     released, and every child started later inherits it, so pools
//     started one after another in one process start ever slower).
//     Baseline: process_start_wait_ms.
//   - pool_map_auto_tasks_per_s: [ipc.Map] of a trivial task (n+1) over
//     500000 numbers (100000 with -quick) on a pool of 2 workers started
//     beforehand, with the automatic chunk size (about 4 chunks a worker).
//     Baseline: a pool of 2 goroutines fed chunks of the same size.
//   - pool_map_chunk1_tasks_per_s: the same over 30000 numbers (5000) with
//     ipc.ChunkSize(1). Baseline: the goroutines, a task at a time.
//   - executor_submit_tasks_per_s: [ipc.Submit] of 30000 (5000) trivial
//     tasks to an executor of 2 workers, then the Result of each.
//     Baseline: the goroutines, a task and a result channel each.
//   - factorial_speedup: the factorial subcommand's computation on 2
//     workers: the factorials of 20000 to 27000 (10000 to 17000 with
//     -quick), the time one after the other in this process over the time
//     of the same map on the pool once started (its second map; the first,
//     its start included, is in the note). Baseline: the speed-up of the
//     same tasks on 2 goroutines of this process, what the machine gives
//     two CPU-bound threads.
//
// The one-to-one queue rows and the round trip note the round trip of a
// cache line between the two CPUs, measured after each of their
// repetitions: two threads of this process hand a counter to and fro. Every message between
// two processes pays it, and on virtual machines it changes with where the
// host runs the virtual CPUs, by 4× on ours; the queue rows change with it.
//
// Each measurement starts its child processes once, runs a warm-up
// repetition whose figures it throws away (five for the pool and executor
// rows and their baselines, as a fresh worker's heap grows a page fault at
// a time over its first maps), then 5 repetitions (3 with -quick), and
// reports the median of each figure. A repetition runs for
// 300 ms (100 ms with -quick) and counts what was done, or does a fixed
// amount of work (bank, pool, executor, factorial) and is timed; process
// starts, short and noisy, get three times as many repetitions. A
// measurement serving several rows (the pipe, process_start_wait) runs
// once. The whole of "shmdemo bench" takes about a minute on 2 cores,
// -quick under 30 seconds; the wall time ends the table.
//
// Every repetition checks its own result, so that a fast wrong answer
// cannot pass: the counter under the lock, or added to atomically, must
// equal the sum of the operations each party counted; every queue and
// pipe message carries its sequence number and a check word, and a single
// consumer must get them in order, each once, as many as the producer
// says it sent; the consumers of the many-to-many queue record what they
// got in bitmaps, which merged must hold each message exactly once; a
// round trip must bring back the message just sent; the bank's balance
// must be exact; every task result of the pool and the executor is
// compared; and the factorials of the pool must have the digests of the
// sequential run. A row that fails its check, or cannot be measured, is
// printed as failed and reported on standard error, and the exit status
// is 1. Every wait is bounded, and every child process is reaped.
//
// -only measures some rows: a comma-separated list of row names and of
// the groups lock, atomic, bank, queue, pipe, process, pool, executor and
// factorial. The baseline of a row is measured even when its own row is
// not selected. An unknown name is a usage error (exit status 2). With
// -json, the output is one JSON object whose keys are the rows', in table
// order, with the figures as numbers in the row's unit (null for a row
// that failed); the wall time goes to standard error:
//
//	$ shmdemo bench -quick -json -only lock,queue_rtt_p50_us
//	{
//	  "lock_uncontended_ns": 21.29,
//	  "lock_contended_ops_per_s": 14369740,
//	  "lock_contended_handoffs": 1102,
//	  "queue_rtt_p50_us": 2.034
//	}
//	shmdemo bench: 4 rows in 2.6 s
//
// While the rows are measured, standard error shows which one, when it is
// a terminal. "make bench" runs the go test benchmarks (which cover the
// same hot paths, in pairs with their baselines), then "shmdemo bench".
//
// # Chaos
//
// chaos is a reliability test (package demos/chaos): rounds of a mixed
// workload of processes — 3 depositors into a bank account under its
// lock, 2 producers and 2 consumers of a queue, a pool of 2 workers
// mapping tasks, 3 parties of a barrier — during which some of them are
// killed with SIGKILL or SIGTERM at random moments: 1 or 2 depositors, at
// most one producer and one consumer, 1 or 2 pool workers, a barrier
// party. Every wait is bounded (5 s), and after each round the invariants
// are checked exactly: the balance equals the deposits committed, to the
// unit, also when a depositor died holding the lock; no message arrives
// twice, and only a killed process's message in hand is lost; every pool
// task has its result or an error naming the killed worker; the barrier
// breaks for the survivors when a party dies. A line per round, then the
// totals:
//
//	$ shmdemo chaos -seconds 3 -seed 42
//	chaos: seed 42, rounds for 3s (shmdemo chaos -seed 42 replays the plans)
//	round 1: 4 kills (3 SIGKILL, 1 SIGTERM); bank 1458967 deposits, 0 lock recoveries; queue 12309 messages, 0 lost; pool 24 tasks, 2 failed naming the dead worker; barrier broken by the death; 0.86 s
//	round 2: 6 kills (5 SIGKILL, 1 SIGTERM); bank 1075272 deposits, 0 lock recoveries; queue 7097 messages, 1 lost; pool 96 tasks, 2 failed naming the dead worker; barrier broken by the death; 0.64 s
//	round 3: 6 kills (4 SIGKILL, 2 SIGTERM); bank 1519580 deposits, 1 lock recovery; queue 2307 messages, 1 lost; pool 120 tasks, 1 failed naming the dead worker; barrier broken by the death; 0.74 s
//	round 4: 5 kills (1 SIGKILL, 4 SIGTERM); bank 2051029 deposits, 1 lock recovery; queue 12251 messages, 0 lost; pool 84 tasks, 2 failed naming the dead worker; barrier broken by the death; 0.75 s
//	4 rounds in 3.0 s, seed 42
//	  kills                  21  (13 SIGKILL, 8 SIGTERM)
//	  owner_dead_recoveries  2   (of the bank's lock)
//	  hangs                  0
//	  invariant_violations   0
//	  lost_messages          2  (in the hands of killed processes)
//	  duplicate_messages     0
//	No wait hung, and every invariant held.
//
// A hang (a wait that reached its deadline, with what waited) or a
// violated invariant is printed under its round, and the exit status is 1.
// -seconds sets how long rounds start (10 by default); -seed replays the
// plans of a run (who is killed, by which signal, when; it is printed, and
// drawn from the clock when not given), though where each kill lands is up
// to the scheduler. -json prints the totals as one JSON object: seed,
// seconds, rounds, kills, sigkills, sigterms, owner_dead_recoveries (the
// bank lock taken over from a dead depositor), hangs,
// invariant_violations, lost_messages, duplicate_messages, deposits,
// messages, pool_tasks, pool_tasks_failed, barriers_broken, and problems
// (each with its round, kind and description). "make test" runs 3
// seconds of it (through the tests of this command), "make soak" 300.
//
// # Segments
//
// A named segment ([shm.Create]) is a file that outlives the process that
// created it, so that unrelated processes can open it by name. The
// segments subcommand lists them (with [shm.List]): name, size in bytes,
// the pid of the creator, when it was created, and whether it is stale,
// that is, whether its creator is gone. A file that cannot be read as a
// segment is listed with the reason:
//
//	$ shmdemo segments
//	NAME  SIZE   CREATOR  CREATED              STALE
//	bank  65536  25065    2026-11-24 20:33:53  no
//	junk  -      -        -                    -  error: shm: segment truncated: unexpected EOF
//
// With -objects it opens each segment (validating it as [shm.Open] does)
// and lists the objects in it:
//
//	$ shmdemo bank -name demo -deposits 3000000 &
//	$ shmdemo segments -objects
//	NAME  SIZE   CREATOR  CREATED              STALE
//	demo  69632  8878     2026-11-24 21:43:17  no
//
//	demo:
//	  OBJECT   KIND   TYPE   LEN  OFFSET
//	  balance  value  int64  1    8960
//	  ledger   array  int64  3    9024
//	  config   array  int64  5    9152
//	  clock    array  int64  2    9280
//	  procs    array  int64  4    9408
//	  ready    value  int64  1    9536
//	  go       value  int64  1    9600
//	  status   value  int64  1    9664
//
// With -json it prints the same as JSON, for scripts:
//
//	$ shmdemo segments -json
//	[
//	  {
//	    "name": "bank",
//	    "size": 65536,
//	    "creator_pid": 25065,
//	    "created": "2026-11-24T20:33:53.908349403Z",
//	    "stale": false
//	  }
//	]
//
// Once the creator has exited, the segment is stale; -rm-stale removes
// every stale segment and says which, and -rm removes one by name:
//
//	$ shmdemo segments -rm-stale
//	removed bank (created by pid 25065, which is gone)
//	$ shmdemo segments -rm junk
//	removed junk
//	$ shmdemo segments -rm bank
//	shmdemo segments: -rm bank: no segment named "bank" in /dev/shm
//	$ echo $?
//	1
//
// A stale segment may still be in use by processes that opened it (they
// keep their mapping after a removal, but no new process can open it), and
// a file that cannot be read as a segment is never removed by -rm-stale.
// A row named NAME.tmp-DIGITS, "left by a Create that did not finish", is
// the file a Create was building when its process was killed: it holds
// memory but is no segment; -rm-stale removes it once its creator is gone,
// -rm with that name at any time.
//
// Named segments live in $SHMKIT_DIR if it is set, else in /dev/shm on
// Linux (memory, not disk) and in the temporary directory on macOS:
//
//	$ SHMKIT_DIR=/tmp/x shmdemo segments
//	no named segments in /tmp/x
//
// # List and version
//
//	$ shmdemo list
//	bank           tutorial exercise 4: one shm.Value shared by ipc child processes; why deposits need its lock
//	watch          a named segment shared by unrelated processes: shm.Open by name, reading live shared state
//	process        tutorial Process example: ipc.Register, Start and Wait (Python's start and join)
//	queue          tutorial Queue example: an ipc.Queue passed to children; arrival order is not fixed
//	valuearray     tutorial Value and Array example: shm.Value and shm.Array are the same memory in the child
//	pool           tutorial Pool example: ipc.NewPool, ipc.RegisterTask and ipc.Map (Python's pool.map)
//	executor       tutorial ProcessPoolExecutor example: ipc.NewExecutor, ipc.Map and Shutdown
//	squares        tutorial exercise 1: splitting work among processes that write results into a shm.Array
//	queue-squares  tutorial exercise 2: task and result queues, Close as the sentinel, results read before join
//	factorial      tutorial exercise 3: the speed-up of CPU-bound work on a process pool, and what processes cost
//	bench          what shared memory buys: locks, atomics, queues and pools against sync, pipes and goroutines
//	chaos          crash tolerance: owner-death recovery, queue and pool guarantees, bounded waits, checked after every round
//	segments       named segments outlive their creator: shm.List, stale segments, shm.Remove
//	list           this list
//	version        what was built: runtime/debug.ReadBuildInfo
//	$ shmdemo version
//	shmkit    devel
//	go        go1.26.8
//	platform  linux/amd64
//
// The version is the module's version as the build recorded it: a release
// (go install github.com/shmkit/shmkit/cmd/shmdemo@v1.2.3), a pseudo-version
// derived from the git commit of the checkout, or "devel" when there is
// none (as with go run, or -buildvcs=false). The commit is shown too when
// the build recorded it. "shmdemo version -json" prints the same as JSON.
package main

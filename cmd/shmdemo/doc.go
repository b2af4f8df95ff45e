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
// the depositors work (github.com/schollz/progressbar), fed about ten
// times a second from the deposit counter in shared memory, and erased at
// the end. Nothing is drawn when standard error is a pipe or a file, nor
// with -json.
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

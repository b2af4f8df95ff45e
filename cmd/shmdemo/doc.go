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
//	bank      deposit into one shared balance from several processes
//	segments  list named shared memory segments, or remove them
//	list      say what each subcommand teaches
//	version   print the shmkit version, the Go version and the platform
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
// depositors mid-run), -json and the sizes. Times and lost deposits differ
// from run to run.
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
//	$ shmdemo segments -objects
//	NAME  SIZE   CREATOR  CREATED              STALE
//	bank  65536  25065    2026-11-24 20:33:53  no
//
//	bank:
//	  OBJECT    KIND   TYPE   LEN  OFFSET
//	  balance   value  int64  1    8448
//	  deposits  array  int64  4    8512
//	  -         mutex  -      0    8640
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
//	bank      tutorial exercise 4: one shm.Value shared by ipc child processes; why deposits need its lock
//	segments  named segments outlive their creator: shm.List, stale segments, shm.Remove
//	list      this list
//	version   what was built: runtime/debug.ReadBuildInfo
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

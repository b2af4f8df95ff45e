package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/shmkit/shmkit/ipc"
)

// command is one subcommand of shmdemo.
type command struct {
	name    string
	summary string // what it does, one line, for the usage message
	teaches string // what it teaches, one line, for shmdemo list
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is the table of subcommands, in the order they are listed. It is
// filled in init because the list command reads it.
var commands []command

func init() {
	commands = []command{
		{
			name:    "bank",
			summary: "deposit into one shared balance from several processes",
			teaches: "tutorial exercise 4: one shm.Value shared by ipc child processes; why deposits need its lock",
			run:     runBank,
		},
		{
			name:    "watch",
			summary: "follow a bank simulation run with -name, from another terminal",
			teaches: "a named segment shared by unrelated processes: shm.Open by name, reading live shared state",
			run:     runWatch,
		},
		{
			name:    "process",
			summary: "two child processes print a line each; the parent waits for both",
			teaches: "tutorial Process example: ipc.Register, Start and Wait (Python's start and join)",
			run:     runProcess,
		},
		{
			name:    "queue",
			summary: "five processes put their squares on one shared queue",
			teaches: "tutorial Queue example: an ipc.Queue passed to children; arrival order is not fixed",
			run:     runQueue,
		},
		{
			name:    "valuearray",
			summary: "a child adds one to a shared Value and to each element of a shared Array",
			teaches: "tutorial Value and Array example: shm.Value and shm.Array are the same memory in the child",
			run:     runValueArray,
		},
		{
			name:    "pool",
			summary: "a pool of 4 worker processes squares 0 to 9",
			teaches: "tutorial Pool example: ipc.NewPool, ipc.RegisterTask and ipc.Map (Python's pool.map)",
			run:     runPool,
		},
		{
			name:    "executor",
			summary: "an executor of 3 worker processes cubes 0 to 5",
			teaches: "tutorial ProcessPoolExecutor example: ipc.NewExecutor, ipc.Map and Shutdown",
			run:     runExecutor,
		},
		{
			name:    "squares",
			summary: "4 processes square 1 to 10 into a shared array",
			teaches: "tutorial exercise 1: splitting work among processes that write results into a shm.Array",
			run:     runSquares,
		},
		{
			name:    "queue-squares",
			summary: "worker processes send squares back to the main process through a queue",
			teaches: "tutorial exercise 2: task and result queues, Close as the sentinel, results read before join",
			run:     runQueueSquares,
		},
		{
			name:    "factorial",
			summary: "time factorials of large numbers, sequentially and on a pool",
			teaches: "tutorial exercise 3: the speed-up of CPU-bound work on a process pool, and what processes cost",
			run:     runFactorial,
		},
		{
			name:    "bench",
			summary: "measure the performance table: our figures against baselines of the same run",
			teaches: "what shared memory buys: locks, atomics, queues and pools against sync, pipes and goroutines",
			run:     runBench,
		},
		{
			name:    "chaos",
			summary: "kill worker processes at random mid-work; check that nothing hangs or breaks",
			teaches: "crash tolerance: owner-death recovery, queue and pool guarantees, bounded waits, checked after every round",
			run:     runChaos,
		},
		{
			name:    "segments",
			summary: "list named shared memory segments, or remove them",
			teaches: "named segments outlive their creator: shm.List, stale segments, shm.Remove",
			run:     runSegments,
		},
		{
			name:    "list",
			summary: "say what each subcommand teaches",
			teaches: "this list",
			run:     runList,
		},
		{
			name:    "version",
			summary: "print the shmkit version, the Go version and the platform",
			teaches: "what was built: runtime/debug.ReadBuildInfo",
			run:     runVersion,
		},
	}
}

func main() {
	ipc.Main() // in a child process: runs its registered function and exits
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs shmdemo with args (without the program name) and returns the
// exit status: 0 on success, 1 when the work failed, 2 on a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return 0
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(rest, stdout, stderr)
	}
	c, ok := lookup(name)
	if !ok {
		if strings.HasPrefix(name, "-") {
			fmt.Fprintf(stderr, "shmdemo: unknown flag %s (flags go after the subcommand)\n\n", name)
		} else {
			fmt.Fprintf(stderr, "shmdemo: unknown subcommand %q\n\n", name)
		}
		usage(stderr)
		return 2
	}
	return c.run(rest, stdout, stderr)
}

// runHelp prints the usage message, or with a subcommand's name, that
// subcommand's usage (as its -h does).
func runHelp(args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		usage(stdout)
		return 0
	case 1:
		if c, ok := lookup(args[0]); ok {
			return c.run([]string{"-h"}, stdout, stderr)
		}
		fmt.Fprintf(stderr, "shmdemo help: unknown subcommand %q\n\n", args[0])
	default:
		fmt.Fprintf(stderr, "shmdemo help: want at most one subcommand, got %q\n\n", args)
	}
	usage(stderr)
	return 2
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usage prints the list of subcommands and how to start.
func usage(w io.Writer) {
	fmt.Fprint(w, `shmdemo runs the shmkit demos: Go twins of the examples of Python's
multiprocessing tutorial, with processes sharing memory.

Usage:

	shmdemo <subcommand> [flags]

Subcommands:

`)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "\t%s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Start with:

	shmdemo bank                                 # 4 processes, 100000 deposits each, under the lock
	shmdemo bank -h                              # its flags
	shmdemo bank -name demo -deposits 5000000    # the account in a named segment, and then
	shmdemo watch demo                           # in a second terminal: follow it live

"shmdemo <subcommand> -h" describes a subcommand and its flags;
"shmdemo list" says what each one teaches.
`)
}

// newFlagSet returns the flag set of subcommand name. Errors and usage go
// to stderr; -h prints the synopsis, the flags and the examples.
func newFlagSet(name, synopsis, examples string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("shmdemo "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: shmdemo %s\n\n", synopsis)
		if hasFlags(fs) {
			fmt.Fprintln(stderr, "Flags:")
			fs.PrintDefaults()
			fmt.Fprintln(stderr)
		}
		fmt.Fprintf(stderr, "Examples:\n\n%s", examples)
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseFlags parses args with fs and accepts no positional arguments. If
// the caller is to stop, it returns the exit status and false: 0 after -h
// (which prints the usage), 2 after a usage error (reported to stderr in
// two lines, without the whole usage).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (status int, ok bool) {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on errors too
	err := fs.Parse(args)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage()
		return 0, false
	case err != nil: // the flag package has printed it
		fmt.Fprintf(stderr, "Run '%s -h' for usage.\n", fs.Name())
		return 2, false
	case fs.NArg() > 0:
		return usageError(fs, stderr, "unexpected argument %q", fs.Arg(0)), false
	}
	return 0, true
}

// usageError reports a usage error of the subcommand of fs to stderr and
// returns exit status 2.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(stderr, "Run '%s -h' for usage.\n", fs.Name())
	return 2
}

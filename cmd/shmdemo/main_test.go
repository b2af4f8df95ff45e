package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/proctest"
	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// The test binary plays shmdemo itself, as cmd/covdata's tests do: with
// asMainEnv=1 it runs main instead of the tests, so every test runs the
// program as a user would, exit status included. With createEnv=NAME it
// creates the named segment and exits, leaving a stale segment behind.
const (
	asMainEnv = "SHMDEMO_AS_MAIN"
	createEnv = "SHMDEMO_TEST_CREATE"
)

func TestMain(m *testing.M) {
	ipc.Main()
	if os.Getenv(asMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	if name := os.Getenv(createEnv); name != "" {
		if _, err := shm.Create(name, 4096); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0) // without Remove: the segment outlives this process
	}
	os.Exit(proctest.Run(m))
}

// result is what a run of shmdemo did.
type result struct {
	stdout, stderr string
	code           int
}

// shmdemo runs the test binary as shmdemo with args, with SHMKIT_DIR as
// the test set it (see segmentDir), and a deadline of 30 s.
func shmdemo(t *testing.T, args ...string) result {
	t.Helper()
	return shmdemoWithin(t, 30*time.Second, args...)
}

// shmdemoWithin is shmdemo with a deadline of d. A chaos run needs more
// than 30 s: it starts a dozen processes a round, which on a loaded machine
// with the race detector takes seconds, and its rounds bound each wait by
// 5 s, its start by 30 s.
func shmdemoWithin(t *testing.T, d time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(childEnv(), asMainEnv+"=1")
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("shmdemo %s: not done within %v: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), d, ctx.Err(), &stdout, &stderr)
	}
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("shmdemo %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// childEnv returns the environment of a child: this process's, where a
// race-enabled binary does not sleep a second at exit (the race detector's
// atexit_sleep_ms, there to let other goroutines report races, which a
// short command line run does not need).
func childEnv() []string {
	return append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

// segmentDir points SHMKIT_DIR, in this process and in the runs of
// shmdemo, at a new empty directory and returns it.
func segmentDir(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("SHMKIT_DIR", dir)
	return dir
}

// createSegment creates a named segment, closed and removed when the test
// ends.
func createSegment(t *testing.T, name string) *shm.Segment {
	t.Helper()
	seg, err := shm.Create(name, 4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		seg.Close()
		shm.Remove(name) // gone already if the test removed it
	})
	return seg
}

// createStaleSegment has a child process create a named segment and exit.
func createStaleSegment(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(childEnv(), createEnv+"="+name)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("creating stale segment %q: %v\n%s", name, err, out)
	}
}

func TestShmdemo_Usage(t *testing.T) {
	segmentDir(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring of stdout, if not ""
		stderr string // a substring of stderr, if not ""
	}{
		{name: "no args", args: nil, code: 0, stdout: "segments"},
		{name: "help", args: []string{"help"}, code: 0, stdout: "Start with"},
		{name: "-h", args: []string{"-h"}, code: 0, stdout: "Start with"},
		{name: "help segments", args: []string{"help", "segments"}, code: 0, stderr: "usage: shmdemo segments"},
		{name: "help unknown", args: []string{"help", "frobnicate"}, code: 2, stderr: `"frobnicate"`},
		{name: "unknown subcommand", args: []string{"frobnicate"}, code: 2, stderr: `unknown subcommand "frobnicate"`},
		{name: "unknown flag", args: []string{"-frobnicate"}, code: 2, stderr: "unknown flag -frobnicate"},
		{name: "list", args: []string{"list"}, code: 0, stdout: "bank"},
		{name: "list garbage", args: []string{"list", "x"}, code: 2, stderr: `unexpected argument "x"`},
		{name: "segments -h", args: []string{"segments", "-h"}, code: 0, stderr: "Examples:"},
		{name: "segments -bogus", args: []string{"segments", "-bogus"}, code: 2, stderr: "-bogus"},
		{name: "segments garbage", args: []string{"segments", "x"}, code: 2, stderr: `unexpected argument "x"`},
		{name: "segments -rm and -rm-stale", args: []string{"segments", "-rm", "a", "-rm-stale"}, code: 2, stderr: "exclude each other"},
		{name: "segments -rm empty", args: []string{"segments", "-rm", ""}, code: 2, stderr: "-rm needs the name"},
		{name: "version", args: []string{"version"}, code: 0, stdout: runtime.GOOS},
		{name: "version -h", args: []string{"version", "-h"}, code: 0, stderr: "shmdemo version -json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shmdemo(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout does not mention %q:\n%s", tt.stdout, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tt.stderr, r.stderr)
			}
			if tt.code == 2 && r.stdout != "" {
				t.Errorf("usage error printed to stdout:\n%s", r.stdout)
			}
		})
	}
}

func TestShmdemo_List_EverySubcommand(t *testing.T) {
	r := shmdemo(t, "list")
	for _, c := range commands {
		if !strings.Contains(r.stdout, c.name+" ") {
			t.Errorf("list does not mention %s:\n%s", c.name, r.stdout)
		}
	}
}

func TestSegments_List(t *testing.T) {
	segmentDir(t)
	createSegment(t, "shmdemo-test")
	r := shmdemo(t, "segments")
	if r.code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "shmdemo-test") {
		t.Fatalf("output does not list shmdemo-test:\n%s", r.stdout)
	}
}

func TestSegments_List_Empty(t *testing.T) {
	dir := segmentDir(t)
	r := shmdemo(t, "segments")
	if r.code != 0 || !strings.Contains(r.stdout, "no named segments in "+dir) {
		t.Fatalf("exit status %d, output:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestSegments_List_JSON(t *testing.T) {
	segmentDir(t)
	seg := createSegment(t, "shmdemo-test")
	if _, err := shm.NewValue[int64](42, shm.In(seg), shm.Named("balance")); err != nil {
		t.Fatal(err)
	}
	r := shmdemo(t, "segments", "-json", "-objects")
	if r.code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	var got []segmentJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	if len(got) != 1 || got[0].Name != "shmdemo-test" {
		t.Fatalf("got %+v, want one segment named shmdemo-test", got)
	}
	s := got[0]
	if s.Error != "" || s.Stale || s.CreatorPid != os.Getpid() || s.Size < 4096 {
		t.Errorf("got %+v, want a live segment of this process, of at least 4096 bytes", s)
	}
	if len(s.Objects) != 1 || s.Objects[0].Name != "balance" || s.Objects[0].Type != "int64" {
		t.Errorf("got objects %+v, want one int64 named balance", s.Objects)
	}
}

func TestSegments_List_NotASegment(t *testing.T) {
	dir := segmentDir(t)
	if err := os.WriteFile(dir+"/shmkit.junk", make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	r := shmdemo(t, "segments", "-json")
	var got []segmentJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	if len(got) != 1 || got[0].Name != "junk" || got[0].Error == "" {
		t.Fatalf("got %+v, want junk with an error", got)
	}
	r = shmdemo(t, "segments")
	if r.code != 0 || !strings.Contains(r.stdout, "junk") || !strings.Contains(r.stdout, "error: ") {
		t.Fatalf("exit status %d, output does not list junk with its error:\n%s", r.code, r.stdout)
	}
}

func TestSegments_Remove(t *testing.T) {
	segmentDir(t)
	createSegment(t, "shmdemo-test")
	r := shmdemo(t, "segments", "-rm", "shmdemo-test")
	if r.code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	infos, err := shm.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 0 {
		t.Fatalf("after -rm, shm.List() = %+v, want none", infos)
	}
}

func TestSegments_Remove_Missing(t *testing.T) {
	segmentDir(t)
	tests := []struct {
		name, arg, stderr string
	}{
		{"missing", "missing", `no segment named "missing"`},
		{"bad name", "../etc", "bad name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shmdemo(t, "segments", "-rm", tt.arg)
			if r.code != 1 {
				t.Fatalf("exit status %d, want 1", r.code)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("stderr does not say %q:\n%s", tt.stderr, r.stderr)
			}
		})
	}
}

func TestSegments_RemoveStale(t *testing.T) {
	segmentDir(t)
	createSegment(t, "live")
	createStaleSegment(t, "stale")
	r := shmdemo(t, "segments", "-rm-stale")
	if r.code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "removed stale") || strings.Contains(r.stdout, "live") {
		t.Fatalf("output does not say that stale, and only stale, was removed:\n%s", r.stdout)
	}
	infos, err := shm.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0].Name != "live" {
		t.Fatalf("after -rm-stale, shm.List() = %+v, want only live", infos)
	}
	r = shmdemo(t, "segments", "-rm-stale")
	if r.code != 0 || !strings.Contains(r.stdout, "no stale segments") {
		t.Fatalf("second -rm-stale: exit status %d, output:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// The file of a Create whose process died before naming it is listed as
// such, and -rm-stale removes it. (A stale segment renamed to a temporary
// name stands for one.)
func TestSegments_Leftover(t *testing.T) {
	dir := segmentDir(t)
	createStaleSegment(t, "gone")
	if err := os.Rename(filepath.Join(dir, "shmkit.gone"), filepath.Join(dir, "shmkit.gone.tmp-777")); err != nil {
		t.Fatal(err)
	}
	r := shmdemo(t, "segments")
	if r.code != 0 || !strings.Contains(r.stdout, "gone.tmp-777") || !strings.Contains(r.stdout, "left by a Create that did not finish") {
		t.Fatalf("segments: exit status %d, output does not list the leftover as such:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = shmdemo(t, "segments", "-rm-stale")
	if r.code != 0 || !strings.Contains(r.stdout, "removed gone.tmp-777") {
		t.Fatalf("segments -rm-stale: exit status %d, output:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Lstat(filepath.Join(dir, "shmkit.gone.tmp-777")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the leftover after -rm-stale: %v, want it gone", err)
	}
}

func TestVersion_JSON(t *testing.T) {
	r := shmdemo(t, "version", "-json")
	var got versionInfo
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	if r.code != 0 || got.GOOS != runtime.GOOS || got.GOARCH != runtime.GOARCH || got.Version == "" {
		t.Fatalf("exit status %d, got %+v", r.code, got)
	}
}

// The tutorial's examples and exercises, each run as a user would: the
// output of those that are deterministic is checked whole.
func TestShmdemo_Tutorial(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdout string // the whole of stdout
	}{
		{"process", []string{"process"}, "Running Process-1\nRunning Process-2\nAll processes finished!\n"},
		{"queue", []string{"queue"}, "Squares: [0 1 4 9 16]\n"},
		{"valuearray", []string{"valuearray"}, "Value: 1\nArray: [2 3 4]\n"},
		{"pool", []string{"pool"}, "[0 1 4 9 16 25 36 49 64 81]\n"},
		{"executor", []string{"executor"}, "[0 1 8 27 64 125]\n"},
		{"squares", []string{"squares"}, "process 1 squares 1 to 3\nprocess 2 squares 4 to 6\n" +
			"process 3 squares 7 to 8\nprocess 4 squares 9 to 10\nSquares: [1 4 9 16 25 36 49 64 81 100]\n"},
		{"squares -procs 2 -n 3", []string{"squares", "-procs", "2", "-n", "3"},
			"process 1 squares 1 to 2\nprocess 2 squares 3\nSquares: [1 4 9]\n"},
		{"queue-squares", []string{"queue-squares"},
			"4 worker processes sent 10 results through the queue\nSquares: [1 4 9 16 25 36 49 64 81 100]\n"},
		{"queue-squares -workers 2 -n 4", []string{"queue-squares", "-workers", "2", "-n", "4"},
			"2 worker processes sent 4 results through the queue\nSquares: [1 4 9 16]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shmdemo(t, tt.args...)
			if r.code != 0 {
				t.Fatalf("exit status %d, want 0\nstderr:\n%s", r.code, r.stderr)
			}
			if r.stdout != tt.stdout {
				t.Fatalf("got stdout\n%s\nwant\n%s", r.stdout, tt.stdout)
			}
		})
	}
}

// Factorial's times change from run to run: its output is checked for
// its deterministic parts (the results, the shape of the table and chart).
func TestShmdemo_Factorial(t *testing.T) {
	r := shmdemo(t, "factorial", "-n", "300, 400,25", "-workers", "2")
	if r.code != 0 {
		t.Fatalf("exit status %d, want 0\nstderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"25   26      15511210043330985984…\n",
		"The pool of 2 workers computed the same digits as the sequential run.\n",
		"METHOD", "SPEED-UP", "sequential ", "pool, 2 workers ", "1.00×", "█",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout does not contain %q:\n%s", want, r.stdout)
		}
	}

	r = shmdemo(t, "factorial", "-n", "20,25", "-workers", "1", "-json")
	var got factorialJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	if r.code != 0 || !got.Equal || got.Workers != 1 || len(got.Results) != 2 ||
		got.Results[1].N != 25 || got.Results[1].Digits != 26 || got.PoolSeconds <= 0 {
		t.Fatalf("exit status %d, got %+v", r.code, got)
	}
}

// Every tutorial subcommand has -h, and refuses bad flags and arguments.
func TestShmdemo_Tutorial_Usage(t *testing.T) {
	type usageCase struct {
		name   string
		args   []string
		code   int
		stderr string
	}
	var tests []usageCase
	for _, c := range []string{"process", "queue", "valuearray", "pool", "executor", "squares", "queue-squares", "factorial"} {
		tests = append(tests,
			usageCase{c + " -h", []string{c, "-h"}, 0, "shmdemo " + c},
			usageCase{c + " -bogus", []string{c, "-bogus"}, 2, "-bogus"},
			usageCase{c + " garbage", []string{c, "x"}, 2, `unexpected argument "x"`},
		)
	}
	tests = append(tests,
		usageCase{"squares -procs 0", []string{"squares", "-procs", "0"}, 2, "procs 0"},
		usageCase{"squares -n 0", []string{"squares", "-n", "0"}, 2, "n 0"},
		usageCase{"queue-squares -workers 0", []string{"queue-squares", "-workers", "0"}, 2, "workers 0"},
		usageCase{"factorial -n x", []string{"factorial", "-n", "10,x"}, 2, `"x" is not a number`},
		usageCase{"factorial -n too large", []string{"factorial", "-n", "1000000"}, 2, "n 1000000"},
		usageCase{"factorial -workers 0", []string{"factorial", "-workers", "0"}, 2, "workers 0"},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shmdemo(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tt.stderr, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty:\n%s", r.stdout)
			}
		})
	}
}

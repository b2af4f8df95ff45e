package ipc_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/ipc"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// Functions the test binary runs as a child.
var (
	hello = ipc.Register("hello", func(ctx context.Context, name string) error {
		fmt.Printf("Running %s\n", name)
		return nil
	})
	noop = ipc.Register("noop", func(ctx context.Context, _ struct{}) error { return nil })
	fail = ipc.Register("fail", func(ctx context.Context, msg string) error { return errors.New(msg) })
	boom = ipc.Register("panic", func(ctx context.Context, msg string) error { panic(msg) })
	exit = ipc.Register("exit", func(ctx context.Context, code int) error {
		os.Exit(code)
		return nil
	})
	// sleep prints announce (if not empty) and blocks until its context ends,
	// that is until the parent goes away.
	sleep = ipc.Register("sleep", func(ctx context.Context, announce string) error {
		if announce != "" {
			fmt.Println(announce)
		}
		<-ctx.Done()
		return ctx.Err()
	})
	getenv = ipc.Register("getenv", func(ctx context.Context, key string) error {
		v, ok := os.LookupEnv(key)
		fmt.Printf("%s=%q %v\n", key, v, ok)
		return nil
	})
	// parent starts a sleeping child of its own, prints its pid and blocks.
	parent = ipc.Register("parent", func(ctx context.Context, _ struct{}) error {
		return startSleeperAndBlock(ctx)
	})
)

// startSleeperAndBlock starts a sleeping child, prints its pid and blocks
// until this process's parent goes away.
func startSleeperAndBlock(ctx context.Context) error {
	p, err := sleep.Start("")
	if err != nil {
		return err
	}
	fmt.Println(p.Pid())
	<-ctx.Done()
	return ctx.Err()
}

// waitTimeout bounds every wait of a test for a child.
const waitTimeout = 10 * time.Second

// startLine starts p with its standard output on a pipe and returns the
// first line p prints, failing the test if none comes within waitTimeout.
func startLine(t testing.TB, p *ipc.Process) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p.Stdout = w
	start(t, p)
	w.Close()
	r.SetReadDeadline(time.Now().Add(waitTimeout))
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line of process %q: %v", p.Name(), err)
	}
	return strings.TrimSuffix(line, "\n")
}

// start and wait are proctest's, under short names.
var (
	start = proctest.Start
	wait  = proctest.Wait
)

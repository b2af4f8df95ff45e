package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// runTutorial runs a demo of the tutorial with the subcommand's flags
// already parsed: run writes its output to stdout. Ctrl-C ends it; its
// children die with it (they watch this process). It returns the exit
// status: 0, or 1 when the demo failed.
func runTutorial(name string, run func(ctx context.Context, w io.Writer) error, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, stdout); err != nil {
		fmt.Fprintf(stderr, "shmdemo %s: %v\n", name, err)
		return 1
	}
	return 0
}

// runExample is a subcommand for a tutorial example that has no flags.
func runExample(name, examples string, run func(ctx context.Context, w io.Writer) error, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(name, name, examples, stderr)
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	return runTutorial(name, run, stdout, stderr)
}

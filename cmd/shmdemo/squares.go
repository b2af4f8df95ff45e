package main

import (
	"context"
	"io"

	"github.com/shmkit/shmkit/demos/squares"
)

const squaresExamples = `	shmdemo squares                 # 4 processes square 1 to 10 into a shared array
	shmdemo squares -procs 3 -n 20  # 3 processes, 1 to 20
`

// runSquares runs tutorial exercise 1: processes square blocks of numbers
// into a shared array.
func runSquares(args []string, stdout, stderr io.Writer) int {
	def := squares.DefaultConfig()
	fs := newFlagSet("squares", "squares [-procs P] [-n N]", squaresExamples, stderr)
	procs := fs.Int("procs", def.Procs, "`processes`, each squaring a block of the numbers")
	n := fs.Int("n", def.N, "square the numbers 1 to `N`")
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	cfg := squares.Config{Procs: *procs, N: *n}
	if err := cfg.Validate(); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	return runTutorial("squares", func(ctx context.Context, w io.Writer) error {
		return squares.Run(ctx, w, cfg)
	}, stdout, stderr)
}

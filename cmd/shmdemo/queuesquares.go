package main

import (
	"context"
	"io"

	"github.com/shmkit/shmkit/demos/queuesquares"
)

const queueSquaresExamples = `	shmdemo queue-squares                       # 4 workers square 1 to 10, results back through a queue
	shmdemo queue-squares -workers 2 -n 5000    # more results than the queue has slots
`

// runQueueSquares runs tutorial exercise 2: worker processes send their
// results back to the main process through a queue.
func runQueueSquares(args []string, stdout, stderr io.Writer) int {
	def := queuesquares.DefaultConfig()
	fs := newFlagSet("queue-squares", "queue-squares [-workers W] [-n N]", queueSquaresExamples, stderr)
	workers := fs.Int("workers", def.Workers, "worker `processes`")
	n := fs.Int("n", def.N, "square the numbers 1 to `N`")
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	cfg := queuesquares.Config{Workers: *workers, N: *n}
	if err := cfg.Validate(); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	return runTutorial("queue-squares", func(ctx context.Context, w io.Writer) error {
		return queuesquares.Run(ctx, w, cfg)
	}, stdout, stderr)
}

package main

import (
	"io"

	"github.com/shmkit/shmkit/demos/queue"
)

const queueExamples = `	shmdemo queue         # 5 processes put a square each on one queue
`

// runQueue runs the tutorial's Queue example: five child processes put
// their squares on a shared queue, which the parent reads.
func runQueue(args []string, stdout, stderr io.Writer) int {
	return runExample("queue", queueExamples, queue.Run, args, stdout, stderr)
}

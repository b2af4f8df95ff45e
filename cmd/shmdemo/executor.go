package main

import (
	"io"

	"github.com/shmkit/shmkit/demos/executor"
)

const executorExamples = `	shmdemo executor      # an executor of 3 workers cubes 0 to 5
`

// runExecutor runs the tutorial's ProcessPoolExecutor example:
// executor.map(cube, range(6)).
func runExecutor(args []string, stdout, stderr io.Writer) int {
	return runExample("executor", executorExamples, executor.Run, args, stdout, stderr)
}

package main

import (
	"io"

	"github.com/shmkit/shmkit/demos/process"
)

const processExamples = `	shmdemo process       # two children print a line each; the parent waits for both
`

// runProcess runs the tutorial's Process example: two child processes,
// each printing a line, joined by the parent.
func runProcess(args []string, stdout, stderr io.Writer) int {
	return runExample("process", processExamples, process.Run, args, stdout, stderr)
}

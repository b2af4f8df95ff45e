package main

import (
	"io"

	"github.com/shmkit/shmkit/demos/pool"
)

const poolExamples = `	shmdemo pool          # a pool of 4 workers squares 0 to 9
`

// runPool runs the tutorial's Pool example: pool.map(square, range(10)).
func runPool(args []string, stdout, stderr io.Writer) int {
	return runExample("pool", poolExamples, pool.Run, args, stdout, stderr)
}

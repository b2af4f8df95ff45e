package main

import (
	"io"

	"github.com/shmkit/shmkit/demos/valuearray"
)

const valuearrayExamples = `	shmdemo valuearray    # a child adds one to a shared Value and to each element of an Array
`

// runValueArray runs the tutorial's Value and Array example.
func runValueArray(args []string, stdout, stderr io.Writer) int {
	return runExample("valuearray", valuearrayExamples, valuearray.Run, args, stdout, stderr)
}

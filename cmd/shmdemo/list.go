package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

const listExamples = `	shmdemo list
`

// runList prints every subcommand with what it teaches.
func runList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("list", "list", listExamples, stderr)
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "%s\t%s\n", c.name, c.teaches)
	}
	tw.Flush()
	return 0
}

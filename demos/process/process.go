package process

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/shmkit/shmkit/demos/internal/children"

	"github.com/shmkit/shmkit/ipc"
)

// task runs in a child process (Python: def task(name)). It prints to its
// standard output, which Run collects.
var task = ipc.Register("demos.process.task", func(ctx context.Context, name string) error {
	fmt.Printf("Running %s\n", name)
	return nil
})

// Run starts the two children, waits for both, and writes their output
// to w in the order they were started, then "All processes finished!".
func Run(ctx context.Context, w io.Writer) error {
	names := []string{"Process-1", "Process-2"}
	outs := make([]bytes.Buffer, len(names))
	procs := make([]*ipc.Process, 0, len(names))
	defer func() { children.Reap(procs) }() // on an early return: no child outlives Run
	for i, name := range names {
		p := task.Command(name) // Process(target=task, args=(name,))
		p.Stdout = &outs[i]
		if err := p.Start(); err != nil {
			return fmt.Errorf("process: start %s: %w", name, err)
		}
		procs = append(procs, p)
	}
	for i, p := range procs {
		if err := p.Wait(ctx); err != nil { // join()
			return fmt.Errorf("process: %s: %w", names[i], err)
		}
	}
	for i := range outs { // complete: Wait returns once the output is copied
		if _, err := w.Write(outs[i].Bytes()); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, "All processes finished!")
	return err
}

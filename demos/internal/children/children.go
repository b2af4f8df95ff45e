// Package children holds what the demos do with the child processes they
// start.
package children

import (
	"context"

	"github.com/shmkit/shmkit/ipc"
)

// Reap kills and waits for every process of procs that is still running,
// so that no child outlives a demo that returns early.
func Reap(procs []*ipc.Process) {
	for _, p := range procs {
		select {
		case <-p.Done():
		default:
			p.Kill()
			p.Wait(context.Background())
		}
	}
}

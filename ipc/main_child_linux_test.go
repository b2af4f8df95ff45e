package ipc_test

import (
	"context"
	"testing"

	"github.com/shmkit/shmkit/ipc"
)

// parentNoPdeathsig is parent with its child relying on the control socket
// alone to notice its death, as on macOS.
var parentNoPdeathsig = ipc.Register("parent-no-pdeathsig", func(ctx context.Context, _ struct{}) error {
	ipc.DisablePdeathsig()
	return startSleeperAndBlock(ctx)
})

func TestProcess_ParentDeath_ControlSocket(t *testing.T) {
	testParentDeath(t, parentNoPdeathsig.Command(struct{}{}))
}

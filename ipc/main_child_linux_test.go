package ipc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shmkit/shmkit/ipc"
)

// parentNoPdeathsig is parent with its child relying on the control socket
// alone to notice its death, as on macOS.
var parentNoPdeathsig = ipc.Register("parent-no-pdeathsig", func(ctx context.Context, _ struct{}) error {
	ipc.DisablePdeathsig()
	p, err := sleep.Start("")
	if err != nil {
		return err
	}
	fmt.Println(p.Pid())
	<-ctx.Done()
	return ctx.Err()
})

func TestProcess_ParentDeath_ControlSocket(t *testing.T) {
	testParentDeath(t, parentNoPdeathsig.Command(struct{}{}))
}

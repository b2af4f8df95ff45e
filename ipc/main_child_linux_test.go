package ipc_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
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

// listFDs is a shell command that prints what each descriptor of the shell
// refers to, one a line: the shell is a program that knows nothing of ipc.
// (The descriptor the shell reads the directory with is gone by the time
// readlink looks at it, so the status is set apart.)
const listFDs = `for f in /proc/$$/fd/*; do readlink "$f"; done; exit 0`

// execUnrelated runs an unrelated program (a shell) twice: first handing it
// the control socket on purpose, which it must see (so the check can
// fail), then as usual, when it must hold none of the descriptors ipc gave
// this child: the control socket and the shared memory segments.
var execUnrelated = ipc.Register("exec-unrelated", func(ctx context.Context, _ struct{}) error {
	control, err := os.Readlink("/proc/self/fd/3")
	if err != nil || !strings.HasPrefix(control, "socket:") {
		return fmt.Errorf("descriptor 3 is %q (%v), want the control socket", control, err)
	}
	ours := map[string]bool{control: true}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range ents {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.Contains(target, "shmkit") {
			ours[target] = true
		}
	}
	if len(ours) < 2 {
		return fmt.Errorf("got descriptors %v, want the control socket and at least one segment", ours)
	}
	run := func(extra ...*os.File) ([]string, error) {
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", listFDs)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
		cmd.ExtraFiles = extra
		out, err := cmd.Output()
		var inherited []string
		for _, target := range strings.Split(string(out), "\n") {
			if ours[target] {
				inherited = append(inherited, target)
			}
		}
		return inherited, err
	}
	if got, err := run(os.NewFile(3, "control")); err != nil || len(got) != 1 || got[0] != control {
		return fmt.Errorf("handed the control socket on purpose, the program saw %v (%v), want [%s]", got, err, control)
	}
	if got, err := run(); err != nil || len(got) != 0 {
		return fmt.Errorf("the program inherited %v (%v), want none of %d descriptors of ipc's", got, err, len(ours))
	}
	return nil
})

// A program that a child executes inherits neither the child's control
// socket nor its shared memory segments: ipc.Main made them close-on-exec.
func TestMain_CloseOnExec_UnrelatedProgram(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skipf("no /bin/sh to run as the unrelated program: %v", err)
	}
	if _, err := shm.NewValue[int32](0); err != nil { // at least one segment to hand over
		t.Fatal(err)
	}
	p := execUnrelated.Command(struct{}{})
	start(t, p)
	if err := wait(t, p); err != nil {
		t.Fatal(err)
	}
}

package ipc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shmkit/shmkit/ipc"
)

// pipeEcho sends back every message it receives with "echo: " in front,
// until the pipe is closed.
var pipeEcho = ipc.Register("pipe-echo", func(ctx context.Context, c *ipc.Conn) error {
	for {
		b, err := c.Recv(ctx)
		if errors.Is(err, ipc.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := c.Send(ctx, append([]byte("echo: "), b...)); err != nil {
			return err
		}
	}
})

func TestPipe_Duplex_Child(t *testing.T) {
	a, b, err := ipc.Pipe(true)
	if err != nil {
		t.Fatal(err)
	}
	p := pipeEcho.Command(b)
	start(t, p)
	ctx := ctxQ(t)
	for _, m := range []string{"hi", "", "there"} {
		if err := a.Send(ctx, []byte(m)); err != nil {
			t.Fatal(err)
		}
		got, err := a.Recv(ctx)
		if err != nil || string(got) != "echo: "+m {
			t.Fatalf("Recv: got %q, %v, want %q", got, err, "echo: "+m)
		}
	}
	a.Close()
	if err := wait(t, p); err != nil {
		t.Fatal(err)
	}
}

func TestPipe_OneWay(t *testing.T) {
	r, w, err := ipc.Pipe(false)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxQ(t)
	if err := r.Send(ctx, []byte("x")); !errors.Is(err, ipc.ErrDirection) {
		t.Fatalf("Send on the receiving end: got %v, want ErrDirection", err)
	}
	if _, err := w.Recv(ctx); !errors.Is(err, ipc.ErrDirection) {
		t.Fatalf("Recv on the sending end: got %v, want ErrDirection", err)
	}
	if err := w.Send(ctx, make([]byte, ipc.PipeMaxMessage+1)); !errors.Is(err, ipc.ErrTooLarge) {
		t.Fatalf("Send of a large message: got %v, want ErrTooLarge", err)
	}
	w.Send(ctx, []byte("one"))
	w.Close()
	if got, err := r.Recv(ctx); string(got) != "one" || err != nil {
		t.Fatalf("Recv: got %q, %v", got, err)
	}
	if _, err := r.Recv(ctx); !errors.Is(err, ipc.ErrClosed) {
		t.Fatalf("Recv of a closed pipe: got %v, want ErrClosed", err)
	}
	if err := w.Send(ctx, []byte("two")); !errors.Is(err, ipc.ErrClosed) {
		t.Fatalf("Send on a closed pipe: got %v, want ErrClosed", err)
	}
}

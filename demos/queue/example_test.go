package queue_test

import (
	"context"
	"log"
	"os"
	"testing"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/demos/queue"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// Example runs the tutorial's Queue example: five processes put their
// squares on one queue; the parent prints them sorted, since the order in
// which they arrive is not fixed.
func Example() {
	if err := queue.Run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Squares: [0 1 4 9 16]
}

package queuesquares_test

import (
	"context"
	"log"
	"os"
	"testing"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/demos/queuesquares"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// Example is exercise 2: worker processes send their results back to the
// main process through a queue. They arrive in no fixed order, so they
// are sorted before they are printed.
func Example() {
	if err := queuesquares.Run(context.Background(), os.Stdout, queuesquares.DefaultConfig()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 4 worker processes sent 10 results through the queue
	// Squares: [1 4 9 16 25 36 49 64 81 100]
}

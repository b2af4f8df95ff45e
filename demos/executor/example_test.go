package executor_test

import (
	"context"
	"log"
	"os"
	"testing"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/demos/executor"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// Example runs the tutorial's ProcessPoolExecutor example.
func Example() {
	if err := executor.Run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// [0 1 8 27 64 125]
}

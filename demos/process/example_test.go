package process_test

import (
	"context"
	"log"
	"os"
	"testing"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/demos/process"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// Example runs the tutorial's Process example. The two children run at
// once; their lines are printed in the order they were started.
func Example() {
	if err := process.Run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Running Process-1
	// Running Process-2
	// All processes finished!
}

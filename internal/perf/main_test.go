package perf

import (
	"testing"

	"github.com/shmkit/shmkit/internal/proctest"
)

func TestMain(m *testing.M) { proctest.Main(m) }

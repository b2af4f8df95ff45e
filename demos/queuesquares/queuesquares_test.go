package queuesquares_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/demos/queuesquares"
)

// More tasks than a queue has slots (1024): the producer blocks on the
// full task queue while the main process reads results.
func TestSquares_MoreThanQueueCapacity(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := queuesquares.Config{Workers: 3, N: 3000}
	got, err := queuesquares.Squares(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != cfg.N {
		t.Fatalf("got %d results, want %d", len(got), cfg.N)
	}
	for i, r := range got {
		if n := int64(i + 1); r.N != n || r.Square != n*n {
			t.Fatalf("result %d: got %+v, want {N:%d Square:%d}", i, r, n, n*n)
		}
	}
}

func TestSquares_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := queuesquares.Squares(ctx, queuesquares.DefaultConfig()); err == nil {
		t.Fatal("got nil error from a canceled context")
	}
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		cfg  queuesquares.Config
		want string // a substring of the error, "" for none
	}{
		{"default", queuesquares.DefaultConfig(), ""},
		{"no workers", queuesquares.Config{Workers: 0, N: 10}, "workers 0"},
		{"too many workers", queuesquares.Config{Workers: 65, N: 10}, "workers 65"},
		{"no numbers", queuesquares.Config{Workers: 1, N: 0}, "n 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

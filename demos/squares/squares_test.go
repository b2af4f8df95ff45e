package squares_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/demos/squares"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name     string
		n, procs int
		want     []squares.Block
	}{
		{"exercise", 10, 4, []squares.Block{{1, 3}, {4, 6}, {7, 8}, {9, 10}}},
		{"even", 6, 3, []squares.Block{{1, 2}, {3, 4}, {5, 6}}},
		{"one process", 5, 1, []squares.Block{{1, 5}}},
		{"one each", 3, 3, []squares.Block{{1, 1}, {2, 2}, {3, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := squares.Split(tt.n, tt.procs)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestSquares_Exact(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := squares.Config{Procs: 3, N: 1000}
	got, blocks, err := squares.Squares(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != cfg.N || len(blocks) != cfg.Procs {
		t.Fatalf("got %d squares in %d blocks, want %d in %d", len(got), len(blocks), cfg.N, cfg.Procs)
	}
	for i, sq := range got {
		if n := int64(i + 1); sq != n*n {
			t.Fatalf("square of %d: got %d, want %d", n, sq, n*n)
		}
	}
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		cfg  squares.Config
		want string // a substring of the error, "" for none
	}{
		{"default", squares.DefaultConfig(), ""},
		{"no procs", squares.Config{Procs: 0, N: 10}, "procs 0"},
		{"more procs than numbers", squares.Config{Procs: 5, N: 4}, "procs 5"},
		{"no numbers", squares.Config{Procs: 1, N: 0}, "n 0"},
		{"too many numbers", squares.Config{Procs: 1, N: squares.MaxN + 1}, "n 100001"},
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

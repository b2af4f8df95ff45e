package perf

import (
	"slices"
	"strings"
	"testing"
)

// The keys of the JSON object are an interface: exactly these, in this
// order.
var wantKeys = []string{
	"lock_uncontended_ns", "lock_contended_ops_per_s", "lock_contended_handoffs",
	"atomic_add_2proc_ops_per_s", "bank_locked_4proc_deposits_per_s",
	"queue_spsc_64B_msgs_per_s", "queue_mpmc_64B_msgs_per_s", "queue_spsc_4KiB_msgs_per_s",
	"queue_batch_64B_msgs_per_s", "queue_rtt_p50_us", "queue_rtt_p99_us",
	"pipe_64B_msgs_per_s", "pipe_bufio_64B_msgs_per_s", "process_start_wait_ms",
	"pool_start_first_result_ms", "pool_map_auto_tasks_per_s", "pool_map_chunk1_tasks_per_s",
	"executor_submit_tasks_per_s", "factorial_speedup",
}

func keys(rows []Row) []string {
	var k []string
	for _, r := range rows {
		k = append(k, r.Key)
	}
	return k
}

func TestRows_Keys(t *testing.T) {
	if got := keys(Rows()); !slices.Equal(got, wantKeys) {
		t.Fatalf("keys\n%q\nwant\n%q", got, wantKeys)
	}
}

func TestRows_Complete(t *testing.T) {
	for _, r := range Rows() {
		if r.What == "" || r.Unit == "" || !slices.Contains(groups, r.Group) {
			t.Errorf("%s: what %q, unit %q, group %q", r.Key, r.What, r.Unit, r.Group)
		}
		if measurements[r.ours.m] == nil {
			t.Errorf("%s: no measurement %q", r.Key, r.ours.m)
		}
		if (r.base.m == "") != (r.BaselineName == "") || (r.base.m != "" && measurements[r.base.m] == nil) {
			t.Errorf("%s: baseline %q, measurement %q", r.Key, r.BaselineName, r.base.m)
		}
		if (r.meets == nil) != (r.Aim == "") {
			t.Errorf("%s: aim %q, but a check of it: %v", r.Key, r.Aim, r.meets != nil)
		}
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		names string
		want  []string // keys; nil: every row
		err   string   // a substring of the error, if any
	}{
		{names: "", want: wantKeys},
		{names: " ", want: wantKeys},
		{names: "lock", want: []string{"lock_uncontended_ns", "lock_contended_ops_per_s", "lock_contended_handoffs"}},
		{names: "factorial_speedup,lock_uncontended_ns", want: []string{"lock_uncontended_ns", "factorial_speedup"}},
		{names: "pipe, pipe_64B_msgs_per_s", want: []string{"pipe_64B_msgs_per_s", "pipe_bufio_64B_msgs_per_s"}},
		{names: "executor", want: []string{"executor_submit_tasks_per_s"}},
		{names: "lock,bogus", err: `unknown row "bogus"`},
		{names: "Lock", err: `unknown row "Lock"`},
		{names: "lock,", err: "empty row name"},
	}
	for _, tt := range tests {
		t.Run(tt.names, func(t *testing.T) {
			rows, err := Select(tt.names)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one that says %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := keys(rows); !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

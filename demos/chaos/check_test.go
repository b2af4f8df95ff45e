package chaos

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// wantProblems fails unless ps has exactly as many problems as want has
// substrings, each found in its problem.
func wantProblems(t *testing.T, ps []string, want ...string) {
	t.Helper()
	if len(ps) != len(want) {
		t.Fatalf("got %d problems %q, want %d mentioning %q", len(ps), ps, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(ps[i], w) {
			t.Errorf("problem %d: got %q, want it to mention %q", i, ps[i], w)
		}
	}
}

// goodBank is a consistent account after a round in which depositor 2 was
// killed holding the lock (one takeover).
func goodBank() bankView {
	return bankView{Initial: 1000, Amount: 7, Balance: 1000 + 7*(10+20+5), Completed: []int64{10, 20, 5},
		Reported: []int64{10, 20, -1}, Killed: []bool{false, false, true}, OwnerDeadSeen: 1, Recoveries: 1}
}

func TestChaos_CheckBank(t *testing.T) {
	tests := []struct {
		name string
		edit func(*bankView)
		want []string
	}{
		{"consistent", func(*bankView) {}, nil},
		{"a deposit not rolled back", func(v *bankView) { v.Balance += 7 }, []string{"off by +7"}},
		{"a committed deposit missing", func(v *bankView) { v.Balance -= 7 }, []string{"off by -7"}},
		{"survivor miscounted", func(v *bankView) { v.Reported[1] = 21 }, []string{"depositor 1 survived and made 21 deposits, but 20"}},
		{"more takeovers than deaths", func(v *bankView) { v.Recoveries, v.OwnerDeadSeen = 2, 2 }, []string{"recovered from a dead owner 2 times, but only 1"}},
		{"more ErrOwnerDead than takeovers", func(v *bankView) { v.OwnerDeadSeen = 2 }, []string{"2 ErrOwnerDead recoveries recorded, but the lock counts 1"}},
		{"negative counter", func(v *bankView) { v.Completed[2] = -1; v.Balance = 1000 + 7*29 }, []string{"negative commit counter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := goodBank()
			tt.edit(&v)
			deposits, ps := checkBank(v)
			wantProblems(t, ps, tt.want...)
			if tt.want == nil && deposits != 35 {
				t.Fatalf("deposits: got %d, want 35", deposits)
			}
		})
	}
}

// goodQueue is a consistent queue after a round: producer 0 survived and
// put 6 messages; producer 1 was killed putting its message 4 (put 4, the
// fifth in hand, lost); consumer 1 was killed with message (0,2) in its
// hands.
func goodQueue() queueView {
	return queueView{
		MaxSeq:          8,
		Recv:            [][]int32{{1, 1, 0, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 0, 0, 0, 0}},
		Attempt:         []int64{5, 4},
		Acked:           []int64{6, 4},
		ProducerKilled:  []bool{false, true},
		ConsumersKilled: 1,
	}
}

func TestChaos_CheckQueue(t *testing.T) {
	tests := []struct {
		name string
		edit func(*queueView)
		want []string
		lost int
		dups int
	}{
		{"consistent", func(*queueView) {}, nil, 2, 0},
		{"in-hand message of the killed producer arrived", func(v *queueView) { v.Recv[1][4] = 1 }, nil, 1, 0},
		{"duplicate", func(v *queueView) { v.Recv[0][3] = 2 }, []string{"(producer 0, seq 3) delivered 2 times"}, 2, 1},
		{"duplicate of the in-hand message", func(v *queueView) { v.Recv[1][4] = 3 }, []string{"(producer 1, seq 4) delivered 3 times"}, 1, 2},
		{"lost beyond the killed consumers", func(v *queueView) { v.Recv[0][5] = 0 }, []string{"2 messages whose Put returned never arrived [(0,2) (0,5)], but only 1 consumers"}, 3, 0},
		{"lost with no consumer killed", func(v *queueView) { v.ConsumersKilled = 0 }, []string{"1 messages whose Put returned never arrived [(0,2)], but only 0"}, 2, 0},
		{"a survivor's message after its last put", func(v *queueView) { v.Recv[0][6] = 1 }, []string{"(producer 0, seq 6) arrived but was never put"}, 2, 0},
		{"a killed producer's message it never began", func(v *queueView) { v.Recv[1][5] = 1 }, []string{"(producer 1, seq 5) arrived but was never put"}, 2, 0},
		{"in-hand message of a producer killed between puts", func(v *queueView) { v.Attempt[1] = 3; v.Recv[1][4] = 1 }, []string{"(producer 1, seq 4) arrived but was never put"}, 1, 0},
		{"out of order", func(v *queueView) { v.OrderBad = 1 }, []string{"after a later one"}, 2, 0},
		{"torn", func(v *queueView) { v.Garbage = 2 }, []string{"2 messages received torn"}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := goodQueue()
			tt.edit(&v)
			c, ps := checkQueue(v)
			wantProblems(t, ps, tt.want...)
			if c.Lost != tt.lost || c.Duplicates != tt.dups {
				t.Fatalf("got %d lost, %d duplicates, want %d, %d", c.Lost, c.Duplicates, tt.lost, tt.dups)
			}
		})
	}
}

func TestChaos_MessageValid(t *testing.T) {
	m := newMessage(1, 77)
	if !m.valid(2, 100) {
		t.Fatalf("%+v: not valid", m)
	}
	for _, bad := range []message{{P: m.P, Seq: m.Seq + 1, Sum: m.Sum}, {P: m.P, Seq: m.Seq}, newMessage(2, 77), newMessage(1, 100)} {
		if bad.valid(2, 100) {
			t.Errorf("%+v: valid", bad)
		}
	}
}

// goodPool is a batch of 3 tasks in which worker 42, killed by SIGTERM,
// cost task 1.
func goodPool() poolView {
	dead := &ipc.TaskError{Func: "chaos.square", Index: 1, Message: "worker process died",
		Exit: &ipc.ExitError{Name: "shmkit.pool.worker", Pid: 42, Code: -15, Signal: syscall.SIGTERM}}
	return poolView{
		Args: []poolTask{{Index: 0, X: 3}, {Index: 1, X: 4}, {Index: 2, X: 5}},
		Outcomes: []poolOutcome{
			{Index: 2, Value: poolOut{Square: 25, Pid: 43}},
			{Index: 1, Err: dead},
			{Index: 0, Value: poolOut{Square: 9, Pid: 43}},
		},
		Killed: map[int]syscall.Signal{42: syscall.SIGTERM},
	}
}

func TestChaos_CheckPool(t *testing.T) {
	tests := []struct {
		name string
		edit func(*poolView)
		want []string
	}{
		{"consistent", func(*poolView) {}, nil},
		{"wrong result", func(v *poolView) { v.Outcomes[0].Value.Square = 24 }, []string{"task 2 returned 24, want 25"}},
		{"missing result", func(v *poolView) { v.Outcomes = v.Outcomes[:2] }, []string{"task 0 yielded 0 times"}},
		{"twice", func(v *poolView) { v.Outcomes = append(v.Outcomes, v.Outcomes[0]) }, []string{"task 2 yielded 2 times"}},
		{"error naming no worker", func(v *poolView) { v.Outcomes[1].Err = ipc.ErrPoolClosed }, []string{"task 1 failed without naming a dead worker"}},
		{"error naming a live worker", func(v *poolView) { v.Killed = map[int]syscall.Signal{7: syscall.SIGTERM} }, []string{"naming pid 42, which was not killed"}},
		{"error naming another signal", func(v *poolView) { v.Killed[42] = syscall.SIGKILL }, []string{"with signal terminated, but it was sent killed"}},
		{"bad index", func(v *poolView) { v.Outcomes[0].Index = 3 }, []string{"result for index 3", "task 2 yielded 0 times"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := goodPool()
			tt.edit(&v)
			failedBy, ps := checkPool(v)
			wantProblems(t, ps, tt.want...)
			if tt.want == nil && failedBy[42] != 1 {
				t.Fatalf("failures by pid: got %v, want 42: 1", failedBy)
			}
		})
	}
	wantProblems(t, checkPoolFailures(map[int]int{42: 1, 43: 0}))
	wantProblems(t, checkPoolFailures(map[int]int{42: 2}), "2 tasks failed with the death of worker 42")
}

func goodBarrier() barrierView {
	return barrierView{Gen1: []int{2, 0, 3}, ParentGen1: 1, Gen2: []int{gen2Broken, gen2None, gen2Broken}, Victim: 1,
		ParentGen2: shm.ErrBrokenBarrier}
}

func TestChaos_CheckBarrier(t *testing.T) {
	tests := []struct {
		name string
		edit func(*barrierView)
		want []string
	}{
		{"consistent", func(*barrierView) {}, nil},
		{"index twice", func(v *barrierView) { v.ParentGen1 = 0 }, []string{"arrival indexes [2 0 3] (parent 0)"}},
		{"a party passed", func(v *barrierView) { v.Gen2[2] = gen2Passed }, []string{"party 2 passed the second generation although party 1 died"}},
		{"a party hung", func(v *barrierView) { v.Gen2[0] = gen2None }, []string{"party 0: second wait ended with outcome 0"}},
		{"the victim returned", func(v *barrierView) { v.Gen2[1] = gen2Broken }, []string{"the victim, party 1, returned"}},
		{"the parent passed", func(v *barrierView) { v.ParentGen2 = nil }, []string{"parent's second wait: got <nil>"}},
		{"the parent failed otherwise", func(v *barrierView) { v.ParentGen2 = errors.New("boom") }, []string{"got boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := goodBarrier()
			tt.edit(&v)
			wantProblems(t, checkBarrier(v), tt.want...)
		})
	}
}

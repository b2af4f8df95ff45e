package bank

import (
	"errors"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// Status is the stage a run is at, as a watcher reads it from shared
// memory.
type Status string

// The stages of a run.
const (
	Starting Status = "starting" // the depositors are being started
	Running  Status = "running"  // they deposit
	Done     Status = "done"     // the run ended and the balance is final
	Failed   Status = "failed"   // the run failed or was cancelled
)

// statuses maps the number stored in shared memory to a Status. Zero is
// Starting, so that a fresh segment reads as a run that has not begun.
var statuses = []Status{Starting, Running, Done, Failed}

// Final reports whether s is the last stage of a run: Done or Failed.
func (s Status) Final() bool { return s == Done || s == Failed }

func statusCode(s Status) int64 {
	for i, t := range statuses {
		if t == s {
			return int64(i)
		}
	}
	panic("bank: unknown status " + string(s))
}

// modes maps the number stored in shared memory to a Mode (0: unknown).
var modes = []Mode{"", Locked, Atomic, Unsafe}

func modeCode(m Mode) int64 {
	for i, t := range modes {
		if t == m {
			return int64(i)
		}
	}
	return 0
}

// Slots of the config array, written once before the depositors start.
const (
	configProcs = iota
	configDeposits
	configAmount
	configInitial
	configMode
	configLen
)

// Slots of the clock array: when the depositors were let go and when the
// last one ended, in Unix nanoseconds (0: not yet).
const (
	clockStarted = iota
	clockEnded
	clockLen
)

// Names of the objects of a run in its segment. A watcher finds them by
// these names; status is allocated last, so once it is there, all are.
const (
	objBalance = "balance"
	objLedger  = "ledger"
	objConfig  = "config"
	objClock   = "clock"
	objProcs   = "procs"
	objHalted  = "halted"
	objReady   = "ready"
	objGo      = "go"
	objStatus  = "status"
)

// shared is what a run keeps in its segment.
type shared struct {
	seg    *shm.Segment
	acct   *BankAccount
	ready  *shm.Value[int64] // depositors at the start line
	start  *shm.Value[int64] // set to 1 to let them go
	config *shm.Array[int64] // see the config slots
	clock  *shm.Array[int64] // see the clock slots
	procs  *shm.Array[int64] // the depositors' pids, 0 once one has ended
	halted *shm.Array[int64] // 1 where a depositor chosen to be killed has stopped
	status *shm.Value[int64] // a Status, as its index in statuses
	named  bool              // seg is a named segment, to remove at the end
}

// newShared makes the segment of a run, anonymous or named cfg.Name, and
// the objects in it, each with its name. On failure nothing is left behind.
func newShared(cfg Config) (sh *shared, err error) {
	var seg *shm.Segment
	if cfg.Name == "" {
		seg, err = shm.NewSegment(64<<10 + 16*cfg.Procs)
	} else {
		seg, err = shm.Create(cfg.Name, 64<<10+16*cfg.Procs)
	}
	if err != nil {
		return nil, err
	}
	sh = &shared{seg: seg, named: cfg.Name != ""}
	defer func() {
		if err != nil {
			sh.close()
		}
	}()
	in := func(name string) []shm.Option { return []shm.Option{shm.In(seg), shm.Named(name)} }
	if sh.acct, err = newAccount(cfg.Initial, in(objBalance), in(objLedger)); err != nil {
		return nil, err
	}
	conf := make([]int64, configLen)
	conf[configProcs], conf[configDeposits] = int64(cfg.Procs), int64(cfg.Deposits)
	conf[configAmount], conf[configInitial], conf[configMode] = cfg.Amount, cfg.Initial, modeCode(cfg.Mode)
	if sh.config, err = shm.NewArray(conf, in(objConfig)...); err != nil {
		return nil, err
	}
	if sh.clock, err = shm.MakeArray[int64](clockLen, in(objClock)...); err != nil {
		return nil, err
	}
	if sh.procs, err = shm.MakeArray[int64](cfg.Procs, in(objProcs)...); err != nil {
		return nil, err
	}
	if sh.halted, err = shm.MakeArray[int64](cfg.Procs, in(objHalted)...); err != nil {
		return nil, err
	}
	if sh.ready, err = shm.NewValue[int64](0, in(objReady)...); err != nil {
		return nil, err
	}
	if sh.start, err = shm.NewValue[int64](0, in(objGo)...); err != nil {
		return nil, err
	}
	if sh.status, err = shm.NewValue(statusCode(Starting), in(objStatus)...); err != nil {
		return nil, err
	}
	return sh, nil
}

// setStatus stores s, and with a final status the end time, and forgets
// the depositors (all reaped by then).
func (sh *shared) setStatus(s Status) {
	if s.Final() {
		for i := range sh.procs.Len() {
			sh.procs.Store(i, 0)
		}
		if sh.clock.Load(clockEnded) == 0 {
			sh.clock.Store(clockEnded, time.Now().UnixNano())
		}
	}
	sh.status.Store(statusCode(s))
}

// close removes a named segment, then unmaps the segment. A watcher that
// has it open keeps its mapping and reads the final state.
func (sh *shared) close() error {
	var err error
	if sh.named {
		err = shm.Remove(sh.seg.Name())
	}
	return errors.Join(err, sh.seg.Close())
}

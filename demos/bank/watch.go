package bank

import (
	"errors"
	"fmt"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// ErrNotSimulation is returned by [Attach] when the named segment is a
// valid shmkit segment but does not hold the objects of a simulation.
var ErrNotSimulation = errors.New("bank: segment holds no bank simulation")

// Watcher follows a simulation that another process runs with
// [Config.Name], by reading the account and the run's state from the
// named segment. It never takes the account's lock, so watching does not
// slow the depositors down.
type Watcher struct {
	name    string
	created time.Time // of the segment attached, to notice a new one of the same name
	sh      shared
}

// Attach opens the named segment of a simulation, in this or another
// process. It fails with shm.ErrNotExist when no segment has that name,
// with shm's validation errors (such as shm.ErrBadMagic) when the file is
// not a shmkit segment, and with [ErrNotSimulation] when the segment holds
// no simulation, or not yet all of its objects.
func Attach(name string) (*Watcher, error) {
	seg, err := shm.Open(name)
	if err != nil {
		return nil, err
	}
	w := &Watcher{name: name, sh: shared{seg: seg}}
	if err := w.lookup(); err != nil {
		seg.Close()
		return nil, fmt.Errorf("%w: segment %q: %w", ErrNotSimulation, name, err)
	}
	if info, ok := findSegment(name); ok {
		w.created = info.Created
	}
	return w, nil
}

// lookup finds the run's objects by name, status first: it is allocated
// last.
func (w *Watcher) lookup() (err error) {
	sh, seg := &w.sh, w.sh.seg
	if sh.status, err = shm.LookupValue[int64](seg, objStatus); err != nil {
		return err
	}
	if sh.acct, err = lookupAccount(seg, objBalance, objLedger); err != nil {
		return err
	}
	if sh.config, err = lookupArray(seg, objConfig, configLen); err != nil {
		return err
	}
	if sh.clock, err = lookupArray(seg, objClock, clockLen); err != nil {
		return err
	}
	sh.procs, err = shm.LookupArray[int64](seg, objProcs)
	return err
}

func lookupArray(seg *shm.Segment, name string, n int) (*shm.Array[int64], error) {
	a, err := shm.LookupArray[int64](seg, name)
	if err == nil && a.Len() != n {
		err = fmt.Errorf("%w: %s has %d elements, want %d", shm.ErrType, name, a.Len(), n)
	}
	return a, err
}

// Snapshot is the state of a simulation at one moment, as a [Watcher]
// reads it. Its fields are read one by one without the lock, so they may
// be a few deposits apart while the run goes on; once Status is final,
// they are the final figures.
type Snapshot struct {
	Name            string `json:"name"`
	Status          Status `json:"status"`
	Mode            Mode   `json:"mode"`
	Procs           int    `json:"procs"`
	DepositsPerProc int    `json:"deposits_per_proc"`
	Amount          int64  `json:"amount"`
	Initial         int64  `json:"initial"`
	Balance         int64  `json:"balance"`
	Completed       int64  `json:"completed"` // deposits
	Total           int64  `json:"total"`     // deposits when the run is complete
	// LockOwner is the pid of the process holding the account's lock, 0
	// when it is free. The lock keeps no list of the processes waiting for
	// it: while it is held, the other depositors are depositing or waiting.
	LockOwner  int       `json:"lock_owner"`
	Recoveries int       `json:"recoveries"` // of the lock from dead holders
	Depositors []int     `json:"depositors"` // pids of those still running
	Started    time.Time `json:"started,omitzero"`
	Ended      time.Time `json:"ended,omitzero"`
	Time       time.Time `json:"time"` // when this snapshot was read
}

// Snapshot reads the state of the simulation.
func (w *Watcher) Snapshot() Snapshot {
	sh := &w.sh
	s := Snapshot{Name: w.name, Time: time.Now(), Depositors: []int{}}
	if c := sh.status.Load(); c >= 0 && c < int64(len(statuses)) {
		s.Status = statuses[c]
	}
	if c := sh.config.Load(configMode); c > 0 && c < int64(len(modes)) {
		s.Mode = modes[c]
	}
	s.Procs, s.DepositsPerProc = int(sh.config.Load(configProcs)), int(sh.config.Load(configDeposits))
	s.Amount, s.Initial = sh.config.Load(configAmount), sh.config.Load(configInitial)
	s.Total = int64(s.Procs) * int64(s.DepositsPerProc)
	s.Balance, s.Completed = sh.acct.Balance(), sh.acct.Deposits()
	s.LockOwner, s.Recoveries = sh.acct.Mutex().Owner(), sh.acct.Recoveries()
	for i := range sh.procs.Len() {
		if pid := sh.procs.Load(i); pid > 0 {
			s.Depositors = append(s.Depositors, int(pid))
		}
	}
	s.Started, s.Ended = unixTime(sh.clock.Load(clockStarted)), unixTime(sh.clock.Load(clockEnded))
	return s
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// Gone reports whether the simulation can no longer finish: its segment
// was removed or replaced by another of the same name, or the process
// that created it is gone. A run that ended removes its segment after
// storing its final status, so read a Snapshot again before concluding
// that it did not finish.
func (w *Watcher) Gone() bool {
	info, ok := findSegment(w.name)
	return !ok || info.Stale || !info.Created.Equal(w.created)
}

// findSegment returns the named segment's entry in shm.List.
func findSegment(name string) (shm.SegmentInfo, bool) {
	infos, err := shm.List()
	if err != nil {
		return shm.SegmentInfo{}, false
	}
	for _, info := range infos {
		if info.Name == name && info.Err == nil {
			return info, true
		}
	}
	return shm.SegmentInfo{}, false
}

// Close unmaps the segment. The Watcher must not be used after.
func (w *Watcher) Close() error { return w.sh.seg.Close() }

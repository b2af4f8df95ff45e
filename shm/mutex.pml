/*
 * mutex.pml: a SPIN model of shm.Mutex (mutex.go) with owner death: three
 * processes, every interleaving, any process killed at any step.
 *
 * What it models: the futex word lockWord.state, with the owner's pid in
 * the low bits (pidMask; here 3 bits: pids 1..3, all ones is
 * notRecoverable), the inconsistent bit and the waiters bit, and each
 * atomic operation the Go code makes on it, one atomic block each (with
 * the local decisions after it), one inline per Go function:
 *
 *   Mutex.Lock, LockContext  lock()        ctx.Err (process 3), then one
 *                                          CAS 0 -> pid, else lockSlow
 *   lockWord.lockSlow        lockSlow()    load; CAS when free (with the
 *                                          waiters bit once it slept); ctx.Err
 *                                          (once it slept, giving up is a
 *                                          Wake(1) of its own, pass); spin
 *                                          (SPINS loads); CAS the waiters bit
 *                                          in; futex.Wait; checkOwner
 *   lockWord.checkOwner      (in lockSlow) procGone of the owner, then CAS to
 *                                          pid|inconsistent|waiters: ErrOwnerDead
 *   Mutex.MarkConsistent     markConsistent()  load, CAS the inconsistent bit off
 *   Mutex.Unlock             unlock()      one CAS pid -> 0, else unlockSlow:
 *                                          load, CAS to 0 (to notRecoverable if
 *                                          inconsistent), Wake(1) if the waiters
 *                                          bit was set (Wake(all) if not
 *                                          recoverable)
 *   context.AfterFunc        proctype ctx  the ctx of process 3 ends once, at
 *                                          any time; if LockContext was waiting,
 *                                          its AfterFunc wakes every sleeper
 *   futex.Wait, futex.Wake   futexWait(), futexWake(): Wait sleeps only if
 *                                          the word still holds the value; Wake(n)
 *                                          wakes up to n sleepers, any of them
 *
 * Processes 1 and 2 make ITERS rounds, process 3 ITERS3 rounds (with
 * LockContext if CTX) of Lock, Unlock; after ErrOwnerDead a process calls
 * MarkConsistent or does not (both are explored).
 *
 * Deaths. init picks which processes may die (up to MAXKILL, or none). A
 * process that may die can die before any atomic step that writes the word
 * or wakes (KP), and while it sleeps; a death just before a step that only
 * reads is the same as one just before the next write, since nobody sees
 * what a dead process read. procGone sees it dead at once; the kernel
 * drops it from the futex queue.
 *
 * Timeouts. lockSlow's futex.Wait always has a timeout (the owner-health
 * check interval); here a sleeper may time out only when the owner named
 * in the word is dead (what the timeout is for), or once a wake-up died
 * with a process (woken and not yet acted on it, which for a LockContext
 * that gives up means until its Wake(1) has passed it on; or between its
 * Unlock's CAS and its Wake). Any other sleep is timeout-free, so a lost
 * wake-up is a process asleep for ever: an invalid end state. After a
 * wake-up the check interval may or may not have passed (both are
 * explored); after a timeout it has.
 *
 * Properties checked (assertions, and no invalid end states):
 *   - mutual exclusion among live holders (ghost holders);
 *   - a lock is recovered (ErrOwnerDead) only from an owner that died
 *     holding it, and at most once for each death: exactly one acquirer
 *     gets ErrOwnerDead (ghosts ownedAtDeath, recovered); at least once,
 *     since no live process waits for ever;
 *   - after MarkConsistent, Unlock leaves the mutex working; without it,
 *     Unlock makes it not recoverable, for ever and for everyone: the word
 *     never leaves notRecoverable, no Lock succeeds afterwards, and
 *     ErrNotRecoverable is returned only then (ghost abandoned);
 *   - Unlock and MarkConsistent are only called by the owner (their panics);
 *   - no deadlock and no lost wake-up: every live process finishes.
 *
 * Not modelled: pid reuse and the owner tag (no pid is reused here; the
 * "looks reused twice" rule of checkOwner is left out), the recoveries
 * counter, the growing check interval, TryLock (the fast path's CAS, and
 * it never waits), goroutines of one process sharing its pid, the macOS
 * polling waiter (a futex.Wait with spurious wake-ups), the memory model
 * (Go's atomics are sequentially consistent, as here).
 *
 * Run: `make models` from the repository root, or by hand
 *   spin -a -DMAXKILL=2 mutex.pml && cc -DSAFETY -o pan pan.c && ./pan -m200000
 *   spin -t -p -DMAXKILL=2 mutex.pml    # replays a counterexample (trail)
 * Options (on spin -a): -DITERS=n -DITERS3=n -DMAXKILL=0|1|2 -DSPINS=n -DCTX=0|1.
 */

#ifndef ITERS
#define ITERS 2      /* Lock/Unlock rounds of processes 1 and 2 */
#endif
#ifndef ITERS3
#define ITERS3 1     /* and of process 3 */
#endif
#ifndef MAXKILL
#define MAXKILL 1    /* processes that may die, at most (0, 1 or 2) */
#endif
#ifndef SPINS
#define SPINS 1      /* reads of the word before sleeping */
#endif
#ifndef CTX
#define CTX 1        /* process 3 uses LockContext; its ctx may end once */
#endif

#define NPROC   3

/* A kill point: the process may die here, before its next atomic step.
 * It opens every atomic block that writes the word or wakes: a death just
 * before a step that only reads is the same as a death just before the
 * next write, since nobody sees what a dead process read. A process may
 * also die while it sleeps. */
#define KP if :: mayDie -> goto die :: skip fi
#define PIDMASK 7    /* pidMask */
#define NOTREC  7    /* notRecoverable = pidMask */
#define INCONS  8    /* inconsistent */
#define WAITERS 16   /* waiters */

/* Results of Lock. */
#define EOK        0
#define EOWNERDEAD 1
#define ENOTREC    2
#define ECTX       3

byte state;               /* lockWord.state, the futex word */

/* The kernel and the environment. */
bool asleep[NPROC+1];     /* asleep[pid]: in futex.Wait on state */
bool dead[PIDMASK+1];     /* dead[pid]: killed; procGone(pid) is true */
byte nkilled;
bool fin[NPROC+1];        /* fin[pid]: finished its rounds */
bool ctxDone;             /* the ctx of process 3 is done */
bool registered;          /* process 3's AfterFunc is registered (in lockSlow) */
bool afterFunc;           /* its AfterFunc's Wake(all) is still to run */

/* Ghosts, for the properties. */
byte holders;             /* live processes holding the lock */
bool holds[NPROC+1];
bool woken[NPROC+1];      /* woken by Wake, not yet acted on it */
bool owesWake[NPROC+1];   /* freed the word, has not called Wake yet */
bool lostWake;            /* a wake-up died with a process (see kill) */
bool ownedAtDeath[NPROC+1]; /* pid died holding the lock */
bool recovered[NPROC+1];  /* the lock of dead pid was recovered */
bool abandoned;           /* an ErrOwnerDead holder unlocked without MarkConsistent */

/* Every change of the word: notRecoverable is for ever. */
inline setState(v) {
	assert(state != NOTREC);
	state = v
}

/* The lock is taken, with result e: mutual exclusion among live holders. */
inline acquired(e) {
	err = e;
	woken[me] = false;
	assert(holders == 0);
	holders++;
	holds[me] = true;
	assert(!abandoned)       /* nobody gets a lock that is not recoverable */
}

/* The lock is given up (in the CAS that frees it). */
inline released() {
	holders--;
	holds[me] = false
}

/* futex.Wake(&state, n): wakes up to n sleepers, any of them. */
inline futexWake(n) {
	k = 0;
	do
	:: k < n && asleep[1] -> asleep[1] = false; woken[1] = true; k++
	:: k < n && asleep[2] -> asleep[2] = false; woken[2] = true; k++
	:: k < n && asleep[3] -> asleep[3] = false; woken[3] = true; k++
	:: else -> break
	od;
	k = 0
}

/* Mutex.Lock (Mutex.LockContext for process 3) */
inline lock() {
	atomic {
		KP;
		if
		:: useCtx && ctxDone -> err = ECTX             /* ctx.Err() first */
		:: !(useCtx && ctxDone) && state == 0 ->       /* the fast path: CAS(0, pid) */
			setState(me); acquired(EOK)
		:: !(useCtx && ctxDone) && state != 0 ->
			if
			:: useCtx -> registered = true         /* context.AfterFunc */
			:: else -> skip
			fi;
			goto slow
		fi
	}
	goto locked;
slow:
	spins = 0;
	lockSlow();
	atomic {
		if
		:: useCtx -> registered = false            /* stop() */
		:: else -> skip
		fi
	}
locked:
	skip
}

/* lockWord.lockSlow and lockWord.checkOwner. Each atomic block is one
 * atomic operation of the Go code with the local decisions after it. */
inline lockSlow() {
	skip;
again:
	atomic {                                       /* s = atomic.LoadUint32(&w.state) */
		s = state;
		if
		:: (s & PIDMASK) == 0 -> goto take
		:: (s & PIDMASK) == NOTREC -> err = ENOTREC; woken[me] = false; goto out
		:: else -> skip
		fi;
		if
		:: useCtx && ctxDone && !slept -> err = ECTX; goto out   /* ctx.Err() */
		:: useCtx && ctxDone && slept -> err = ECTX; goto pass
		:: else -> skip
		fi;
		if
		:: spins < SPINS -> spins++; goto again    /* backoff(), runtime.Gosched() */
		:: else -> skip
		fi;
		if
		:: (s & WAITERS) == 0 -> goto setw
		:: else -> goto wait
		fi
	}
pass:
	/* ctx is done after this call slept: futex.Wake(&w.state, 1), its own
	 * step. The wake-up that woke it (if one did) may have been the only
	 * one for a sleeper behind it, so it is owed (woken[me]) until passed
	 * on here: a death before this step loses it (kill sets lostWake), as
	 * a death between an Unlock's CAS and its Wake does. */
	atomic {
		KP;
		futexWake(1);
		woken[me] = false;
		goto out
	}
take:
	atomic {                                       /* CAS(s, self [|waiters once slept]) */
		KP;
		if
		:: state == s ->
			if
			:: slept -> setState(me | WAITERS)
			:: else -> setState(me)
			fi;
			acquired(EOK);
			goto out
		:: else -> goto again
		fi
	}
setw:
	atomic {                                       /* CAS(s, s|waiters) */
		KP;
		if
		:: state == s -> setState(s | WAITERS); s = s | WAITERS
		:: else -> goto again
		fi
	}
wait:
	atomic {                                       /* futex.Wait(&w.state, s, interval) */
		KP;
		woken[me] = false;
		slept = true;
		if
		:: state == s -> asleep[me] = true
		:: else -> goto again                      /* EAGAIN; time.Since(checked) < interval */
		fi
	}
	if
	:: atomic { !asleep[me] -> skip };             /* woken */
		if
		:: goto again                              /* time.Since(checked) < interval */
		:: skip                                    /* the interval has passed */
		fi
	:: atomic { asleep[me] && (dead[state & PIDMASK] || lostWake) ->
		asleep[me] = false }                       /* timed out: the interval has passed */
	:: mayDie -> goto die                          /* killed while asleep */
	fi;
	atomic {                                       /* checkOwner: procGone(s & pidMask) */
		if
		:: dead[s & PIDMASK] -> skip
		:: else -> goto again
		fi
	}
	atomic {                                       /* checkOwner: CAS(s, self|inconsistent|waiters) */
		KP;
		if
		:: state == s ->
			setState(me | INCONS | WAITERS);
			assert(ownedAtDeath[s & PIDMASK] && !recovered[s & PIDMASK]);
			recovered[s & PIDMASK] = true;
			acquired(EOWNERDEAD)
		:: else -> goto again
		fi
	}
out:
	s = 0; spins = 0; slept = false
}

/* Mutex.MarkConsistent */
inline markConsistent() {
	skip;
mloop:
	atomic {
		s = state;
		assert((s & PIDMASK) == me);               /* else it panics */
		if
		:: (s & INCONS) == 0 -> goto mdone
		:: else -> skip
		fi
	}
	atomic {
		KP;
		if
		:: state == s -> setState(s - INCONS)
		:: else -> goto mloop
		fi
	}
mdone:
	s = 0
}

/* Mutex.Unlock and lockWord.unlockSlow; abandon: the caller got
 * ErrOwnerDead and did not MarkConsistent. */
inline unlock(abandon) {
	atomic {                                       /* the fast path: CAS(pid, 0) */
		KP;
		if
		:: state == me -> setState(0); released(); assert(!abandon); goto udone
		:: else -> skip
		fi
	}
uloop:
	atomic {                                       /* unlockSlow: s = atomic.LoadUint32 */
		s = state;
		assert((s & PIDMASK) == me);               /* else it panics */
		if
		:: (s & INCONS) != 0 -> next = NOTREC
		:: else -> next = 0
		fi
	}
	atomic {                                       /* CAS(s, next) */
		KP;
		if
		:: state == s ->
			setState(next);
			released();
			assert((next == NOTREC) == abandon);
			abandoned = abandoned || abandon;
			owesWake[me] = (next == NOTREC || (s & WAITERS) != 0)
		:: else -> goto uloop
		fi
	}
	atomic {                                       /* futex.Wake(&w.state, 1 or all) */
		KP;
		if
		:: next == NOTREC -> futexWake(NPROC)
		:: next != NOTREC && (s & WAITERS) != 0 -> futexWake(1)
		:: else -> skip
		fi;
		owesWake[me] = false;
		s = 0; next = 0
	}
udone:
	skip
}

/* Process k dies: the kernel drops it from the futex queue, procGone sees
 * it dead. */
inline kill(k) {
	dead[k] = true;
	nkilled++;
	asleep[k] = false;
	if
	:: holds[k] -> holders--; holds[k] = false; ownedAtDeath[k] = true
	:: else -> skip
	fi;
	if
	:: woken[k] || owesWake[k] -> lostWake = true
	:: else -> skip
	fi
}

proctype P(byte me; bool mayDie)
{
	bool useCtx = (CTX && me == NPROC);
	byte rounds = (me == NPROC -> ITERS3 : ITERS);
	byte i, s, next, spins, k, err;
	bool slept, marked;

	do
	:: i < rounds ->
		lock();
		if
		:: err == ENOTREC ->
			assert(abandoned);
			break                              /* every later Lock fails alike */
		:: err == ECTX ->
			skip                               /* gave up without the lock */
		:: err == EOK ->
			unlock(false)
		:: err == EOWNERDEAD ->
			if
			:: markConsistent(); unlock(false)
			:: unlock(true)                    /* does not repair */
			fi
		fi;
		atomic { i++; err = EOK }
	:: else -> break
	od;
	fin[me] = true;
	goto done;
die:
	atomic { kill(me) };
done:
	skip
}

/* The context of process 3: it ends once, at any time (CTX); the
 * AfterFunc registered by LockContext then wakes every sleeper, in a later
 * step, in process 3 (so not once it died). */
proctype ctx()
{
	byte k;
	atomic { !ctxDone -> ctxDone = true; afterFunc = registered };
end:
	atomic { afterFunc && !dead[NPROC] -> afterFunc = false; futexWake(NPROC) }
}

/* The processes; up to MAXKILL of them, chosen here, may die. */
init {
	byte victims;                     /* bit p: process p may die */
	atomic {
		if
		:: victims = 0
		:: MAXKILL >= 1 -> victims = 2
		:: MAXKILL >= 1 -> victims = 4
		:: MAXKILL >= 1 -> victims = 8
		:: MAXKILL >= 2 -> victims = 6
		:: MAXKILL >= 2 -> victims = 10
		:: MAXKILL >= 2 -> victims = 12
		fi;
		run P(1, (victims & 2) != 0);
		run P(2, (victims & 4) != 0);
		run P(3, (victims & 8) != 0);
		if
		:: CTX -> run ctx()
		:: else -> skip
		fi;
		victims = 0
	}
}

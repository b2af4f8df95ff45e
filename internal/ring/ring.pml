/*
 * ring.pml: a SPIN model of the ring's protocol (ring.go, put.go, get.go,
 * recover.go, wait.go, word.go): the bounded MPMC queue after Vyukov's
 * with one word per slot holding (position, state, holder's pid), claimed
 * by compare-and-swap; the tail and head moved by the claimer or by
 * whoever finds the slot claimed; Close freezing the tail; recovery of the
 * slots of dead holders; the sleep/wake handshake through the sleep bit of
 * the futex words. Three processes, a ring of N=2 slots, every
 * interleaving; any process may be killed at any step.
 *
 * Configurations (macros on spin -a; `make models` runs the list in the
 * Makefile's MODEL_RUNS):
 *   CONF=1       processes 1, 2 produce, process 3 consumes (default)
 *   CONF=2       process 1 produces, processes 2, 3 consume
 *   MSGS         messages of each producer: 2 (CONF=1) or 3 (CONF=2, so
 *                that the one producer wraps the ring); all distinct
 *   BATCH=2      PutMany of the producer's remaining messages, GetMany of
 *                up to 2 (claims of 2 slots at once); default 1: Put, Get
 *   CAP1         a ring of capacity 1 (2 slots, fullByCap); default 2
 *   SLEEP=1      waiting is waiter.pause's futex protocol (default);
 *   SLEEP=0      waiting is abstracted to "until a retry can make progress"
 *                (for the runs with deaths, where the sleep protocol
 *                matters less and costs most)
 *   MAXKILL      processes that may die: 0 (default), 1 or 2
 *   EARLYCLOSE=1 the ring may be closed at any time while producer 1
 *                works; by default the environment closes it once every
 *                producer has finished or died (with SLEEP=1: and every
 *                message is delivered, so that Close cannot hide a lost
 *                wake-up), or every consumer died.
 * Consumers Get until ErrClosed.
 *
 * The steps: one inline per Go function; each atomic block is one atomic
 * operation of the Go code (a load, a CAS, a store), with the local
 * decisions after it:
 *   Ring.put, Ring.GetFunc         the loops of proctype P
 *   Ring.tryPut, Ring.tryGet       tryPut(), tryGet()
 *   Ring.putFast, Ring.getFast     tryPut(), tryGet() of one message: the
 *                                  same atomic steps in the same order,
 *                                  taken when the first look finds the
 *                                  slot ready; else nothing changes and
 *                                  the general path follows
 *   Ring.claimPut, Ring.claimGet   claimPut(), claimGet()
 *   Ring.advanceTail, advanceHead  advanceTail(), advanceHead()
 *   publish, release, storeRun     publish(), release() (a run's words
 *                                  are stored one after the other)
 *   wake, bump                     wake(), bump()
 *   Ring.Close                     ringClose()
 *   waiter.pause, Ring.waitFor     pause(), waitFor()
 *   Ring.checkStuck, recoverFrom   checkStuck(), recoverFrom()
 *   futex.Wait, futex.Wake         futexWait(), futexWake()
 * A slot word is the triple wpos[i], wst[i], wpid[i] (word.go: position,
 * state, pid), always read and written whole. (word.go stores a position
 * less its slot's index, so that a free slot's first word is 0; the
 * offset is the same for every word of a slot, and every comparison the
 * code makes is between words and positions of one slot, so the model
 * keeps whole positions.) The futex words hold
 * 2*count + sleepBit (modulo 256 here).
 *
 * Deaths. init picks which processes may die (up to MAXKILL, or none). A
 * process that may die can die before any atomic step that writes shared
 * memory or delivers a message (KP), and while it waits; a death just
 * before a step that only reads is the same as one just before the next
 * write, since nobody sees what a dead process read. procDead sees it dead
 * at once; the kernel drops it from the futex queue.
 *
 * Time. futex.Wait sleeps only while the word holds its value, and wakes
 * on futex.Wake. A waiter that found a slot held (waitFor's held, or
 * checkStuck) sleeps stuckSleep, by design (letting go of a slot wakes
 * nobody): here its timeout comes once a slot it found held is let go
 * (LETGO; a timeout before would only find the same and sleep again). It
 * may time out (idleSleep) once some process died: a wake-up may have
 * died with it. Otherwise it does not, so a lost wake-up is a process
 * asleep for ever: an invalid end state. checkStuck's rate limit
 * (checkEvery) only delays: every examination is due here. Without
 * deaths checkStuck takes nothing back, and only its finding matters (the
 * timeout): it is one atomic look then.
 *
 * Properties checked:
 *   - no message delivered twice, none torn: a producer copies into and
 *     publishes only a slot whose word says it holds it, a consumer copies
 *     out of and releases only a slot whose word says it holds it, and
 *     copies the message published for the position it claimed
 *     (assertions; ghosts mst[], tby[]);
 *   - recovery takes only a slot held by a dead process (assertion);
 *   - at the end, if a consumer lived to the end, every message is
 *     delivered but those in a dead process's hands (a producer's claimed,
 *     unpublished one; a consumer's claimed, unread one); a producer that
 *     lives puts every message, unless Close refused it (assertion in env);
 *   - no deadlock of live processes, no lost wake-up: no invalid end
 *     states (every live process finishes, and the final check runs);
 *   - no livelock: with -DNP and pan -l, no cycle without a claim or a
 *     recovery (progress labels);
 *   - no ErrCorrupt (assertions where Go returns it).
 *
 * Not modelled: message sizes and bytes (an id per message), position
 * wrap-around (positions are small here, modulo 2^39 in Go), the memory
 * model (every operation is sequentially consistent here, while publish
 * and release are plain stores on amd64, where TSO lets a later load of
 * the same process pass them), TryPut/TryGet, contexts and the AfterFunc
 * bump, joinable queues, the sleeper counts (diagnostics only), pid reuse
 * (doc.go: it delays recovery), the spinning before a sleep (a spin is a
 * retry, which waitFor's ready also makes), the macOS polling waiter, the
 * recovered counter, rings of more than 2 slots and batches of more
 * than 2.
 *
 * Run: `make models` from the repository root, or by hand, e.g.
 *   spin -a -DCONF=2 -DSLEEP=0 -DMAXKILL=2 ring.pml && cc -DSAFETY -o pan pan.c && ./pan -m200000
 *   spin -t -p -DCONF=2 -DSLEEP=0 -DMAXKILL=2 ring.pml    # replays a counterexample
 *   spin -a -DSLEEP=0 -DMAXKILL=1 ring.pml && cc -DNP -o pan pan.c && ./pan -l -m200000
 */

#ifndef CONF
#define CONF 1
#endif
#ifndef BATCH
#define BATCH 1
#endif
#ifndef MSGS
#if CONF == 1
#define MSGS 2                   /* messages of each producer */
#else
#define MSGS 3
#endif
#endif
#ifndef MAXKILL
#define MAXKILL 0
#endif
#ifndef SLEEP
#define SLEEP 1                  /* 1: the futex sleep/wake protocol; 0: waiting abstracted */
#endif
#ifndef EARLYCLOSE
#define EARLYCLOSE 0             /* 1: the ring may be closed at any time */
#endif

#define NPROC 3
#define N     2                  /* slots */
#ifdef CAP1
#define CAP   1                  /* Ring.cap */
#else
#define CAP   2
#endif
#if CONF == 1
#define NPROD 2                  /* processes 1..NPROD produce, the others consume */
#else
#define NPROD 1
#endif
#define NMSG  (MSGS*NPROD)
#define FIRST(p)    (MSGS*((p)-1)+1) /* the first message of producer p */
#define PRODUCER(i) (((i)-1)/MSGS+1) /* the producer of message i */
#define isProducer(p) ((p) <= NPROD)

/* Slot states (word.go). */
#define STFREE 0
#define STPUT  1
#define STFULL 2
#define STGET  3
#define STSKIP 4

/* A kill point: the process may die here, before its next atomic step. */
#define KP if :: mayDie -> goto die :: skip fi

/* Results. */
#define EOK     0
#define ECLOSED 1

/* Ghost states of a message. */
#define MNONE   0                /* not put */
#define MWRITE  1                /* being copied into a claimed slot */
#define MPUB    2                /* published */
#define MTAKEN  3                /* claimed by a consumer, not yet read */
#define MDONE   4                /* delivered */
#define MLOST   5                /* lost with a dead holder */

/* The ring in shared memory. */
byte tail;                       /* header.tail without its closed bit */
bool tailClosed;                 /* closedBit */
bool closedFlag;                 /* header.closed, set by Close after closedBit */
byte head;
byte wpos[N];                    /* slotHdr.word: position */
byte wst[N];                     /*               state */
byte wpid[N];                    /*               holder's pid */
byte data[N];                    /* the message in the slot (its id) */
byte notEmpty, notFull;          /* futex words: 2*count + sleepBit (SLEEP=1) */

/* The kernel and the environment. */
byte asleep[NPROC+1];            /* 0, or the futex word slept on: 1 notEmpty, 2 notFull */
bool dead[NPROC+1];              /* procDead */
bool fin[NPROC+1];
byte nkilled;

/* Ghosts. */
byte mst[NMSG+1];                /* the state of each message */
byte tby[NMSG+1];                /* the consumer that claimed it */
bool refused[NPROC+1];           /* a Put of producer p failed with ErrClosed */

#define WNOTEMPTY 1
#define WNOTFULL  2
#define SLEEPBIT  1

/* heldFor(slot word of position p's slot, p) */
#define HELDFOR(p) (wpos[(p) % N] == (p) && (wst[(p) % N] == STPUT || wst[(p) % N] == STGET))

/* futex.Wake(word, all) */
inline futexWake(w) {
	for (k : 1 .. NPROC) {
		if
		:: asleep[k] == w -> asleep[k] = 0
		:: else -> skip
		fi
	}
	k = 0
}

/* futex.Wait(word, v, timeout): sleeps only if the word holds v, until a
 * Wake, or a timeout where one may matter (see the header). */
inline futexWait(w, word, v, timeoutOK) {
	atomic {
		KP;
		if
		:: word == v -> asleep[me] = w
		:: else -> skip                        /* EAGAIN */
		fi
	}
	if
	:: atomic { asleep[me] == 0 -> skip }      /* woken (or never slept) */
	:: atomic { asleep[me] != 0 && (timeoutOK || nkilled > 0) -> asleep[me] = 0 }
	:: mayDie -> goto die
	fi
}

#if SLEEP
/* wake(word): wakes every sleeper if the sleep bit is set. */
inline wake(w, word) {
	do
	:: atomic {                                /* v := atomic.LoadUint32(word) */
		v = word;
		if
		:: (v & SLEEPBIT) == 0 -> break
		:: else -> skip
		fi
	   }
	   atomic {                                /* CAS(word, v, (v+2)&^sleepBit) */
		KP;
		if
		:: word == v -> word = (v + 2) & 254; ok = true
		:: else -> ok = false
		fi
	   }
	   if
	   :: ok -> atomic { KP; futexWake(w) }; break
	   :: else -> skip
	   fi
	od;
	v = 0; ok = false
}

/* bump(word): every sleeper wakes, and those about to sleep look again. */
inline bump(w, word) {
	word = (word + 2) & 255;                   /* atomic.AddUint32(word, 2) */
	atomic { futexWake(w) }
}
#else
inline wake(w, word) { skip }
#endif

/* Ring.advanceTail(t, m): sets m to how many claims it keeps. */
inline advanceTail() {
	do
	:: atomic {                                /* cur := atomic.LoadUint64(&r.h.tail) */
		cur = tail; cc = tailClosed
	   }
	   if
	   :: cc ->                                /* closed: give back the claims at or beyond it */
		c = (cur > t -> cur : t);
		if
		:: c < t + m ->
			atomic { KP; assert(wpos[c % N] == c && wst[c % N] == STPUT && wpid[c % N] == me);
				wst[c % N] = STFREE; wpid[c % N] = 0 }
		:: else -> skip
		fi;
		if
		:: c + 1 < t + m ->
			atomic { KP; assert(wpos[(c+1) % N] == c+1 && wst[(c+1) % N] == STPUT && wpid[(c+1) % N] == me);
				wst[(c+1) % N] = STFREE; wpid[(c+1) % N] = 0 }
		:: else -> skip
		fi;
		m = (c < t + m -> c - t : m);
		break
	   :: !cc && cur >= t + m -> break
	   :: else ->
		atomic {                               /* CAS(&r.h.tail, cur, t+m) */
			KP;
			if
			:: tail == cur && !tailClosed -> tail = t + m; ok = true
			:: else -> ok = false
			fi
		}
		if
		:: ok -> break
		:: else -> skip
		fi
	   fi
	od;
	cur = 0; cc = false; c = 0; ok = false
}

/* Ring.claimPut(kk): sets pos, m (0: none claimed) and err. */
inline claimPut(kk) {
	m = 0; err = EOK;
	atomic { t = tail; tc = tailClosed }       /* t := atomic.LoadUint64(&r.h.tail) */
cpLoop:
	if
	:: tc -> err = ECLOSED; goto cpDone
	:: else -> skip
	fi;
#ifdef CAP1
	atomic {                                   /* fullByCap: atomic.LoadUint64(&r.h.head) */
		if
		:: head <= t && t - head >= CAP -> pos = t; goto cpDone
		:: else -> skip
		fi
	}
#endif
	atomic {                                   /* w := atomic.LoadUint64(&s.word) */
		wp = wpos[t % N]; ws = wst[t % N]; wd = wpid[t % N];
		d = wp - t
	}
	if
	:: d == 0 && ws == STFREE ->
		atomic {                               /* CAS(&s.word, w, word(t, stPut, pid)) */
			KP;
			if
			:: wpos[t % N] == wp && wst[t % N] == ws && wpid[t % N] == wd ->
progress_put:	wst[t % N] = STPUT; wpid[t % N] = me; ok = true
			:: else -> ok = false
			fi
		}
		if
		:: !ok -> goto cpLoop                  /* continue: read the word again */
		:: else -> skip
		fi;
		m = 1;
		if
		:: kk >= 2 && CAP >= 2 ->              /* the rest of the batch */
			atomic {                           /* CAS(word(p, stFree, 0), word(p, stPut, pid)) */
				KP;
				if
				:: wpos[(t+1) % N] == t+1 && wst[(t+1) % N] == STFREE && wpid[(t+1) % N] == 0 ->
					wst[(t+1) % N] = STPUT; wpid[(t+1) % N] = me; m = 2
				:: else -> skip
				fi
			}
		:: else -> skip
		fi;
		advanceTail();
		if
		:: m == 0 -> err = ECLOSED
		:: else -> pos = t
		fi;
		goto cpDone
	:: d == 0 && ws != STFREE || d == N ->     /* claimed by another: move the tail for it */
		atomic {
			KP;
			if
			:: tail == t && !tailClosed -> tail = t + 1
			:: else -> skip
			fi
		}
		atomic { t = tail; tc = tailClosed }
	:: d == -N && ws != STFREE ->
		pos = t; goto cpDone                   /* the previous lap's slot: full */
	:: else ->
		atomic {                               /* nt := atomic.LoadUint64(&r.h.tail) */
			assert(!(tail == t && tailClosed == tc));  /* ErrCorrupt */
			t = tail; tc = tailClosed
		}
	fi;
	goto cpLoop;
cpDone:
	t = 0; tc = false; d = 0; wp = 0; ws = 0; wd = 0
}

/* Ring.advanceHead(h, m) */
inline advanceHead() {
	do
	:: atomic { cur = head };                  /* cur := atomic.LoadUint64(&r.h.head) */
	   if
	   :: cur >= h + m -> break
	   :: else ->
		atomic {                               /* CAS(&r.h.head, cur, h+m) */
			KP;
			if
			:: head == cur -> head = h + m; break
			:: else -> skip
			fi
		}
	   fi
	od;
	cur = 0
}

/* A consumer's claim of a full or skipped slot: what it takes. */
inline took(p) {
	if
	:: ws == STFULL ->
		assert(data[(p) % N] != 0 && mst[data[(p) % N]] == MPUB);
		mst[data[(p) % N]] = MTAKEN; tby[data[(p) % N]] = me
	:: else -> skip
	fi
}

/* Ring.claimGet(kk): sets pos, m (0: none ready), skipped and err. */
inline claimGet(kk) {
	m = 0; err = EOK; skipped = 0;
	atomic { h = head }                        /* h := atomic.LoadUint64(&r.h.head) */
cgLoop:
	atomic {                                   /* w := atomic.LoadUint64(&s.word) */
		wp = wpos[h % N]; ws = wst[h % N]; wd = wpid[h % N];
		d = wp - h
	}
	if
	:: d == 0 && (ws == STFULL || ws == STSKIP) ->
		atomic {                               /* CAS(&s.word, w, word(h, stGet, pid)) */
			KP;
			if
			:: wpos[h % N] == wp && wst[h % N] == ws && wpid[h % N] == wd ->
progress_get:	wst[h % N] = STGET; wpid[h % N] = me; ok = true; took(h)
			:: else -> ok = false
			fi
		}
		if
		:: !ok -> goto cgLoop
		:: else -> skip
		fi;
		if
		:: ws == STSKIP -> skipped = 1
		:: else -> skip
		fi;
		m = 1;
		if
		:: kk >= 2 ->
			atomic {                           /* CAS(&sp.word, word(p, stFull, 0), word(p, stGet, pid)) */
				KP;
				if
				:: wpos[(h+1) % N] == h+1 && wst[(h+1) % N] == STFULL && wpid[(h+1) % N] == 0 ->
					ws = STFULL;                   /* what took() looks at */
					wst[(h+1) % N] = STGET; wpid[(h+1) % N] = me; m = 2; took(h+1); ok = true
				:: else -> ok = false
				fi
			}
			if
			:: !ok ->                          /* not full: perhaps skipped */
				atomic {                       /* CAS(&sp.word, word(p, stSkip, 0), word(p, stGet, pid)) */
					KP;
					if
					:: wpos[(h+1) % N] == h+1 && wst[(h+1) % N] == STSKIP && wpid[(h+1) % N] == 0 ->
						ws = STSKIP;               /* what took() looks at */
						wst[(h+1) % N] = STGET; wpid[(h+1) % N] = me; m = 2; took(h+1);
						skipped = skipped | 2
					:: else -> skip
					fi
				}
			:: else -> skip
			fi
		:: else -> skip
		fi;
		advanceHead();
		pos = h;
		goto cgDone
	:: d == 0 && ws == STGET || d == N ->      /* claimed by another: move the head for it */
		atomic {
			KP;
			if
			:: head == h -> head = h + 1
			:: else -> skip
			fi
		}
		atomic { h = head }
	:: (d == 0 || d == -N && ws == STGET) && !(d == 0 && (ws == STFULL || ws == STSKIP || ws == STGET)) ->
		atomic { cf = closedFlag };            /* closedAt(h): atomic.LoadUint32(&r.h.closed) */
		atomic {                               /* then, if set, atomic.LoadUint64(&r.h.tail) */
			if
			:: cf && tailClosed && tail <= h -> err = ECLOSED
			:: else -> skip
			fi;
			pos = h; cf = false
		}
		goto cgDone
	:: else ->
		atomic {                               /* nh := atomic.LoadUint64(&r.h.head) */
			assert(head != h);                 /* ErrCorrupt */
			h = head
		}
	fi;
	goto cgLoop;
cgDone:
	h = 0; d = 0; wp = 0; ws = 0; wd = 0
}

/* Ring.publish(p): a plain store of the slot word. */
inline publish(p) {
	atomic {
		KP;
		assert(wpos[(p) % N] == (p) && wst[(p) % N] == STPUT && wpid[(p) % N] == me);
		wst[(p) % N] = STFULL; wpid[(p) % N] = 0;
		mst[data[(p) % N]] = MPUB
	}
}

/* Ring.release(p): a plain store of the slot word. */
inline release(p) {
	atomic {
		KP;
		assert(wpos[(p) % N] == (p) && wst[(p) % N] == STGET && wpid[(p) % N] == me);
		wpos[(p) % N] = (p) + N; wst[(p) % N] = STFREE; wpid[(p) % N] = 0
	}
}

/* The copy of message msg into the slot of p (tryPut's copy): the
 * producer must hold the slot, or a reader could see it torn. */
inline copyIn(p, msg) {
	atomic {
		KP;
		assert(wpos[(p) % N] == (p) && wst[(p) % N] == STPUT && wpid[(p) % N] == me);
		data[(p) % N] = msg;
		mst[msg] = MWRITE
	}
}

/* The copy of the message out of the slot of p (fn in tryGetFunc): the
 * consumer must hold the slot (else it could be written meanwhile), and
 * find in it the message it took when it claimed the slot. */
inline copyOut(p) {
	atomic {
		KP;
		assert(wpos[(p) % N] == (p) && wst[(p) % N] == STGET && wpid[(p) % N] == me);
		assert(data[(p) % N] != 0 && mst[data[(p) % N]] == MTAKEN && tby[data[(p) % N]] == me);
		mst[data[(p) % N]] = MDONE;
		tby[data[(p) % N]] = 0
	}
}

/* Ring.tryPut(src, from): puts up to kk messages, from message next; sets
 * m to how many it put. */
inline tryPut(kk) {
	claimPut(kk);
	if
	:: m == 0 -> goto tpDone
	:: else -> skip
	fi;
	wake(WNOTEMPTY, notEmpty);                 /* r.wakeConsumers() */
	copyIn(pos, next);
	if
	:: m == 2 -> copyIn(pos+1, next+1)
	:: else -> skip
	fi;
	publish(pos);
	if
	:: m == 2 -> publish(pos+1)
	:: else -> skip
	fi;
tpDone:
	pos = 0
}

/* Ring.tryGetFunc(kk, fn): sets m to how many messages it took. */
inline tryGet(kk) {
	skip;
tgLoop:
	claimGet(kk);
	if
	:: m == 0 -> goto tgDone
	:: else -> skip
	fi;
	wake(WNOTFULL, notFull);                   /* r.wakeProducers() */
	j = 0;
	if
	:: skipped & 1 -> skip                     /* its producer died before publishing */
	:: else -> copyOut(pos); j++
	fi;
	if
	:: m == 2 && !(skipped & 2) -> copyOut(pos+1); j++
	:: else -> skip
	fi;
	release(pos);
	if
	:: m == 2 -> release(pos+1)
	:: else -> skip
	fi;
	if
	:: j == 0 -> goto tgLoop
	:: else -> m = j
	fi;
tgDone:
	pos = 0; j = 0; skipped = 0
}

/* Ring.recoverFrom(p): takes back the slots from p on held by one dead
 * process. */
inline recoverFrom(p) {
	atomic { q = wpid[(p) % N] };              /* pid := wordPid(atomic.LoadUint64(&s.word)) */
	if
	:: q == me || q != 0 && !dead[q] -> goto rfDone  /* procDead(pid) (true for pid 0: the loop stops at once) */
	:: else -> skip
	fi;
	taken = 0;
	for (i : 0 .. N) {                         /* i < maxBatch: the loop stops by itself */
		atomic {                               /* w := atomic.LoadUint64(&s.word) */
			wp = wpos[((p)+i) % N]; ws = wst[((p)+i) % N]; wd = wpid[((p)+i) % N]
		}
		if
		:: !(wp == (p)+i && (ws == STPUT || ws == STGET)) || wd != q -> break
		:: else -> skip
		fi;
		atomic {                               /* CAS(&s.word, w, nw) */
			KP;
			if
			:: wpos[((p)+i) % N] == wp && wst[((p)+i) % N] == ws && wpid[((p)+i) % N] == wd ->
progress_rec:	assert(dead[wd]);              /* only a dead holder's slot is taken */
				if
				:: ws == STGET -> wpos[((p)+i) % N] = wp + N; wst[((p)+i) % N] = STFREE
				:: else -> wst[((p)+i) % N] = STSKIP
				fi;
				wpid[((p)+i) % N] = 0;
				taken++
			:: else -> skip
			fi
		}
	};
	if
	:: taken > 0 ->
		wake(WNOTFULL, notFull);               /* r.wakeProducers() */
		wake(WNOTEMPTY, notEmpty)              /* r.wakeConsumers() */
	:: else -> skip
	fi;
rfDone:
	q = 0; taken = 0; i = 0; wp = 0; ws = 0; wd = 0
}

/* Ring.checkStuck: sets stuck if the slot at the head, or the slot at the
 * tail for the previous lap, is held. */
inline checkStuck() {
	stuck = false;
	atomic { h = head };                       /* atomic.LoadUint64(&r.h.head) */
	atomic { t = tail };                       /* &^ closedBit */
	atomic { hs = HELDFOR(h) };                /* heldFor(atomic.LoadUint64(&r.slot(h).word), h) */
	if
	:: t >= N -> atomic { ts = HELDFOR(t - N) }
	:: else -> ts = false
	fi;
	if
	:: !hs && !ts -> goto csDone
	:: else -> stuck = true
	fi;
	if
	:: hs -> recoverFrom(h); hp2 = h + 1
	:: else -> skip
	fi;
	if
	:: ts -> recoverFrom(t - N); hp3 = t - N + 1
	:: else -> skip
	fi;
csDone:
	t = 0; h = 0; hs = false; ts = false
}

#define READY 2
#define HELD  1
#define IDLE  0

#if SLEEP
/* Ring.waitFor(consumer): sets rd to READY, HELD or IDLE. */
inline waitFor() {
	if
	:: !isProducer(me) ->
		atomic { h = head };
		atomic { wp = wpos[h % N]; ws = wst[h % N]; d = wp - h };
		if
		:: d == 0 && (ws == STFULL || ws == STSKIP || ws == STGET) || d == N -> rd = READY
		:: else ->
			atomic { cf = closedFlag };        /* closedAt(h): the flag, then the tail */
			atomic { rd = (cf && tailClosed && tail <= h -> READY : IDLE); cf = false };
			if
			:: rd == IDLE && d == 0 && ws == STPUT -> rd = HELD; hp1 = h + 1
			:: else -> skip
			fi
		fi
	:: else ->
		atomic { t = tail; rd = (tailClosed -> READY : IDLE) };
		if
		:: rd == READY -> goto wfDone
		:: else -> skip
		fi;
#ifdef CAP1
		atomic {
			if
			:: head <= t && t - head >= CAP -> rd = IDLE; goto wfDone
			:: else -> skip
			fi
		}
#endif
		atomic { wp = wpos[t % N]; ws = wst[t % N]; d = wp - t };
		if
		:: d == -N && ws == STGET -> rd = HELD; hp1 = t - N + 1
		:: d == -N && ws != STGET && ws != STFREE -> rd = IDLE
		:: else -> rd = READY
		fi
	fi;
wfDone:
	t = 0; h = 0; d = 0; wp = 0; ws = 0
}

/* The stuckSleep timeout of a waiter that found a slot held (by waitFor
 * or checkStuck): it looks again every millisecond, and so goes on once
 * the holder has let go of one of them. A timeout while they are all
 * still held is left out: the waiter would find the same and sleep again
 * (setting the sleep bit again, which only makes a later claim wake it
 * once more). */
#define LETGO (hp1 != 0 && !HELDFOR(hp1 - 1) || hp2 != 0 && !HELDFOR(hp2 - 1) || \
	hp3 != 0 && !HELDFOR(hp3 - 1))

/* waiter.pause, from the sleep on (spinning left out: a spin is a retry,
 * which waitFor's READY also makes). */
inline pause() {
	if
	:: isProducer(me) -> atomic { v = notFull }   /* v := atomic.LoadUint32(word) */
	:: else -> atomic { v = notEmpty }
	fi;
	if
	:: (v & SLEEPBIT) == 0 ->
		atomic {                               /* CAS(word, v, v|sleepBit) */
			KP;
			if
			:: isProducer(me) && notFull == v -> notFull = v | SLEEPBIT; ok = true
			:: !isProducer(me) && notEmpty == v -> notEmpty = v | SLEEPBIT; ok = true
			:: else -> ok = false
			fi
		}
		if
		:: !ok -> goto paDone                  /* woken meanwhile: look again */
		:: else -> v = v | SLEEPBIT
		fi
	:: else -> skip
	fi;
	waitFor();
	if
	:: rd == READY -> goto paDone
	:: else -> skip
	fi;
#if MAXKILL > 0
	checkStuck();
#else
	atomic {                                   /* checkStuck, nobody dead: what it finds held */
		if :: HELDFOR(head) -> hp2 = head + 1 :: else -> skip fi;
		if :: tail >= N && HELDFOR(tail - N) -> hp3 = tail - N + 1 :: else -> skip fi
	}
#endif
	if
	:: isProducer(me) -> futexWait(WNOTFULL, notFull, v, LETGO)
	:: else -> futexWait(WNOTEMPTY, notEmpty, v, LETGO)
	fi;
paDone:
	v = 0; rd = 0; stuck = false; ok = false; hp1 = 0; hp2 = 0; hp3 = 0
}

/* Ring.Close */
inline ringClose() {
	tailClosed = true;                         /* atomic.OrUint64 */
	closedFlag = true;                         /* atomic.StoreUint32(&r.h.closed, 1) */
	bump(WNOTEMPTY, notEmpty);
	bump(WNOTFULL, notFull)
}
#else
/* SLEEP=0: waiting abstracted. waiter.pause waits until a retry can make
 * progress (waitFor would say READY), or an examination (checkStuck) can
 * take back the slot at the head, or the tail's of the previous lap,
 * whose holder is dead; then it examines. An examination that cannot take
 * anything back changes nothing, so the model makes only those that can. */
#define DEADHELD(p) (HELDFOR(p) && dead[wpid[(p) % N]])
#define STUCKWORK (DEADHELD(head) || tail >= N && DEADHELD(tail - N))
#define CREADY (wpos[head % N] == head && (wst[head % N] == STFULL || wst[head % N] == STSKIP || \
	wst[head % N] == STGET) || wpos[head % N] == head + N || closedFlag && tail <= head)
#define FULLBYCAP (CAP < N && head <= tail && tail - head >= CAP)
#define PREADY (tailClosed || !FULLBYCAP && !(wpos[tail % N] + N == tail && wst[tail % N] != STFREE))

inline pause() {
	if
	:: atomic { STUCKWORK } -> checkStuck()
	:: atomic { isProducer(me) && PREADY }
	:: atomic { !isProducer(me) && CREADY }
	:: mayDie -> goto die
	fi;
	stuck = false
}

inline ringClose() {
	tailClosed = true;
	closedFlag = true
}
#endif

/* A process dies: the kernel drops it from the futex queue, procDead
 * sees it dead, and what it held is lost. */
inline kill() {
	dead[me] = true;
	nkilled++;
	asleep[me] = 0;
	for (i : 1 .. NMSG) {
		if
		:: isProducer(me) && PRODUCER(i) == me && mst[i] == MWRITE -> mst[i] = MLOST
		:: !isProducer(me) && tby[i] == me && mst[i] == MTAKEN -> mst[i] = MLOST; tby[i] = 0
		:: else -> skip
		fi
	}
	i = 0
}

/* Process me: a producer (Ring.put of its MSGS messages, one by one or as
 * one PutMany) or a consumer (Ring.GetFunc until ErrClosed). It may die at
 * any step if mayDie. */
proctype P(byte me; bool mayDie)
{
	byte next;                        /* a producer's next message */
	byte pos, m, j, err, t, h, k, v, c, cur, q, i, taken, skipped, rd;
	byte wp, ws, wd;
	byte hp1, hp2, hp3;               /* 1 + the positions whose slots pause found held */
	short d;
	bool tc, cc, ok, stuck, hs, ts, cf;

	if
	:: isProducer(me) ->
		next = FIRST(me);
		do
		:: next < FIRST(me) + MSGS ->
			if                             /* Put, or PutMany of the rest */
			:: BATCH == 1 -> tryPut(1)
			:: BATCH > 1 -> tryPut(FIRST(me) + MSGS - next)
			fi;
			if
			:: err == ECLOSED -> refused[me] = true; break
			:: m > 0 -> next = next + m
			:: else -> pause()
			fi;
			m = 0; err = EOK
		:: else -> break
		od
	:: else ->
		do
		:: tryGet(BATCH);
			if
			:: err == ECLOSED -> break
			:: m > 0 -> skip
			:: else -> pause()
			fi;
			m = 0
		od
	fi;
	fin[me] = true;
	goto done;
die:
	atomic { kill() };
done:
	skip
}

/* Message i is delivered, or lost with a dead holder, or was never put by
 * a dead producer: nothing is left to deliver. */
#define SETTLED(i) ((i) > NMSG || mst[i] == MDONE || mst[i] == MLOST || mst[i] == MNONE && dead[PRODUCER(i)])
#define DRAINED (SETTLED(1) && SETTLED(2) && SETTLED(3) && SETTLED(4))

/* The environment: closes the ring when every producer has finished or
 * died (with SLEEP=1 only once every message is delivered too, so that no
 * Close can wake a consumer that missed a wake-up), or when every consumer
 * died; then, once every process has ended, checks what was delivered. */
proctype env()
{
	byte i, k;
	bool closed;

	do
	:: !closed &&
		((fin[1] || dead[1]) && (NPROD < 2 || fin[2] || dead[2]) && (!SLEEP || DRAINED) ||
		 (NPROD == 1 && dead[2] && dead[3]) || (NPROD == 2 && dead[3]) ||
		 EARLYCLOSE && !fin[1]) ->
		ringClose();
		closed = true
	:: atomic { (fin[1] || dead[1]) && (fin[2] || dead[2]) && (fin[3] || dead[3]) -> break }
	od;
	/* With a consumer alive to the end, every message is delivered but for
	 * those lost with a dead holder, and the unput ones of a dead producer. */
	atomic {
		if
		:: (NPROD == 1 && (fin[2] || fin[3])) || (NPROD == 2 && fin[3]) ->
			for (i : 1 .. NMSG) {
				assert(mst[i] == MDONE || mst[i] == MLOST ||
					(mst[i] == MNONE && (dead[PRODUCER(i)] || refused[PRODUCER(i)])))
			}
		:: else -> skip
		fi
	}
}

/* An empty ring (ring.InitFlags: slot i free for position i), and the
 * processes; up to MAXKILL of them, chosen here, may die. */
init {
	byte victims;                     /* bit p: process p may die */
	atomic {
		wpos[1] = 1;
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
		run env();
		victims = 0
	}
}

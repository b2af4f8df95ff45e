// lamport.c: the floor a shared-memory queue can reach on this machine,
// for the queue rows of shmdemo bench to be read against (see README,
// Performance). One producer process and one consumer process, 64-byte
// messages, a single-producer single-consumer ring of 1024 slots
// (Lamport's: a tail the producer publishes, a head the consumer
// publishes, nothing in the slots but the messages) in memory shared by
// fork. The producer publishes its tail after every `batch` messages; the
// consumer spins on the tail, copies out and checks every message, and
// publishes its head after every `batch` messages too, or sooner if it
// has caught up with the tail: with batch 1, every message is published
// on both sides, as one Put and one Get each do. No second producer or consumer is
// possible, and a process that dies mid-message is not recovered from:
// what shmkit's queue does beyond this is what its figures pay for.
//
// With "words", the ring is shmkit's instead, reduced to its claims: each
// slot a line-aligned word and the message, no tail or head; each side
// claims every slot with a compare-and-swap of its word (which is where
// shmkit records the claimer's pid), writes or reads the message, and
// publishes or releases the slot with a store of the word. Its figures
// are the floor of a queue that claims slot by slot, as shmkit's must to
// take back a dead process's slots.
//
//	gcc -O2 -o /tmp/lamport internal/perf/testdata/lamport.c
//	/tmp/lamport 1           # one message at a time, as queue_spsc_64B
//	/tmp/lamport 64          # batches of 64, as queue_batch_64B
//	/tmp/lamport 1 words     # the same, claimed slot by slot
//	/tmp/lamport 64 words
//	/tmp/lamport 1 words 50  # a consumer that works 50 steps a message
//	/tmp/lamport 1 lamport 50
//
// The third argument makes the consumer the slower side, as the checks of
// shmdemo bench's consumer do: it spins that many steps (a few cycles
// each) after each message.
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 1024
#define TOTAL 20000000ULL
#define CHECK 0x9e3779b97f4a7c15ULL

struct ring {
	_Alignas(64) _Atomic uint64_t tail;
	_Alignas(64) _Atomic uint64_t head;
	_Alignas(64) unsigned char slot[SLOTS][64];
};

// A slot of the "words" ring. Its word is 4*p for position p free, 4*p+1
// claimed by the producer, 4*p+2 full, 4*p+3 claimed by the consumer, and
// 4*(p+SLOTS) once released for the next lap.
struct wslot {
	_Alignas(64) _Atomic uint64_t word;
	unsigned char msg[64];
};

struct wring {
	struct wslot slot[SLOTS];
};

// work is the consumer's steps a message (the third argument).
static long work;

// busy spins n steps of a few cycles, as a consumer's work on a message.
static void busy(long n) {
	static volatile uint64_t x;
	for (long i = 0; i < n; i++)
		x = x * 1664525 + 1013904223;
}

// fill writes message seq into slot: its number first, a check word last.
static void fill(unsigned char *slot, uint64_t seq) {
	uint64_t check = seq ^ CHECK;
	memcpy(slot, &seq, 8);
	memcpy(slot + 56, &check, 8);
}

// take copies the message out of slot, checks that it is message due, and
// works on it.
static void take(const unsigned char *slot, uint64_t due) {
	unsigned char msg[64];
	uint64_t seq, check;
	memcpy(msg, slot, 64);
	memcpy(&seq, msg, 8);
	memcpy(&check, msg + 56, 8);
	if (seq != due || check != (due ^ CHECK)) {
		fprintf(stderr, "lamport: message %llu arrived when %llu was due\n",
			(unsigned long long)seq, (unsigned long long)due);
		exit(1);
	}
	busy(work);
}

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void produce(struct ring *r, uint64_t batch) {
	uint64_t t = 0, h = 0;
	while (t < TOTAL) {
		while (t + batch - h > SLOTS)
			h = atomic_load_explicit(&r->head, memory_order_acquire);
		for (uint64_t seq = t; seq < t + batch; seq++)
			fill(r->slot[seq % SLOTS], seq);
		t += batch;
		atomic_store_explicit(&r->tail, t, memory_order_release);
	}
}

// consume takes every message, checks it, and returns messages a second.
static double consume(struct ring *r, uint64_t batch) {
	uint64_t h = 0, t = 0;
	double t0 = 0;
	while (h < TOTAL) {
		while (t == h)
			t = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (t0 == 0)
			t0 = now();
		for (uint64_t end = h + batch < t ? h + batch : t; h < end; h++)
			take(r->slot[h % SLOTS], h);
		atomic_store_explicit(&r->head, h, memory_order_release);
	}
	return TOTAL / (now() - t0);
}

// claim spins until the word of slot s is want, then swaps it for to.
static void claim(struct wslot *s, uint64_t want, uint64_t to) {
	for (;;) {
		uint64_t w = want;
		if (atomic_load_explicit(&s->word, memory_order_relaxed) == want &&
		    atomic_compare_exchange_strong(&s->word, &w, to))
			return;
	}
}

static void wproduce(struct wring *r, uint64_t batch) {
	for (uint64_t t = 0; t < TOTAL; t += batch) {
		for (uint64_t p = t; p < t + batch; p++)
			claim(&r->slot[p % SLOTS], 4 * p, 4 * p + 1);
		for (uint64_t p = t; p < t + batch; p++)
			fill(r->slot[p % SLOTS].msg, p);
		for (uint64_t p = t; p < t + batch; p++)
			atomic_store_explicit(&r->slot[p % SLOTS].word, 4 * p + 2, memory_order_release);
	}
}

// wconsume is consume for the "words" ring: it claims the full slot at the
// head, waiting for it, and the full ones after it, up to batch.
static double wconsume(struct wring *r, uint64_t batch) {
	uint64_t h = 0;
	double t0 = 0;
	while (h < TOTAL) {
		claim(&r->slot[h % SLOTS], 4 * h + 2, 4 * h + 3);
		if (t0 == 0)
			t0 = now();
		uint64_t end = h + 1;
		for (; end < h + batch && end < TOTAL; end++) {
			uint64_t w = 4 * end + 2;
			if (!atomic_compare_exchange_strong(&r->slot[end % SLOTS].word, &w, 4 * end + 3))
				break;
		}
		for (uint64_t p = h; p < end; p++)
			take(r->slot[p % SLOTS].msg, p);
		for (uint64_t p = h; p < end; p++)
			atomic_store_explicit(&r->slot[p % SLOTS].word, 4 * (p + SLOTS), memory_order_release);
		h = end;
	}
	return TOTAL / (now() - t0);
}

// run measures one run: a fresh ring of either kind in shared memory, a
// producer forked from this process, which consumes. It returns messages
// a second.
static double run(int words, uint64_t batch) {
	size_t size = words ? sizeof(struct wring) : sizeof(struct ring);
	void *mem = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("lamport: mmap");
		exit(1);
	}
	if (words)
		for (uint64_t i = 0; i < SLOTS; i++)
			atomic_init(&((struct wring *)mem)->slot[i].word, 4 * i);
	pid_t p = fork();
	if (p < 0) {
		perror("lamport: fork");
		exit(1);
	}
	if (p == 0) {
		if (words)
			wproduce(mem, batch);
		else
			produce(mem, batch);
		_exit(0);
	}
	double rate = words ? wconsume(mem, batch) : consume(mem, batch);
	waitpid(p, 0, 0);
	munmap(mem, size);
	return rate;
}

int main(int argc, char **argv) {
	long batch = argc > 1 ? atol(argv[1]) : 1;
	int words = argc > 2 && strcmp(argv[2], "words") == 0;
	work = argc > 3 ? atol(argv[3]) : 0;
	if (batch < 1 || batch > SLOTS || SLOTS % batch != 0 || (argc > 2 && !words && strcmp(argv[2], "lamport") != 0) || work < 0) {
		fprintf(stderr, "usage: lamport [batch [lamport|words [work]]]: batch must divide %d\n", SLOTS);
		return 2;
	}
	for (int rep = 0; rep < 5; rep++)
		printf("%s, batches of %ld, work %ld: %.2f M msgs/s\n", words ? "slot words" : "lamport",
			batch, work, run(words, (uint64_t)batch) / 1e6);
	return 0;
}

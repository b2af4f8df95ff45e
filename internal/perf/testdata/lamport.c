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
//	gcc -O2 -o /tmp/lamport internal/perf/testdata/lamport.c
//	/tmp/lamport 1     # one message at a time, as queue_spsc_64B
//	/tmp/lamport 64    # batches of 64, as queue_batch_64B
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
		for (uint64_t i = 0; i < batch; i++) {
			uint64_t seq = t + i, check = seq ^ CHECK;
			memcpy(r->slot[seq % SLOTS], &seq, 8);
			memcpy(r->slot[seq % SLOTS] + 56, &check, 8);
		}
		t += batch;
		atomic_store_explicit(&r->tail, t, memory_order_release);
	}
}

// consume takes every message, checks it, and returns messages a second.
static double consume(struct ring *r, uint64_t batch) {
	uint64_t h = 0, t = 0, seq, check;
	unsigned char msg[64];
	double t0 = 0;
	while (h < TOTAL) {
		while (t == h)
			t = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (t0 == 0)
			t0 = now();
		for (uint64_t end = h + batch < t ? h + batch : t; h < end; h++) {
			memcpy(msg, r->slot[h % SLOTS], 64);
			memcpy(&seq, msg, 8);
			memcpy(&check, msg + 56, 8);
			if (seq != h || check != (h ^ CHECK)) {
				fprintf(stderr, "lamport: message %llu arrived when %llu was due\n",
					(unsigned long long)seq, (unsigned long long)h);
				exit(1);
			}
		}
		atomic_store_explicit(&r->head, h, memory_order_release);
	}
	return TOTAL / (now() - t0);
}

int main(int argc, char **argv) {
	long batch = argc > 1 ? atol(argv[1]) : 1;
	if (batch < 1 || batch > SLOTS || SLOTS % batch != 0) {
		fprintf(stderr, "usage: lamport [batch]: batch must divide %d\n", SLOTS);
		return 2;
	}
	for (int rep = 0; rep < 5; rep++) {
		struct ring *r = mmap(0, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (r == MAP_FAILED) {
			perror("lamport: mmap");
			return 1;
		}
		pid_t p = fork();
		if (p < 0) {
			perror("lamport: fork");
			return 1;
		}
		if (p == 0) {
			produce(r, (uint64_t)batch);
			_exit(0);
		}
		double rate = consume(r, (uint64_t)batch);
		waitpid(p, 0, 0);
		printf("lamport, batches of %ld: %.2f M msgs/s\n", batch, rate / 1e6);
		munmap(r, sizeof *r);
	}
	return 0;
}

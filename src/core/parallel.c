/* parallel.c - the one thread pool: vs_parallel_for splits [0,n) into
 * contiguous ranges and runs them on short-lived pthreads.
 *
 * Invariants: every index is passed to fn exactly once, in exactly one range;
 * range k is [k*base + min(k,rem), ...) so the ranges are in order, never
 * empty, and differ in size by at most one. Nothing is allocated: the per-call
 * state (at most VS_PARALLEL_MAX_THREADS entries) lives on the caller's stack,
 * so the call cannot fail; a thread that cannot be started has its range run
 * on the calling thread instead. */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "vaxsync/core.h"

typedef struct range_job {
	void (*fn)(void *ud, size_t from, size_t to, int worker);
	void *ud;
	size_t from, to;
	int worker;
} range_job;

static _Atomic uint64_t start_count;
static _Atomic uint64_t fail_start_at; /* 0: never */

void vs_parallel_fail_nth(uint64_t n)
{
	atomic_store(&fail_start_at, n ? atomic_load(&start_count) + n : 0);
}

int vs_parallel_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > INT_MAX ? INT_MAX : (int)n;
}

static void run_job(const range_job *j)
{
	j->fn(j->ud, j->from, j->to, j->worker);
}

static void *thread_main(void *arg)
{
	run_job(arg);
	return NULL;
}

/* pthread_create, or a simulated failure when the test hook says so. */
static bool start_thread(pthread_t *tid, range_job *j)
{
	uint64_t k = atomic_fetch_add(&start_count, 1) + 1;
	uint64_t f = atomic_load(&fail_start_at);
	if (f != 0 && k == f)
		return false;
	return pthread_create(tid, NULL, thread_main, j) == 0;
}

static size_t clamp_threads(size_t n, int threads)
{
	size_t t = threads < 1 ? 1 : (size_t)threads;
	if (t > VS_PARALLEL_MAX_THREADS)
		t = VS_PARALLEL_MAX_THREADS;
	return t < n ? t : n;
}

void vs_parallel_for(size_t n, int threads, void (*fn)(void *ud, size_t from, size_t to, int worker),
                     void *ud)
{
	range_job jobs[VS_PARALLEL_MAX_THREADS];
	pthread_t tid[VS_PARALLEL_MAX_THREADS];
	bool started[VS_PARALLEL_MAX_THREADS];
	size_t t = clamp_threads(n, threads);
	if (t == 0)
		return;
	size_t base = n / t, rem = n % t;
	for (size_t k = 0; k < t; k++) {
		size_t from = k * base + (k < rem ? k : rem);
		jobs[k] = (range_job){fn, ud, from, from + base + (k < rem), (int)k};
	}
	for (size_t k = 1; k < t; k++) {
		started[k] = start_thread(&tid[k], &jobs[k]);
		if (!started[k])
			run_job(&jobs[k]);
	}
	run_job(&jobs[0]);
	for (size_t k = 1; k < t; k++)
		if (started[k])
			pthread_join(tid[k], NULL);
}

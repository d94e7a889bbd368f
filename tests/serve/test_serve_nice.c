/* test_serve_nice.c - the upload job's thread yields the cores to the request
 * workers (nice +10) but takes its normal priority back for each write turn:
 * a thread at nice 10 holding the turn among busy workers held every read
 * waiting to write its audit row (the reads' p99 during an upload). Without
 * the right to take the priority back (no CAP_SYS_NICE, RLIMIT_NICE 0) the
 * thread keeps its normal priority throughout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "serve/serve_internal.h"

static int my_nice(void)
{
	errno = 0;
	int n = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	assert_false(n == -1 && errno);
	return n;
}

typedef struct probe {
	vs_serve *srv;
	bool limited; /* drop the right to lower the nice value first */
	int base, idle, in_turn, after;
	bool niced;
} probe;

static void *job_thread(void *arg)
{
	probe *p = arg;
	if (p->limited) {
		/* this thread only (capabilities are per thread): no CAP_SYS_NICE; the process: RLIMIT_NICE 0
		 */
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2];
		assert_int_equal(syscall(SYS_capget, &h, d), 0);
		d[0].effective &= ~(1u << CAP_SYS_NICE);
		assert_int_equal(syscall(SYS_capset, &h, d), 0);
		struct rlimit rl = {0, 0};
		assert_int_equal(setrlimit(RLIMIT_NICE, &rl), 0);
	}
	p->base = my_nice();
	p->niced = sv_job_nice_setup();
	p->idle = my_nice();
	sv_job_turn_begin(p->srv);
	p->in_turn = my_nice();
	sv_job_turn_end(p->srv);
	p->after = my_nice();
	return NULL;
}

static void run_probe(probe *p)
{
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, job_thread, p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

static void test_job_turns(void **state)
{
	(void)state;
	vs_serve srv;
	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.write_lock, NULL);
	pthread_cond_init(&srv.write_cond, NULL);
	/* with the right (root with CAP_SYS_NICE, as in CI): nice 10 between turns, normal in one */
	probe p = {.srv = &srv};
	run_probe(&p);
	if (p.niced) {
		assert_int_equal(p.idle, p.base + 10 > 19 ? 19 : p.base + 10);
		assert_int_equal(p.in_turn, p.base);
		assert_int_equal(p.after, p.idle);
	} else {
		print_message("no right to lower the nice value here: the fallback only\n");
	}
	/* without it: normal (at most one step down) throughout, the turn unchanged */
	probe q = {.srv = &srv, .limited = true};
	run_probe(&q);
	assert_false(q.niced);
	assert_true(q.idle <= q.base + 1);
	assert_int_equal(q.in_turn, q.idle);
	assert_int_equal(q.after, q.idle);
	/* the write turn was handed on each time: a second taker gets it at once */
	sv_write_lock(&srv);
	sv_write_unlock(&srv);
	pthread_cond_destroy(&srv.write_cond);
	pthread_mutex_destroy(&srv.write_lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_job_turns)};
	return cmocka_run_group_tests_name("serve job priority", tests, NULL, NULL);
}

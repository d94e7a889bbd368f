/* test_core.c - result codes, errors, allocation hook, arena, buffer, UTF-8, reasons,
 * hashing, parallel loops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "vaxsync/core.h"
#include "vaxsync/reasons.h"

static void test_error_format(void **state)
{
	(void)state;
	vs_error e;
	vs_error_clear(&e);
	vs_rc rc = vs_error_set(&e, VS_ERR_PARSE, "shots.csv", 12, 3, "dob", "bad date '%s'", "31/02");
	vs_error_reason(&e, "DOB_UNPARSEABLE");
	assert_int_equal(rc, VS_ERR_PARSE);
	char buf[512];
	vs_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "shots.csv:12:3: dob: bad date '31/02' [DOB_UNPARSEABLE]");
	assert_int_equal(vs_error_set(NULL, VS_ERR_IO, NULL, 0, 0, NULL, "x"), VS_ERR_IO);
	assert_string_equal(vs_rc_str(VS_ERR_LIMIT), "VS_ERR_LIMIT");
	assert_int_equal(vs_rc_exit_code(VS_ERR_ARG), VS_EXIT_USAGE);
	assert_int_equal(vs_rc_exit_code(VS_ERR_PARSE), VS_EXIT_DATA);
	assert_int_equal(vs_rc_exit_code(VS_ERR_INTERNAL), VS_EXIT_INTERNAL);
}

static void test_alloc_fail_nth(void **state)
{
	(void)state;
	vs_alloc_fail_nth(2);
	void *a = vs_malloc(8);
	void *b = vs_malloc(8);
	void *c = vs_malloc(8);
	assert_non_null(a);
	assert_null(b);
	assert_non_null(c);
	vs_free(a);
	vs_free(c);
	vs_alloc_fail_nth(0);
	assert_null(vs_reallocarray(NULL, SIZE_MAX / 2, 4));
}

static void test_arena(void **state)
{
	(void)state;
	vs_arena a;
	vs_arena_init(&a, 64);
	char *s = vs_arena_strndup(&a, "hello world", 5);
	assert_string_equal(s, "hello");
	for (int i = 0; i < 100; i++) {
		uint64_t *p = vs_arena_alloc(&a, 24);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 8, 0);
		*p = (uint64_t)i;
	}
	void *big = vs_arena_alloc(&a, 1000);
	assert_non_null(big);
	vs_arena_reset(&a);
	assert_int_equal(a.total_len, 0);
	assert_non_null(vs_arena_alloc(&a, 8));
	vs_arena_free(&a);
	/* allocation failure surfaces as NULL, not a crash */
	vs_arena_init(&a, 64);
	vs_alloc_fail_nth(1);
	assert_null(vs_arena_alloc(&a, 8));
	vs_arena_free(&a);
}

static void test_buf_cap(void **state)
{
	(void)state;
	vs_buf b;
	vs_buf_init(&b, 10);
	assert_int_equal(vs_buf_puts(&b, "12345"), VS_OK);
	assert_int_equal(vs_buf_printf(&b, "%d", 6789), VS_OK);
	assert_string_equal(b.data, "123456789");
	assert_int_equal(vs_buf_puts(&b, "ab"), VS_ERR_LIMIT);
	assert_int_equal(b.len, 9);
	assert_int_equal(vs_buf_putc(&b, '0'), VS_OK);
	assert_int_equal(vs_buf_putc(&b, 'x'), VS_ERR_LIMIT);
	assert_string_equal(b.data, "1234567890");
	vs_buf_reset(&b);
	assert_int_equal(b.len, 0);
	vs_buf_free(&b);
	vs_buf_init(&b, 0);
	vs_alloc_fail_nth(1);
	assert_int_equal(vs_buf_puts(&b, "x"), VS_ERR_NOMEM);
	vs_buf_free(&b);
}

static void test_utf8(void **state)
{
	(void)state;
	size_t off = 99;
	const char *ok = "Nguyễn Văn Đức";
	assert_true(vs_utf8_valid(ok, strlen(ok), &off));
	assert_false(vs_utf8_valid("ab\xC3(", 4, &off));
	assert_int_equal(off, 2);
	assert_false(vs_utf8_valid("\xC0\xAF", 2, &off));         /* overlong */
	assert_false(vs_utf8_valid("\xED\xA0\x80", 3, &off));     /* surrogate */
	assert_false(vs_utf8_valid("\xF4\x90\x80\x80", 4, &off)); /* > U+10FFFF */
	assert_false(vs_utf8_valid("\xE1\xBA", 2, &off));         /* truncated */
	uint32_t cp;
	assert_int_equal(vs_utf8_decode("\xE1\xBB\x85", 3, &cp), 3);
	assert_int_equal(cp, 0x1EC5);
	char enc[4];
	assert_int_equal(vs_utf8_encode(0x1EC5, enc), 3);
	assert_memory_equal(enc, "\xE1\xBB\x85", 3);
	assert_int_equal(vs_utf8_encode(0x1F600, enc), 4);
	char key[64];
	vs_utf8_fold_key(ok, strlen(ok), key, sizeof(key));
	assert_string_equal(key, "nguyen van duc");
	vs_utf8_fold_key("  Số CMND/CCCD ", 17, key, sizeof(key));
	assert_string_equal(key, "so cmnd cccd");
	/* NFD input folds the same as NFC */
	const char *nfd = "Nguye\xCC\x82\xCC\x83n";
	vs_utf8_fold_key(nfd, strlen(nfd), key, sizeof(key));
	assert_string_equal(key, "nguyen");
	/* output is capped */
	vs_utf8_fold_key(ok, strlen(ok), key, 5);
	assert_string_equal(key, "nguy");
}

static void test_reasons(void **state)
{
	(void)state;
	vs_reason_set s = {0};
	vs_reason_add(&s, VS_R_ID_MISSING);
	vs_reason_add(&s, VS_R_DOB_YEAR_ONLY);
	vs_reason_add(&s, VS_R_ID_MISSING);
	assert_int_equal(s.count, 2);
	char out[128];
	vs_reason_join(&s, out, sizeof(out));
	assert_string_equal(out, "ID_MISSING|DOB_YEAR_ONLY");
	vs_reason_set t = {0};
	vs_reason_parse(&t, out, strlen(out));
	assert_int_equal(t.count, 2);
	assert_true(vs_reason_has(&t, VS_R_DOB_YEAR_ONLY));
	assert_int_equal(vs_reason_from_name("LINK_AMBIGUOUS", 14), VS_R_LINK_AMBIGUOUS);
	assert_int_equal(vs_reason_from_name("NOPE", 4), VS_R_NONE);
	for (unsigned r = 1; r < VS_R_COUNT; r++) {
		const vs_reason_info *ri = vs_reason_get((vs_reason)r);
		assert_non_null(ri);
		assert_true(strlen(ri->meaning) > 10);
		assert_true(strlen(ri->action) > 5);
	}
	/* a full set stays capped */
	vs_reason_set f = {0};
	for (unsigned r = 1; r < VS_R_COUNT; r++)
		vs_reason_add(&f, (vs_reason)r);
	assert_int_equal(f.count, VS_REASON_SET_MAX);
}

static void test_civil_dates(void **state)
{
	(void)state;
	assert_int_equal(vs_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(vs_days_from_civil(2021, 3, 8), 18694);
	assert_int_equal(vs_days_from_civil(2000, 3, 1) - vs_days_from_civil(2000, 2, 28), 2);
	assert_int_equal(vs_days_from_civil(1900, 3, 1) - vs_days_from_civil(1900, 2, 28), 1);
	assert_int_equal(vs_days_from_civil(1899, 12, 31), -25568);
	for (int32_t d = -80000; d < 80000; d += 7) {
		int y, m, dd;
		vs_civil_from_days(d, &y, &m, &dd);
		assert_true(m >= 1 && m <= 12 && dd >= 1 && dd <= 31);
		assert_int_equal(vs_days_from_civil(y, m, dd), d);
	}
}

static void test_progress_quiet(void **state)
{
	(void)state;
	vs_progress *p = vs_progress_new("test", 100, true);
	assert_non_null(p);
	vs_progress_update(p, 50);
	vs_progress_add(p, 50);
	vs_progress_finish(p);
	vs_progress_finish(NULL);
}

static void test_hash_fnv1a(void **state)
{
	(void)state;
	assert_true(vs_hash_fnv1a("", 0) == 0xcbf29ce484222325ull);
	assert_true(vs_hash_fnv1a("a", 1) == 0xaf63dc4c8601ec8cull);
	assert_true(vs_hash_fnv1a("foobar", 6) == 0x85944171f73967e8ull);
	/* the length counts, not a NUL */
	assert_true(vs_hash_fnv1a("a\0b", 3) != vs_hash_fnv1a("a", 1));
	/* the seed is the running state: hashing in two pieces is hashing the whole */
	assert_true(vs_hash_fnv1a_seed(vs_hash_fnv1a("foo", 3), "bar", 3) == vs_hash_fnv1a("foobar", 6));
	assert_true(vs_hash_fnv1a_seed(VS_HASH_FNV1A_BASIS, "a", 1) == vs_hash_fnv1a("a", 1));
	/* the legacy basis is kept bit for bit (stored keys depend on it) */
	assert_true(VS_HASH_FNV1A_LEGACY_BASIS == 1469598103934665603ull);
	assert_true(vs_hash_fnv1a_seed(VS_HASH_FNV1A_LEGACY_BASIS, "", 0) == 1469598103934665603ull);
	assert_true(vs_hash_fnv1a_seed(VS_HASH_FNV1A_LEGACY_BASIS, "a", 1) ==
	            (1469598103934665603ull ^ 'a') * 1099511628211ull);
}

/* What vs_parallel_for did: visits per index, and per worker its range,
 * how often it was called and on which thread. */
typedef struct pf_probe {
	_Atomic uint32_t *visits;
	_Atomic int calls[VS_PARALLEL_MAX_THREADS];
	size_t from[VS_PARALLEL_MAX_THREADS], to[VS_PARALLEL_MAX_THREADS];
	pthread_t thread[VS_PARALLEL_MAX_THREADS];
	_Atomic int bad_worker;
} pf_probe;

static void pf_visit(void *ud, size_t from, size_t to, int worker)
{
	pf_probe *p = ud;
	if (worker < 0 || worker >= VS_PARALLEL_MAX_THREADS) {
		atomic_store(&p->bad_worker, 1);
		return;
	}
	atomic_fetch_add(&p->calls[worker], 1);
	p->from[worker] = from;
	p->to[worker] = to;
	p->thread[worker] = pthread_self();
	for (size_t i = from; i < to; i++)
		atomic_fetch_add(&p->visits[i], 1);
}

/* Runs one vs_parallel_for and checks the ranges; returns the worker count. */
static size_t pf_check(pf_probe *p, size_t n, int threads)
{
	memset(p, 0, sizeof(*p));
	p->visits = calloc(n ? n : 1, sizeof(*p->visits));
	assert_non_null(p->visits);
	vs_parallel_for(n, threads, pf_visit, p);
	assert_int_equal(atomic_load(&p->bad_worker), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(atomic_load(&p->visits[i]), 1);
	free(p->visits);
	size_t expect = (size_t)(threads < 1                         ? 1
	                         : threads > VS_PARALLEL_MAX_THREADS ? VS_PARALLEL_MAX_THREADS
	                                                             : threads);
	if (expect > n)
		expect = n;
	size_t workers = 0;
	for (size_t w = 0; w < VS_PARALLEL_MAX_THREADS; w++) {
		int c = atomic_load(&p->calls[w]);
		assert_true(c == (w < expect ? 1 : 0)); /* worker ids distinct, 0..expect-1 */
		if (!c)
			continue;
		workers++;
		assert_true(p->from[w] < p->to[w]);                 /* never empty */
		assert_int_equal(p->from[w], w ? p->to[w - 1] : 0); /* contiguous, in order */
		assert_true(p->to[w] - p->from[w] <= n / expect + 1);
	}
	if (workers)
		assert_int_equal(p->to[workers - 1], n);
	assert_int_equal(workers, expect);
	if (workers)
		assert_true(pthread_equal(p->thread[0], pthread_self())); /* range 0 on the caller */
	return workers;
}

static void test_parallel_for(void **state)
{
	(void)state;
	static const size_t ns[] = {0, 1, 7, 1000, 100000};
	static const int ts[] = {1, 2, 3, 64, 300, 0, -5};
	pf_probe *p = malloc(sizeof(*p));
	assert_non_null(p);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		for (size_t k = 0; k < sizeof(ts) / sizeof(ts[0]); k++)
			pf_check(p, ns[i], ts[k]);
	/* more than 31 workers (the old bitmask of started threads wrapped there) */
	assert_int_equal(pf_check(p, 100000, 300), VS_PARALLEL_MAX_THREADS);
	assert_int_equal(pf_check(p, 40, 300), 40);
	assert_true(vs_parallel_default_threads() >= 1);
	free(p);
}

static void test_parallel_for_thread_fails(void **state)
{
	(void)state;
	pf_probe *p = malloc(sizeof(*p));
	assert_non_null(p);
	/* the second thread start fails: that range (worker 2) runs on the caller */
	vs_parallel_fail_nth(2);
	assert_int_equal(pf_check(p, 1000, 4), 4);
	assert_true(pthread_equal(p->thread[2], pthread_self()));
	/* the hook fired once: every thread starts again */
	assert_int_equal(pf_check(p, 1000, 40), 40);
	/* each start fails in turn, the 33rd past the old bitmask's 31 included */
	for (uint64_t f = 1; f <= 40; f += 8) {
		vs_parallel_fail_nth(f);
		assert_int_equal(pf_check(p, 5000, 40), 40);
		assert_true(pthread_equal(p->thread[f], pthread_self()));
	}
	vs_parallel_fail_nth(0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_error_format),
	    cmocka_unit_test(test_alloc_fail_nth),
	    cmocka_unit_test(test_arena),
	    cmocka_unit_test(test_buf_cap),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_reasons),
	    cmocka_unit_test(test_progress_quiet),
	    cmocka_unit_test(test_civil_dates),
	    cmocka_unit_test(test_hash_fnv1a),
	    cmocka_unit_test(test_parallel_for),
	    cmocka_unit_test(test_parallel_for_thread_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_serve_store.c - the store connections the service runs on: several
 * connections of one process to one SQLite file (a session per worker, the
 * upload job, the checkpointer). Only the first reads through a memory map;
 * the others read with pread, so a commit on one connection no longer makes
 * every other one unmap and map its whole file again on its next read
 * (store_sqlite.c, open_track). Reads and writes across the connections still
 * see each other's commits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaxsync/store.h"

/* store_sqlite.c: whether a connection reads through a memory map (a test
 * hook, no part of the store interface) */
bool vs_store_sqlite_mapped(vs_store *s);

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_serve_store_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static vs_store *open_at(const char *path)
{
	vs_store *s = NULL;
	vs_error err = {0};
	assert_int_equal(vs_store_open(&s, path, NULL, &err), VS_OK);
	return s;
}

/* Regression: every connection mapped 1 GiB of the file; a commit on any of
 * them made the others munmap and mmap it again on their next read (about
 * half the service's CPU per request on a 1 M-citizen store). */
static void test_second_connection_unmapped(void **state)
{
	(void)state;
	char db[128], link[128], other[128];
	snprintf(db, sizeof(db), "%s/a.db", tmpdir);
	snprintf(link, sizeof(link), "%s/link.db", tmpdir);
	snprintf(other, sizeof(other), "%s/b.db", tmpdir);
	vs_store *first = open_at(db);
	assert_true(vs_store_sqlite_mapped(first));
	vs_store *second = open_at(db);
	assert_false(vs_store_sqlite_mapped(second));
	/* the same file by another name is the same file */
	assert_int_equal(symlink(db, link), 0);
	vs_store *third = open_at(link);
	assert_false(vs_store_sqlite_mapped(third));
	/* another file has a first connection of its own */
	vs_store *b = open_at(other);
	assert_true(vs_store_sqlite_mapped(b));
	/* while any other connection is open, a new one is not mapped */
	vs_store_close(first);
	vs_store *fourth = open_at(db);
	assert_false(vs_store_sqlite_mapped(fourth));
	vs_store_close(second);
	vs_store_close(third);
	vs_store_close(fourth);
	/* all closed: the next one is a first connection again */
	vs_store *again = open_at(db);
	assert_true(vs_store_sqlite_mapped(again));
	vs_store_close(again);
	vs_store_close(b);
}

/* Connections with and without a map see each other's commits. */
static void test_commits_seen_across(void **state)
{
	(void)state;
	char db[128];
	snprintf(db, sizeof(db), "%s/c.db", tmpdir);
	vs_store *mapped = open_at(db), *plain = open_at(db);
	assert_true(vs_store_sqlite_mapped(mapped));
	assert_false(vs_store_sqlite_mapped(plain));
	for (int i = 0; i < 200; i++) {
		vs_store *w = i % 2 ? mapped : plain, *r = i % 2 ? plain : mapped;
		int64_t before = 0, after = 0;
		assert_int_equal(vs_store_audit_count(r, &before, NULL), VS_OK);
		assert_int_equal(vs_store_audit(w, "tester", "write", "x", NULL, NULL), VS_OK);
		assert_int_equal(vs_store_audit_count(r, &after, NULL), VS_OK);
		assert_int_equal(after, before + 1);
	}
	vs_store_close(mapped);
	vs_store_close(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_second_connection_unmapped),
	    cmocka_unit_test(test_commits_seen_across),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* test_store_files.c - the store's files and its open errors: the database
 * and SQLite's -wal and -shm files are created 0600 whatever the umask; an
 * open that fails names the path and what to do (not a vaxsync database,
 * another program's database, a newer schema, locked, a missing directory,
 * not writable), never the SQL that failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store_impl.h"
#include "vaxsync/store.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_store_files_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Regression: the database's mode came from the umask. */
static void test_modes_without_umask(void **state)
{
	(void)state;
	char db[256], wal[300], shm[300];
	path_of(db, sizeof(db), "m.db");
	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(shm, sizeof(shm), "%s-shm", db);
	mode_t old = umask(0);
	vs_store *s = NULL;
	assert_int_equal(vs_store_open(&s, db, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_audit(s, "tester", "write", "x", NULL, NULL), VS_OK);
	/* while the store is open SQLite keeps its -wal and -shm files: it gives
	 * them the database's mode */
	assert_int_equal(mode_of(db), 0600);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	vs_store_close(s);
	assert_int_equal(mode_of(db), 0600);
	/* a umask that takes the owner's write bit away does not make it unusable */
	path_of(db, sizeof(db), "m2.db");
	umask(0277);
	assert_int_equal(vs_store_open(&s, db, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_audit(s, "tester", "write", "x", NULL, NULL), VS_OK);
	vs_store_close(s);
	assert_int_equal(mode_of(db), 0600);
	umask(old);
}

static void expect_open_error(const char *db, const char *want)
{
	vs_store *s = NULL;
	vs_error err = {0};
	char msg[1024];
	assert_int_not_equal(vs_store_open(&s, db, NULL, &err), VS_OK);
	assert_null(s);
	vs_error_format(&err, msg, sizeof(msg));
	if (!strstr(msg, db) || !strstr(msg, want) || strstr(msg, "PRAGMA") || strstr(msg, "SELECT"))
		fail_msg("open %s: got \"%s\", want the path and \"%s\"", db, msg, want);
}

static void sql(const char *db, const char *text)
{
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, text, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* Regression: open errors showed SQLite pragmas instead of the path and the fix. */
static void test_open_errors(void **state)
{
	(void)state;
	char db[256];
	path_of(db, sizeof(db), "text.db");
	FILE *f = fopen(db, "w");
	assert_non_null(f);
	fputs("facility_code,record_id\nF1,1\n", f);
	fclose(f);
	expect_open_error(db, "not a vaxsync database");
	path_of(db, sizeof(db), "other.db");
	sql(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)");
	expect_open_error(db, "another program");
	path_of(db, sizeof(db), "newer.db");
	sql(db,
	    "CREATE TABLE schema_version(version INTEGER NOT NULL); INSERT INTO schema_version VALUES(999)");
	expect_open_error(db, "newer vaxsync");
	path_of(db, sizeof(db), "no/such/dir.db");
	expect_open_error(db, "directory exists");
	if (geteuid() != 0) { /* root may write anywhere */
		char ro[256];
		path_of(ro, sizeof(ro), "ro");
		assert_int_equal(mkdir(ro, 0500), 0);
		path_of(db, sizeof(db), "ro/x.db");
		vs_store *s = NULL;
		assert_int_not_equal(vs_store_open(&s, db, NULL, NULL), VS_OK);
		assert_int_equal(chmod(ro, 0700), 0);
	}
}

/* Another process holds the database: said so after the busy timeout. */
static void test_open_locked(void **state)
{
	(void)state;
	char db[256];
	int fds[2];
	path_of(db, sizeof(db), "locked.db");
	sql(db, "CREATE TABLE schema_version(version INTEGER NOT NULL)");
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sqlite3 *h = NULL;
		char c;
		close(fds[1]);
		if (sqlite3_open(db, &h) != SQLITE_OK ||
		    sqlite3_exec(h, "BEGIN EXCLUSIVE; INSERT INTO schema_version VALUES(1)", NULL, NULL,
		                 NULL) != SQLITE_OK)
			_exit(1);
		while (read(fds[0], &c, 1) > 0) /* until the parent is done */
			;
		_exit(0);
	}
	close(fds[0]);
	usleep(300000); /* the child takes the lock */
	expect_open_error(db, "locked by another process");
	close(fds[1]);
	int st = 0;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Regression: finding a record's current version (explain, every review
 * decision) used the index of the current flag, which matches nearly every
 * record: 0.3-2 s a call on a store of 2.4 M records. Every statement that
 * looks rows up by a key must keep to a key (SQLite plans without
 * statistics, so the plan is the same on an empty store). */
static void test_lookups_use_keys(void **state)
{
	(void)state;
	char db[128], bad[4096];
	vs_store *s = NULL;
	path_of(db, sizeof(db), "plans.db");
	assert_int_equal(vs_store_open(&s, db, NULL, NULL), VS_OK);
	size_t n = vs_store_sqlite_bad_plans(s, bad, sizeof(bad));
	if (n)
		fprintf(stderr, "%s", bad);
	assert_int_equal(n, 0);
	vs_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_modes_without_umask),
	    cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_open_locked),
	    cmocka_unit_test(test_lookups_use_keys),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

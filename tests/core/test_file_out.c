/* test_file_out.c - output files written whole or not at all: the temporary
 * and the commit, the mode whatever the umask, a planted symbolic link
 * refused (and its target untouched), write errors named with the path and
 * strerror, the abort leaving nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vaxsync/core.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_test_fo_XXXXXX");
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

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Entries of dir whose name starts with ".vaxsync-": leftover temporaries. */
static int temporaries_in(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += !strncmp(e->d_name, ".vaxsync-", 9);
	closedir(d);
	return n;
}

static int temporaries(void)
{
	int n = 0;
	DIR *d = opendir(tmpdir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += !strncmp(e->d_name, ".vaxsync-", 9);
	closedir(d);
	return n;
}

static void write_all(const char *path, unsigned mode, const char *text)
{
	vs_file_out *fo = NULL;
	vs_error err = {0};
	assert_int_equal(vs_file_out_open(&fo, path, mode, &err), VS_OK);
	fputs(text, vs_file_out_stream(fo));
	assert_int_equal(vs_file_out_commit(fo, &err), VS_OK);
}

static void test_commit_replaces_whole(void **state)
{
	(void)state;
	char path[256], buf[64];
	path_of(path, sizeof(path), "a.csv");
	write_all(path, VS_FILE_MODE_PRIVATE, "old\n");
	vs_file_out *fo = NULL;
	assert_int_equal(vs_file_out_open(&fo, path, VS_FILE_MODE_PRIVATE, NULL), VS_OK);
	fputs("new\n", vs_file_out_stream(fo));
	/* until the commit the old file is there, whole */
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	assert_int_equal(temporaries(), 1);
	assert_int_equal(vs_file_out_commit(fo, NULL), VS_OK);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "new\n");
	assert_int_equal(temporaries(), 0);
	/* an abort leaves the old file and no temporary */
	assert_int_equal(vs_file_out_open(&fo, path, VS_FILE_MODE_PRIVATE, NULL), VS_OK);
	fputs("half", vs_file_out_stream(fo));
	vs_file_out_abort(fo);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "new\n");
	assert_int_equal(temporaries(), 0);
	vs_file_out_abort(NULL);
	assert_int_equal(vs_file_out_commit(NULL, NULL), VS_OK);
}

/* Regression: outputs took their mode from the umask (the CLI's umask 077 was
 * all that kept personal data private). */
static void test_mode_without_umask(void **state)
{
	(void)state;
	char path[256];
	struct stat st;
	mode_t old = umask(0);
	path_of(path, sizeof(path), "private.csv");
	write_all(path, VS_FILE_MODE_PRIVATE, "x\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	path_of(path, sizeof(path), "group.csv");
	write_all(path, VS_FILE_MODE_GROUP, "x\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* a umask that takes more away does not either */
	umask(0277);
	write_all(path, VS_FILE_MODE_GROUP, "x\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* an existing file that was world-readable is replaced by a private one */
	umask(0);
	path_of(path, sizeof(path), "was_open.csv");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(path, 0666), 0);
	write_all(path, VS_FILE_MODE_PRIVATE, "x\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	umask(old);
}

/* Regression: an output followed a symbolic link planted at its path. */
static void test_symlink_refused(void **state)
{
	(void)state;
	char target[256], link[256], buf[64];
	path_of(target, sizeof(target), "victim.txt");
	path_of(link, sizeof(link), "links.csv");
	FILE *f = fopen(target, "w");
	assert_non_null(f);
	fputs("precious\n", f);
	fclose(f);
	assert_int_equal(symlink(target, link), 0);
	vs_file_out *fo = NULL;
	vs_error err = {0};
	assert_int_equal(vs_file_out_open(&fo, link, VS_FILE_MODE_PRIVATE, &err), VS_ERR_WRITE);
	assert_null(fo);
	assert_string_equal(err.file, link);
	assert_non_null(strstr(err.message, "symbolic link"));
	slurp(target, buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
	/* a link planted while the file is being written is refused at commit */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(vs_file_out_open(&fo, link, VS_FILE_MODE_PRIVATE, &err), VS_OK);
	fputs("data\n", vs_file_out_stream(fo));
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(vs_file_out_commit(fo, &err), VS_ERR_WRITE);
	assert_non_null(strstr(err.message, "symbolic link"));
	slurp(target, buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(temporaries(), 0);
	/* a directory is not a file */
	assert_int_equal(vs_file_out_open(&fo, tmpdir, VS_FILE_MODE_PRIVATE, &err), VS_ERR_WRITE);
}

/* Regression: a failed write said "vaxsync: " with nothing after it. */
static void test_errors_named(void **state)
{
	(void)state;
	char file[256], under[300];
	vs_file_out *fo = NULL;
	vs_error err = {0};
	char msg[512];
	path_of(file, sizeof(file), "plain");
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(under, sizeof(under), "%s/x.csv", file);
	assert_int_equal(vs_file_out_open(&fo, under, VS_FILE_MODE_PRIVATE, &err), VS_ERR_WRITE);
	vs_error_format(&err, msg, sizeof(msg));
	assert_non_null(strstr(msg, under));
	assert_non_null(strstr(msg, strerror(ENOTDIR)));
	assert_int_equal(vs_rc_exit_code(VS_ERR_WRITE), VS_EXIT_INTERNAL);
	assert_string_equal(vs_rc_str(VS_ERR_WRITE), "VS_ERR_WRITE");
	/* disk full: /dev/full is written in place and every flush fails */
	if (access("/dev/full", W_OK) == 0) {
		assert_int_equal(vs_file_out_open(&fo, "/dev/full", VS_FILE_MODE_PRIVATE, &err), VS_OK);
		fputs("row\n", vs_file_out_stream(fo));
		assert_int_equal(vs_file_out_commit(fo, &err), VS_ERR_WRITE);
		vs_error_format(&err, msg, sizeof(msg));
		assert_non_null(strstr(msg, "/dev/full"));
		assert_non_null(strstr(msg, strerror(ENOSPC)));
	}
	/* a directory without write permission (root may write anywhere) */
	if (geteuid() != 0) {
		char ro[256], in[300];
		path_of(ro, sizeof(ro), "ro");
		assert_int_equal(mkdir(ro, 0500), 0);
		snprintf(in, sizeof(in), "%s/x.csv", ro);
		assert_int_equal(vs_file_out_open(&fo, in, VS_FILE_MODE_PRIVATE, &err), VS_ERR_WRITE);
		assert_non_null(strstr(err.message, strerror(EACCES)));
		assert_int_equal(chmod(ro, 0700), 0);
	}
	/* "-" is stdout, written directly */
	assert_int_equal(vs_file_out_open(&fo, "-", VS_FILE_MODE_PRIVATE, &err), VS_OK);
	assert_ptr_equal(vs_file_out_stream(fo), stdout);
	assert_int_equal(vs_file_out_commit(fo, &err), VS_OK);
}

/* Entries of dir named name. */
static bool present(const char *dir, const char *name)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

static void touch(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("half", f);
	fclose(f);
}

/* Regression: a writer killed between open and commit (kill -9) left its
 * temporary for ever. The first output a process opens in a directory
 * removes the temporaries no live writer holds (a writer locks its own), and
 * only those: a live writer's temporary, in this process or another, and
 * files of other names stay. */
static void test_stale_temporaries_swept(void **state)
{
	(void)state;
	char dir[256], target[300];
	path_of(dir, sizeof(dir), "sweep");
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(target, sizeof(target), "%s/out.csv", dir);
	/* a live writer in another process holds its temporary */
	int ready[2], go[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	char other[300];
	snprintf(other, sizeof(other), "%s/other.csv", dir);
	pid_t live = fork();
	assert_true(live >= 0);
	if (live == 0) {
		vs_file_out *fo = NULL;
		char c = 0;
		close(go[1]); /* a parent that fails ends the wait */
		close(ready[0]);
		if (vs_file_out_open(&fo, other, VS_FILE_MODE_PRIVATE, NULL) ||
		    write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		fputs("other\n", vs_file_out_stream(fo));
		_exit(vs_file_out_commit(fo, NULL) == VS_OK ? 0 : 1);
	}
	close(ready[1]);
	close(go[0]);
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	/* a writer killed half way */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		vs_file_out *fo = NULL;
		if (vs_file_out_open(&fo, target, VS_FILE_MODE_PRIVATE, NULL))
			_exit(1);
		fputs("half a file", vs_file_out_stream(fo));
		fflush(vs_file_out_stream(fo));
		raise(SIGKILL);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	touch(dir, ".vaxsync-0123456789abcdef.tmp"); /* one more left over */
	touch(dir, ".vaxsync-notours.tmp");
	touch(dir, "notes.tmp");
	assert_int_equal(temporaries_in(dir), 4); /* two left over, one not ours, the live one */
	vs_file_out *fo = NULL;
	vs_error err = {0};
	assert_int_equal(vs_file_out_open(&fo, target, VS_FILE_MODE_PRIVATE, &err), VS_OK);
	assert_int_equal(temporaries_in(dir), 3); /* the live one, this one, and .vaxsync-notours.tmp */
	assert_false(present(dir, ".vaxsync-0123456789abcdef.tmp"));
	assert_true(present(dir, ".vaxsync-notours.tmp"));
	assert_true(present(dir, "notes.tmp"));
	fputs("whole\n", vs_file_out_stream(fo));
	assert_int_equal(vs_file_out_commit(fo, &err), VS_OK);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(live, &st, 0), live);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* its temporary was not taken away */
	assert_int_equal(temporaries_in(dir), 1);           /* .vaxsync-notours.tmp */
	char buf[64];
	slurp(target, buf, sizeof(buf));
	assert_string_equal(buf, "whole\n");
	slurp(other, buf, sizeof(buf));
	assert_string_equal(buf, "other\n");
	close(ready[0]);
	close(go[1]);
}

static void test_nomem(void **state)
{
	(void)state;
	char path[256];
	path_of(path, sizeof(path), "nomem.csv");
	for (uint64_t n = 1; n <= 4; n++) {
		vs_file_out *fo = NULL;
		vs_alloc_fail_nth(n);
		vs_rc rc = vs_file_out_open(&fo, path, VS_FILE_MODE_PRIVATE, NULL);
		vs_alloc_fail_nth(0);
		assert_true(rc == VS_OK || rc == VS_ERR_NOMEM);
		if (rc == VS_OK)
			vs_file_out_abort(fo);
		else
			assert_null(fo);
	}
	assert_int_equal(temporaries(), 0);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commit_replaces_whole),   cmocka_unit_test(test_mode_without_umask),
	    cmocka_unit_test(test_symlink_refused),         cmocka_unit_test(test_errors_named),
	    cmocka_unit_test(test_stale_temporaries_swept), cmocka_unit_test(test_nomem),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

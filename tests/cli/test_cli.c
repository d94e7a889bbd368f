/* test_cli.c - the `vaxsync` front end as a user runs it: exit codes, help,
 * and `check` on malformed files (each error names file:line:column and a
 * reason code, and the rest of the batch goes on); --today; `run` on a
 * missing input; outputs that cannot be written (exit 3, named, audited);
 * the actor of every audit row; `link` and `train` on files with rejected
 * rows (the rules of `run` and `check`) and their outputs written safely;
 * the messages for people in Vietnamese (the default) and English. The
 * other tests run in an English locale, so they read the English texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vaxsync/core.h"

static char tmpdir[64];
static char out[1 << 16];

/* Runs `vaxsync ARGS` in locale (LC_ALL; stderr merged into out); returns the exit code. */
static int run_in(const char *locale, const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cd %s && LC_ALL=%s '%s/vaxsync' %s 2>&1", tmpdir, locale,
	         getenv("VS_BIN"), args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs `vaxsync ARGS` in an English locale: the texts the tests below look for. */
static int run(const char *args)
{
	return run_in("en_US.UTF-8", args);
}

static void write_file(const char *name, const char *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

#define WRITE(name, s) write_file(name, s, sizeof(s) - 1)

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_test_cli_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_version_help_usage(void **state)
{
	(void)state;
	assert_int_equal(run("--version"), 0);
	assert_non_null(strstr(out, "vaxsync " VS_VERSION));
	assert_int_equal(run("--help"), 0);
	assert_non_null(strstr(out, "check"));
	assert_int_equal(run(""), VS_EXIT_USAGE);
	assert_int_equal(run("no-such-command"), VS_EXIT_USAGE);
	assert_int_equal(run("check --help"), 0);
	assert_non_null(strstr(out, "usage: vaxsync check"));
	assert_int_equal(run("check --bogus x.csv"), VS_EXIT_USAGE);
	assert_int_equal(run("check --threads 0 x.csv"), VS_EXIT_USAGE);
	assert_int_equal(run("reasons"), 0);
	assert_non_null(strstr(out, "ID_EXCEL_DAMAGE_FIXED"));
}

static void test_check_clean_roundtrip(void **state)
{
	(void)state;
	WRITE("ok.csv", "\xEF\xBB\xBFrecord_id;facility_code;full_name\r\n1;F01;\"Lê; Văn\"\r\n2;F01;B\r\n");
	assert_int_equal(run("check ok.csv -o clean.csv"), 0);
	assert_non_null(strstr(out, "2 records read, 0 rejected"));
	assert_non_null(strstr(out, "shots"));
	assert_int_equal(run("check clean.csv -q"), 0);
	char path[256];
	snprintf(path, sizeof(path), "%s/clean.csv", tmpdir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char buf[256] = {0};
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_string_equal(buf, "record_id,facility_code,full_name\n1,F01,Lê; Văn\n2,F01,B\n");
}

static void test_check_malformed(void **state)
{
	(void)state;
	WRITE("unclosed.csv", "record_id,facility_code,full_name\n1,F,A\n3,F,\"never closed\n4,F,B\n");
	assert_int_equal(run("check unclosed.csv"), VS_EXIT_DATA);
	assert_non_null(strstr(out, "unclosed.csv:3:3:"));
	assert_non_null(strstr(out, "reading goes on at line 4"));
	assert_non_null(strstr(out, "2 records read, 1 rejected"));
	assert_non_null(strstr(out, "[CSV_UNCLOSED_QUOTE]"));

	WRITE("ragged.csv", "record_id,facility_code,full_name\n1,F\n2,F,3\n");
	assert_int_equal(run("check ragged.csv"), 0);
	assert_non_null(strstr(out, "ragged.csv:2:"));
	assert_non_null(strstr(out, "[CSV_RAGGED_ROW]"));

	WRITE("cp1258.csv", "full_name,record_id,facility_code\nNguy\xEA\xDEn,1,F\n");
	assert_int_equal(run("check cp1258.csv -o fixed.csv"), 0);
	assert_non_null(strstr(out, "1 decoded from Windows-1258"));

	WRITE("empty.csv", "");
	assert_int_equal(run("check empty.csv"), VS_EXIT_DATA);
	assert_non_null(strstr(out, "[CSV_EMPTY_FILE]"));

	WRITE("header.csv", "record_id,facility_code,full_name\n");
	assert_int_equal(run("check header.csv"), VS_EXIT_DATA);
	assert_non_null(strstr(out, "[CSV_NO_RECORDS]"));

	write_file("nul.csv", "record_id,facility_code,full_name\nx\0y,F,1\n", 42);
	assert_int_equal(run("check nul.csv"), 0);
	assert_non_null(strstr(out, "1 with NUL bytes removed"));

	/* a 10 MB field: that row is rejected, the next one is read */
	size_t big = 10u << 20;
	char *s = malloc(big + 64);
	assert_non_null(s);
	memcpy(s, "record_id,facility_code,full_name\n1,F,", 38);
	memset(s + 38, 'x', big);
	memcpy(s + 38 + big, "\n2,F,3\n", 7);
	write_file("big.csv", s, big + 45);
	free(s);
	assert_int_equal(run("check big.csv"), VS_EXIT_DATA);
	assert_non_null(strstr(out, "big.csv:2:3:"));
	assert_non_null(strstr(out, "[CSV_FIELD_TOO_LONG]"));
	assert_non_null(strstr(out, "1 records read, 1 rejected"));

	assert_int_equal(run("check missing.csv"), VS_EXIT_DATA);
	assert_non_null(strstr(out, "missing.csv"));
}

static bool exists(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return access(path, F_OK) == 0;
}

/* --today is parsed one way by every command: YYYY-MM-DD, a real date, nothing after. */
static void test_today_option(void **state)
{
	(void)state;
	static const char *const bad[] = {"2021-02-30",  "2021-13-01",
	                                  "2021-00-10",  "2021-04-31",
	                                  "2021-01-01x", "2021-1-01",
	                                  "2021-01-1",   "0000-01-01",
	                                  "+021-01-01",  " 2021-01-01",
	                                  "2023-02-29",  "20210101",
	                                  "2021-01-01 ", ""};
	char args[256];
	WRITE("s.csv", "record_id,facility_code,full_name\n1,F01,Nguyen Van A\n");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(args, sizeof(args), "standardize s.csv -o o.csv -q --today '%s'", bad[i]);
		assert_int_equal(run(args), VS_EXIT_USAGE);
		assert_non_null(strstr(out, "--today takes a date YYYY-MM-DD"));
		snprintf(args, sizeof(args), "run --registry s.csv --shots s.csv --db t.db -q --today '%s'",
		         bad[i]);
		assert_int_equal(run(args), VS_EXIT_USAGE);
		assert_non_null(strstr(out, "--today takes a date YYYY-MM-DD"));
		assert_false(exists("t.db"));
	}
	assert_int_equal(run("standardize s.csv -o o.csv -q --today 2024-02-29"), 0);
	assert_int_equal(run("standardize s.csv -o o.csv -q --today 2000-02-29"), 0);
	assert_int_equal(run("standardize s.csv -o o.csv -q --today 2021-12-31"), 0);
}

/* A missing or unreadable input fails `run` (exit 1) before the store is
 * opened: no empty database is left behind. */
static void test_run_missing_input(void **state)
{
	(void)state;
	WRITE("r.csv", "citizen_id,full_name\n001080000001,Nguyen Van A\n");
	assert_int_equal(run("run --registry /nonexistent/registry.csv --shots r.csv --db d.db -q"),
	                 VS_EXIT_DATA);
	assert_non_null(strstr(out, "/nonexistent/registry.csv"));
	assert_false(exists("d.db"));
	assert_int_equal(run("run --registry r.csv --shots missing_shots.csv --db d.db -q"), VS_EXIT_DATA);
	assert_non_null(strstr(out, "missing_shots.csv"));
	assert_false(exists("d.db"));
	assert_int_equal(run("run --registry . --shots r.csv --db d.db -q"), VS_EXIT_DATA);
	assert_false(exists("d.db"));
	assert_false(exists("vaxsync.db")); /* nor the default store */
	assert_int_equal(run("run --registry nope.csv --shots r.csv -q"), VS_EXIT_DATA);
	assert_false(exists("vaxsync.db"));
}

/* `run` with a row it cannot read exits 1 and says where the row went;
 * `review` works the loop from the command line: list, show, decide, refuse. */
static void test_run_and_review(void **state)
{
	(void)state;
	WRITE("reg.csv",
	      "citizen_id,old_id,full_name,dob,sex,province_code,district_code,commune_code,address,phone,"
	      "household_id,status,death_date\n"
	      "001080000001,,Nguyễn Văn An,1980-02-01,M,01,001,00001,,,H1,alive,\n"
	      "001081000002,,Nguyễn Văn An,1981-02-01,M,01,001,00001,,,H2,alive,\n");
	WRITE("shots.csv",
	      "record_id,facility_code,full_name,dob,sex,id_number,phone,address,vaccine,lot,dose,shot_date\n"
	      "A1,F1,Nguyễn Văn An,01/02/1980,Nam,001080000001,,,Pfizer,L1,1,01/09/2021\n"
	      "A2,F1,Nguyen Van An,1980,Nam,,,\"Phúc Xá, Ba Đình, Hà Nội\",Pfizer,L1,2,01/10/2021\n"
	      ",F1,Trần Thị Bình,01/02/1981,Nữ,,,,Pfizer,L1,1,01/09/2021\n");
	assert_int_equal(run("run --registry reg.csv --shots shots.csv --db r.db --out o -q"), 1);
	assert_non_null(strstr(out, "1 rows could not be read"));
	/* what it wrote holds personal data: owner only */
	static const char *const written[] = {"r.db", "o/links.csv", "o"};
	for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++) {
		char path[256];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, written[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 077, 0);
	}
	assert_int_equal(run("review list --facility F1 --db r.db --as clerk"), 0);
	assert_non_null(strstr(out, "rejected"));
	assert_non_null(strstr(out, "CSV_RECORD_KEY_MISSING"));
	assert_non_null(strstr(out, "; row: "));
	/* for people in Vietnamese the evidence too (the row as sent stays as sent) */
	assert_int_equal(run_in("C.UTF-8", "review list --facility F1 --db r.db --as clerk"), 0);
	assert_non_null(strstr(out, "; dòng gửi: "));
	assert_null(strstr(out, "; row: "));
	assert_int_equal(run("review list --facility NOPE --db r.db --as clerk"), 1);
	assert_int_equal(run("worklist --facility NOPE --db r.db"), 1);
	assert_int_equal(run("review show F1 A1 --db r.db --as officer"), 0);
	assert_non_null(strstr(out, "link: auto 001080000001"));
	/* explain from the store alone: no input file is read */
	assert_int_equal(run("explain --db r.db F1 A1"), 0);
	assert_non_null(strstr(out, "link: auto 001080000001"));
	assert_non_null(strstr(out, "comparison now"));
	assert_int_equal(run("explain --db r.db F1 NOPE"), 1);
	assert_int_equal(run("explain --db r.db --registry reg.csv F1 A1"), 2);
	/* a decision needs a named actor; a facility clerk may not choose */
	assert_int_equal(run("review choose F1 A2 --citizen 001080000001 --db r.db"), 2);
	assert_int_equal(
	    run("review choose F1 A2 --citizen 001080000001 --db r.db --as clerk --role facility"), 2);
	assert_int_equal(run("review choose F1 A2 --citizen 001080000001 --db r.db --as officer"), 0);
	assert_non_null(strstr(out, "confirmed 001080000001"));
	assert_int_equal(run("review history 001080000001 --db r.db --as officer"), 0);
	assert_non_null(strstr(out, "posted: dose 2"));
	assert_int_equal(run("review withdraw F1 A2 --db r.db --as clerk --role facility"), 0);
	assert_non_null(strstr(out, "LINK_WITHDRAWN"));
	assert_int_equal(run("review correct F1 A2 --set bogus=1 --db r.db --as officer"), 2);
	assert_int_equal(run("review frobnicate F1 A2 --db r.db --as officer"), 2);
	/* the same files again: the decisions stand */
	assert_int_equal(run("run --registry reg.csv --shots shots.csv --db r.db -q"), 1);
	assert_int_equal(run("review show F1 A2 --db r.db --as officer"), 0);
	assert_non_null(strstr(out, "LINK_WITHDRAWN"));
}

/* The newest audit row: actor, action, subject into the buffers. */
static void last_audit(const char *db, char *actor, char *action, char *subject, size_t len)
{
	char path[256];
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, db);
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(h, "SELECT actor, action, subject FROM audit ORDER BY seq DESC LIMIT 1", -1,
	                       &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(actor, len, "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(action, len, "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(subject, len, "%s", (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static const char *os_user(void)
{
	static char name[64];
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name && pw->pw_name[0])
		snprintf(name, sizeof(name), "%s", pw->pw_name);
	else
		snprintf(name, sizeof(name), "uid:%lu", (unsigned long)geteuid());
	return name;
}

static void write_small_inputs(void)
{
	WRITE("areg.csv",
	      "citizen_id,old_id,full_name,dob,sex,province_code,district_code,commune_code,address,phone,"
	      "household_id,status,death_date\n"
	      "001080000001,,Nguyễn Văn An,1980-02-01,M,01,001,00001,,,H1,alive,\n");
	WRITE("ashots.csv",
	      "record_id,facility_code,full_name,dob,sex,id_number,phone,address,vaccine,lot,dose,shot_date\n"
	      "A1,F.1,Nguyễn Văn An,01/02/1980,Nam,001080000001,,,Pfizer,L1,1,01/09/2021\n"
	      "A2,F/1,Nguyen Van Binh,1990,Nam,,,,Pfizer,L1,2,01/10/2021\n"
	      "A3,F_1,Nguyen Van Chi,1991,Nam,,,,Pfizer,L1,2,01/10/2021\n");
}

/* Regression: the audit log said "pipeline" (run) and "cli" (explain, review
 * without --as) whoever ran the command. */
static void test_audit_actor(void **state)
{
	(void)state;
	char actor[256], action[256], subject[256];
	write_small_inputs();
	assert_int_equal(run("run --registry areg.csv --shots ashots.csv --db a.db --out ao -q"), 0);
	last_audit("a.db", actor, action, subject, sizeof(actor));
	assert_string_equal(action, "run");
	assert_string_equal(actor, os_user());
	assert_int_equal(run("explain --db a.db F.1 A1"), 0);
	last_audit("a.db", actor, action, subject, sizeof(actor));
	assert_string_equal(action, "read:explain");
	assert_string_equal(actor, os_user());
	assert_int_equal(run("review show F.1 A1 --db a.db"), 0);
	last_audit("a.db", actor, action, subject, sizeof(actor));
	assert_string_equal(action, "read:show");
	assert_string_equal(actor, os_user());
	assert_int_equal(run("review show F.1 A1 --db a.db --as officer7"), 0);
	last_audit("a.db", actor, action, subject, sizeof(actor));
	assert_string_equal(actor, "officer7");
	/* the three facilities that differ only in punctuation got three lists */
	assert_true(exists("ao/worklists/facility_F_2F1.csv"));
	assert_true(exists("ao/worklists/facility_F_5F1.csv"));
}

/* Regression: a failed export printed "vaxsync: " and nothing else, exited 1
 * and left no audit row; links.csv followed a planted symbolic link. */
static void test_failed_export(void **state)
{
	(void)state;
	char actor[256], action[256], subject[256], victim[256], link[256], buf[64] = {0};
	write_small_inputs();
	assert_int_equal(run("run --registry areg.csv --shots ashots.csv --db f.db -q"), 0);
	/* a symbolic link planted at links.csv */
	assert_int_equal(run("run --registry areg.csv --shots ashots.csv --db f.db --out fo -q"), 0);
	snprintf(victim, sizeof(victim), "%s/victim.txt", tmpdir);
	snprintf(link, sizeof(link), "%s/fo/links.csv", tmpdir);
	WRITE("victim.txt", "precious\n");
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(run("run --registry areg.csv --shots ashots.csv --db f.db --out fo -q"),
	                 VS_EXIT_INTERNAL);
	assert_non_null(strstr(out, "fo/links.csv"));
	assert_non_null(strstr(out, "symbolic link"));
	FILE *f = fopen(victim, "r");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_string_equal(buf, "precious\n");
	last_audit("f.db", actor, action, subject, sizeof(actor));
	assert_string_equal(action, "export:failed");
	assert_string_equal(actor, os_user());
	assert_non_null(strstr(subject, "fo/links.csv"));
	/* an output directory under a regular file: refused before the run */
	WRITE("plain", "x");
	assert_int_equal(run("run --registry areg.csv --shots ashots.csv --db f.db --out plain/sub -q"),
	                 VS_EXIT_INTERNAL);
	assert_non_null(strstr(out, "plain/sub"));
	assert_non_null(strstr(out, strerror(ENOTDIR)));
	last_audit("f.db", actor, action, subject, sizeof(actor));
	assert_string_equal(action, "export:failed");
	assert_string_equal(subject, "plain/sub");
	/* no store is created just for the row */
	assert_int_equal(run("run --registry areg.csv --shots ashots.csv --db nostore.db --out plain/sub -q"),
	                 VS_EXIT_INTERNAL);
	assert_false(exists("nostore.db"));
	/* `worklist -o` into a missing directory, and onto a symbolic link */
	assert_int_equal(run("worklist --db f.db --facility F/1 -o nodir/x.csv"), VS_EXIT_INTERNAL);
	assert_non_null(strstr(out, "nodir/x.csv"));
	assert_non_null(strstr(out, strerror(ENOENT)));
	last_audit("f.db", actor, action, subject, sizeof(actor));
	assert_string_equal(action, "export:failed");
	assert_string_equal(actor, os_user());
	assert_int_equal(run("worklist --db f.db --facility F/1 -o fo/links.csv"), VS_EXIT_INTERNAL);
	assert_non_null(strstr(out, "symbolic link"));
	/* disk full */
	if (access("/dev/full", W_OK) == 0) {
		assert_int_equal(run("worklist --db f.db --facility F/1 -o /dev/full"), VS_EXIT_INTERNAL);
		assert_non_null(strstr(out, "/dev/full"));
		assert_non_null(strstr(out, strerror(ENOSPC)));
		assert_int_equal(run("check areg.csv -o /dev/full"), VS_EXIT_INTERNAL);
		assert_non_null(strstr(out, strerror(ENOSPC)));
		assert_int_equal(run("standardize ashots.csv -q -o /dev/full"), VS_EXIT_INTERNAL);
		assert_non_null(strstr(out, strerror(ENOSPC)));
	}
	/* the store says what is wrong with it, not which SQL failed */
	WRITE("bad.db", "this is not a database\n");
	assert_int_equal(run("worklist --db bad.db --facility F/1"), VS_EXIT_INTERNAL);
	assert_non_null(strstr(out, "bad.db"));
	assert_non_null(strstr(out, "not a vaxsync database"));
	assert_null(strstr(out, "PRAGMA"));
}

/* The number of times needle occurs in out. */
static int occurrences(const char *needle)
{
	int n = 0;
	for (const char *p = out; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Reads a file of the temp dir into buf (cap bytes at most, NUL-terminated). */
static void slurp(const char *name, char *buf, size_t cap)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* `link` (and `train`) with a settings file read both files through the
 * engine's reader (issue 10): each rejected row told once with file:line,
 * its field and reason, left out of links.csv, and exit 1; the good rows
 * linked as before. */
static void test_link_generic_rejected_rows(void **state)
{
	(void)state;
	WRITE("people.csv",
	      "pid,surname,first,birth,gender,email\n"
	      "P1,Smith,John,1980-01-02,M,john@example.org\n"
	      "P2,Smith,Jane,1982-03-04,F,jane@example.org\n"
	      "P3,Brown,Alice,1980-01-02,F,alice@example.org\n"
	      "P2,Smyth,Jane,1982-03-04,F,jane@example.org\n"
	      ",Nobody,Nemo,1970-01-01,M,\n"
	      "pid,surname,first,birth,gender,email\n"
	      "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP,X,Y,1990-01-01,M,\n");
	WRITE("visits.csv", "ref,name,born,mail\n"
	                    "V1,John Smith,02/01/1980,john@example.org\n"
	                    "V2,Alice Browne,1980-01-02,alice@example.org\n"
	                    "V1,Other Person,1990-01-01,\n"
	                    "V3,\"Bob Stone,1999-09-09,bob@example.org\n"
	                    "V4,Jane Smith,1982-03-04,jane@example.org\n");
	char args[1024];
	const char *data = getenv("VS_TEST_DATA");
	snprintf(
	    args, sizeof(args),
	    "link --settings '%s/../profiles/people_generic.json' --registry people.csv --shots visits.csv "
	    "--no-train -o gl.csv",
	    data);
	assert_int_equal(run(args), VS_EXIT_DATA);
	assert_non_null(strstr(out, "people.csv:5:1: pid: the id P2 is also on line 3 of this file "
	                            "[CSV_DUPLICATE_RECORD]"));
	assert_non_null(strstr(out, "people.csv:6:1: pid: a record needs a value in its id column pid "
	                            "[CSV_RECORD_KEY_MISSING]"));
	assert_non_null(strstr(out, "people.csv:7: the row repeats the header"));
	assert_non_null(strstr(out, "people.csv:8:1: pid: the id column pid is longer than 63 bytes "
	                            "[CSV_KEY_TOO_LONG]"));
	assert_non_null(strstr(out, "visits.csv:4:1: ref: the id V1 is also on line 2 of this file"));
	assert_non_null(strstr(out, "visits.csv:5:2: "));
	assert_non_null(strstr(out, "[CSV_UNCLOSED_QUOTE]"));
	assert_int_equal(occurrences("rejected row: "), 6);
	assert_non_null(strstr(out, "6 rows rejected (4 of the left file, 2 of the right)"));
	static char buf[4096];
	slurp("gl.csv", buf, sizeof(buf));
	assert_non_null(strstr(buf, "right_ref,left_pid,decision,match_weight,match_probability,reasons\n"
	                            "V1,P1,auto,"));
	assert_non_null(strstr(buf, "\nV2,P3,auto,"));
	assert_non_null(strstr(buf, "\nV4,P2,"));
	assert_null(strstr(buf, "V3"));
	assert_null(strstr(buf, "Other"));
	int lines = 0;
	for (const char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 4);
	/* trained first: the right file is read twice, its rows told once */
	snprintf(
	    args, sizeof(args),
	    "link --settings '%s/../profiles/people_generic.json' --registry people.csv --shots visits.csv "
	    "-o gl2.csv -q",
	    data);
	assert_int_equal(run(args), VS_EXIT_DATA);
	assert_int_equal(occurrences("visits.csv:4:1:"), 1);
	assert_int_equal(occurrences("rejected row: "), 6);
	snprintf(
	    args, sizeof(args),
	    "train --settings '%s/../profiles/people_generic.json' --registry people.csv --shots visits.csv "
	    "-o gm.json -q",
	    data);
	assert_int_equal(run(args), VS_EXIT_DATA);
	assert_int_equal(occurrences("rejected row: "), 6);
	slurp("gm.json", buf, sizeof(buf));
	assert_non_null(strstr(buf, "vaxsync-link-model"));
	/* a header without an id column: refused as check refuses it */
	WRITE("noid.csv", "name,born,mail\nJohn Smith,02/01/1980,\n");
	snprintf(
	    args, sizeof(args),
	    "link --settings '%s/../profiles/people_generic.json' --registry people.csv --shots noid.csv "
	    "--no-train -o gl3.csv -q",
	    data);
	assert_int_equal(run(args), VS_EXIT_DATA);
	assert_non_null(strstr(out, "[CSV_MISSING_COLUMN]"));
	char path[256];
	snprintf(path, sizeof(path), "%s/gl3.csv", tmpdir);
	assert_int_equal(access(path, F_OK), -1);
}

/* The vaccination profile reads the registry and the shots with exactly the
 * rules of `run` and `check`: an invalid citizen id, a conflict (both rows
 * held out of linking), a duplicate shot and a repeated header; `check`
 * reports the same rows. */
static void test_link_vaccination_rejected_rows(void **state)
{
	(void)state;
	static const char hdr[] = "citizen_id,old_id,full_name,dob,sex,province_code,district_code,"
	                          "commune_code,address,phone,household_id,status,death_date\n";
	char reg[2048];
	snprintf(reg, sizeof(reg),
	         "%s001080000001,,Nguyễn Văn An,1980-02-01,M,01,001,00001,,,H1,alive,\n"
	         "00108000000X,,Trần Thị Bích,1985-03-04,F,01,001,00001,,,H2,alive,\n"
	         "001090000002,,Lê Văn Cường,1990-05-06,M,01,001,00001,,,H3,alive,\n"
	         "001090000002,,Phạm Thị Dung,1991-07-08,F,01,001,00001,,,H4,alive,\n",
	         hdr);
	write_file("vreg.csv", reg, strlen(reg));
	WRITE(
	    "vshots.csv",
	    "record_id,facility_code,full_name,dob,sex,id_number,phone,address,vaccine,lot,dose,shot_date\n"
	    "A1,F1,Nguyễn Văn An,01/02/1980,Nam,001080000001,,,Pfizer,L1,1,01/09/2021\n"
	    "A2,F1,Lê Văn Cường,06/05/1990,Nam,001090000002,,,Pfizer,L1,1,01/09/2021\n"
	    "A1,F1,Nguyễn Văn An,01/02/1980,Nam,001080000001,,,Pfizer,L1,2,01/10/2021\n"
	    "record_id,facility_code,full_name,dob,sex,id_number,phone,address,vaccine,lot,dose,shot_date\n");
	assert_int_equal(run("link --registry vreg.csv --shots vshots.csv --no-train -o vl.csv -q"),
	                 VS_EXIT_DATA);
	assert_non_null(strstr(out, "vreg.csv:3:1: citizen_id: the citizen id is not a 12-digit CCCD number "
	                            "[REG_CITIZEN_ID_INVALID]"));
	assert_non_null(strstr(out, "vreg.csv:5:1: citizen_id: "));
	assert_non_null(strstr(out, "[REG_CITIZEN_ID_CONFLICT]"));
	assert_non_null(strstr(out, "vreg.csv: 1 citizen id(s) held out of linking"));
	assert_non_null(strstr(out, "vshots.csv:4:1: record_id: facility F1, record A1 is also on line 2 of "
	                            "this file [CSV_DUPLICATE_RECORD]"));
	assert_non_null(strstr(out, "vshots.csv:5: the row repeats the header"));
	assert_int_equal(occurrences("rejected row: "), 4);
	static char buf[4096];
	slurp("vl.csv", buf, sizeof(buf));
	assert_non_null(strstr(buf, "\nF1,A1,001080000001,auto,"));
	/* the held id links nobody, though A2 carries it */
	assert_non_null(strstr(buf, "\nF1,A2,"));
	assert_null(strstr(buf, "001090000002"));
	int lines = 0;
	for (const char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 3);
	/* check rejects the same shot rows */
	assert_int_equal(run("check vshots.csv"), VS_EXIT_DATA);
	assert_non_null(strstr(out, "vshots.csv:4:1: record_id: facility F1, record A1 is also on line 2"));
	assert_non_null(strstr(out, "vshots.csv:5: the row repeats the header"));
	assert_non_null(strstr(out, "2 records read, 2 rejected"));
}

/* The linker's outputs are written whole through vs_file_out: a symbolic
 * link at links.csv or at the model path is refused (exit 3), its target
 * untouched. */
static void test_link_outputs_safe(void **state)
{
	(void)state;
	write_small_inputs();
	WRITE("keep.txt", "keep");
	char p[256], t[256];
	snprintf(t, sizeof(t), "%s/keep.txt", tmpdir);
	snprintf(p, sizeof(p), "%s/ln.csv", tmpdir);
	assert_int_equal(symlink(t, p), 0);
	snprintf(p, sizeof(p), "%s/lm.json", tmpdir);
	assert_int_equal(symlink(t, p), 0);
	assert_int_equal(run("link --registry areg.csv --shots ashots.csv --no-train -o ln.csv -q"),
	                 VS_EXIT_INTERNAL);
	assert_non_null(strstr(out, "ln.csv"));
	assert_non_null(strstr(out, "symbolic link"));
	assert_int_equal(run("train --registry areg.csv --shots ashots.csv -o lm.json -q"), VS_EXIT_INTERNAL);
	assert_non_null(strstr(out, "lm.json"));
	assert_int_equal(run("link --registry areg.csv --shots ashots.csv --no-train --save-model lm.json "
	                     "-o l.csv -q"),
	                 VS_EXIT_INTERNAL);
	static char buf[64];
	slurp("keep.txt", buf, sizeof(buf));
	assert_string_equal(buf, "keep");
}

/* Messages for people follow --lang, else the locale (Vietnamese unless it
 * is en_*): summaries, errors with a reason code (its title first, the
 * location and [CODE] where they were), usage errors, run's outputs. */
static void test_messages_vietnamese(void **state)
{
	(void)state;
	WRITE("vi.csv", "record_id,facility_code,full_name\n1,F,A\n3,F,\"never closed\n4,F,B\n");
	assert_int_equal(run_in("C.UTF-8", "check vi.csv"), VS_EXIT_DATA);
	assert_non_null(strstr(out,
	                       "vi.csv: danh sách mũi tiêm (tệp CSV), dấu phân cách ',', đọc được 2 bản ghi, "
	                       "1 bị loại"));
	/* the reason's Vietnamese title before the reader's detail; where and code in place */
	assert_non_null(strstr(out, "vaxsync: vi.csv:3:3: Dấu ngoặc kép"));
	assert_non_null(strstr(out,
	                       "trường mở bằng dấu ngoặc kép chưa được đóng khi đã hết tệp; đã bỏ qua dòng "
	                       "này, đọc tiếp từ dòng 4 [CSV_UNCLOSED_QUOTE]\n"));
	assert_int_equal(run_in("en_GB.UTF-8", "check vi.csv --lang vi"), VS_EXIT_DATA);
	assert_non_null(strstr(out, "đọc được 2 bản ghi, 1 bị loại"));
	assert_int_equal(run_in("vi_VN.UTF-8", "check vi.csv --lang en"), VS_EXIT_DATA);
	assert_non_null(strstr(out, "2 records read, 1 rejected"));
	assert_null(strstr(out, "Dấu ngoặc kép"));
	assert_int_equal(run_in("vi_VN.UTF-8", "check vi.csv --bogus"), VS_EXIT_USAGE);
	assert_non_null(strstr(out, "vaxsync check: tùy chọn '--bogus' không hợp lệ hoặc thiếu giá trị"));
	assert_int_equal(run_in("C", "worklist --db none.db --facility F"), VS_EXIT_USAGE);
	assert_non_null(strstr(out, "không có cơ sở dữ liệu ở none.db"));
	assert_int_equal(run_in("C", "run --registry r.csv"), VS_EXIT_USAGE);
	assert_non_null(strstr(out, "vaxsync run: cần có --registry và --shots"));
	assert_int_equal(run_in("C", "frobnicate"), VS_EXIT_USAGE);
	assert_non_null(strstr(out, "vaxsync: không có lệnh 'frobnicate'"));
}

/* The options a help text names (--name and -x tokens), sorted, one per line, into set. */
static void option_set(const char *text, char *set, size_t cap)
{
	char opts[128][40];
	size_t n = 0;
	for (const char *p = text; *p && n < 128; p++) {
		bool word_start = p == text || p[-1] == ' ' || p[-1] == '[' || p[-1] == '(' || p[-1] == '|' ||
		                  p[-1] == '\n' || p[-1] == ',' || p[-1] == '`';
		if (*p != '-' || !word_start || !((p[1] >= 'a' && p[1] <= 'z') || p[1] == '-'))
			continue;
		size_t len = 1;
		while ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= '0' && p[len] <= '9') || p[len] == '-')
			len++;
		if (len < 2 || len >= sizeof(opts[0]) || (p[1] != '-' && len != 2))
			continue;
		memcpy(opts[n], p, len);
		opts[n][len] = '\0';
		size_t k = 0;
		while (k < n && strcmp(opts[k], opts[n]))
			k++;
		n += k == n; /* once each */
	}
	qsort(opts, n, sizeof(opts[0]), (int (*)(const void *, const void *))strcmp);
	size_t o = 0;
	set[0] = '\0';
	for (size_t i = 0; i < n && o + strlen(opts[i]) + 2 < cap; i++)
		o += (size_t)snprintf(set + o, cap - o, "%s\n", opts[i]);
}

/* Every command's --help in Vietnamese (the default) and in English: the
 * same options in both, the Vietnamese not the English; --lang anywhere on
 * the line chooses the help's language; the command list's summaries too. */
static void test_help_both_languages(void **state)
{
	(void)state;
	static const char *const cmds[] = {
	    "generate", "check",    "standardize", "standardize --settings s.json",
	    "train",    "link",     "explain",     "eval",
	    "run",      "worklist", "review",      "serve",
	    "user",     "audit",    "reasons",     "",
	};
	static char en[1 << 16], vi[1 << 16], set_en[4096], set_vi[4096];
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char args[128], head[128];
		snprintf(args, sizeof(args), "%s --help", cmds[i]);
		assert_int_equal(run_in("en_US.UTF-8", args), 0);
		snprintf(en, sizeof(en), "%s", out);
		assert_int_equal(run_in("C.UTF-8", args), 0);
		snprintf(vi, sizeof(vi), "%s", out);
		size_t name = strcspn(cmds[i], " ");
		snprintf(head, sizeof(head), "usage: vaxsync %.*s", (int)name, cmds[i]);
		if (strncmp(en, head, strlen(head)) && cmds[i][0])
			fail_msg("%s: the English help starts with %.80s", cmds[i], en);
		snprintf(head, sizeof(head), "cách dùng: vaxsync %.*s", (int)name, cmds[i]);
		if (strncmp(vi, head, strlen(head)) && cmds[i][0])
			fail_msg("%s: the Vietnamese help starts with %.80s", cmds[i], vi);
		assert_string_not_equal(en, vi);
		option_set(en, set_en, sizeof(set_en));
		option_set(vi, set_vi, sizeof(set_vi));
		if (strcmp(set_en, set_vi))
			fail_msg("%s: options differ:\nEnglish:\n%sVietnamese:\n%s", cmds[i], set_en, set_vi);
		assert_true(strlen(set_en) > 8);
	}
	assert_int_equal(run_in("en_US.UTF-8", "link --help --lang vi"), 0);
	assert_non_null(strstr(out, "cách dùng: vaxsync link"));
	assert_int_equal(run_in("C.UTF-8", "--lang en --help"), 0);
	assert_non_null(strstr(out, "usage: vaxsync <command>"));
	assert_int_equal(run_in("C.UTF-8", "--help"), 0);
	assert_non_null(strstr(out, "Các lệnh:\n  generate     sinh dữ liệu giả lập"));
	assert_non_null(strstr(out, "  reasons      liệt kê mọi mã lý do"));
	/* a usage error prints the help in the reader's language */
	assert_int_equal(run_in("C.UTF-8", "eval --bogus"), VS_EXIT_USAGE);
	assert_non_null(
	    strstr(out, "vaxsync eval: tùy chọn '--bogus' không hợp lệ\ncách dùng: vaxsync eval"));
}

/* `run --out`'s worklists are for people in the --lang language, or the
 * machine layout with --machine-worklists; --no-bom drops the mark. */
static void test_run_worklists_layouts(void **state)
{
	(void)state;
	WRITE("wreg.csv",
	      "citizen_id,old_id,full_name,dob,sex,province_code,district_code,commune_code,address,phone,"
	      "household_id,status,death_date\n"
	      "001080000001,,Nguyễn Văn An,1980-02-01,M,01,001,00001,,,H1,alive,\n");
	WRITE("wshots.csv",
	      "record_id,facility_code,full_name,dob,sex,id_number,phone,address,vaccine,lot,dose,shot_date\n"
	      "A1,F1,Nguyễn Văn An,01/02/1980,Nam,001080000001,,,Pfizer,L1,1,01/09/2021\n"
	      "A2,F1,Trần Thị Bình,01/02/1991,Nữ,,,\"Phúc Xá, Ba Đình, Hà Nội\",Pfizer,L1,1,01/09/2021\n");
	static const struct {
		const char *args, *head, *first, *printed;
	} cases[] = {
	    {"--lang vi", "\xEF\xBB\xBFMã cơ sở tiêm chủng,Mã bản ghi,Loại việc,", "F1,A2,chưa ghép được,",
	     "Danh sách việc cần xử lý: wo/worklists/ (cho cán bộ, bằng tiếng Việt)"},
	    {"--lang en",
	     "\xEF\xBB\xBF"
	     "Facility code,Record id,Category,",
	     "F1,A2,unlinked,", "Worklists: wo/worklists/ (for people, in English)"},
	    {"--lang en --machine-worklists --no-bom",
	     "facility_code,record_id,commune_code,citizen_id,category,reasons,suggestion,evidence\n",
	     "F1,A2,00001,,unlinked,", "Worklists: wo/worklists/ (machine layout)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char args[512], path[256], buf[4096] = {0};
		snprintf(args, sizeof(args),
		         "run --registry wreg.csv --shots wshots.csv --db w.db --out wo -q %s",
		         cases[i].args);
		assert_int_equal(run_in("C.UTF-8", args), 0);
		assert_non_null(strstr(out, cases[i].printed));
		snprintf(path, sizeof(path), "%s/wo/worklists/facility_F1.csv", tmpdir);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
		fclose(f);
		if (strncmp(buf, cases[i].head, strlen(cases[i].head)))
			fail_msg("%s: the list starts with %.120s", cases[i].args, buf);
		assert_non_null(strstr(buf, cases[i].first));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version_help_usage),
	    cmocka_unit_test(test_check_clean_roundtrip),
	    cmocka_unit_test(test_check_malformed),
	    cmocka_unit_test(test_today_option),
	    cmocka_unit_test(test_run_missing_input),
	    cmocka_unit_test(test_run_and_review),
	    cmocka_unit_test(test_audit_actor),
	    cmocka_unit_test(test_failed_export),
	    cmocka_unit_test(test_link_generic_rejected_rows),
	    cmocka_unit_test(test_link_vaccination_rejected_rows),
	    cmocka_unit_test(test_link_outputs_safe),
	    cmocka_unit_test(test_messages_vietnamese),
	    cmocka_unit_test(test_help_both_languages),
	    cmocka_unit_test(test_run_worklists_layouts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

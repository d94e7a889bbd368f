/* test_export.c - the run's output files on a store filled by the test:
 * worklist file names (a reversible encoding: codes that differ never share a
 * file, no shell or control character in a name), the set of lists replacing
 * the previous run's, planted symbolic links refused, failed exports named
 * and audited, modes whatever the umask. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaxsync/csv.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/report.h"

static char tmpdir[64];
static char db[128], out[128], wl[160];

/* Facility codes that collided or were unsafe as file names before. */
static const char *const codes[] = {"A.B", "A/B",  "A_B", "A\\B", "-x",         "a\nb",
                                    "F01", "",     ".",   "..",   "$(touch x)", "Ω",
                                    "A B", "A_5F", "a",   "A",    "x;rm -f",    "'q'"};
#define CODE_COUNT (sizeof(codes) / sizeof(codes[0]))

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_export_XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(db, sizeof(db), "%s/e.db", tmpdir);
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	snprintf(wl, sizeof(wl), "%s/worklists", out);
	return mkdir(out, 0700);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put_item(vs_store *s, int64_t rid, uint8_t kind, const char *facility, const char *commune)
{
	vs_store_worklist_item it;
	memset(&it, 0, sizeof(it));
	it.kind = kind;
	it.rid = rid;
	vs_store_copy(it.facility_code, sizeof(it.facility_code), facility);
	vs_store_copy(it.commune_code, sizeof(it.commune_code), commune);
	snprintf(it.record_id, sizeof(it.record_id), "R%lld", (long long)rid);
	vs_store_copy(it.category, sizeof(it.category), "unlinked");
	vs_store_copy(it.reasons, sizeof(it.reasons), "LINK_NO_CANDIDATE");
	vs_store_copy(it.suggestion, sizeof(it.suggestion), "check");
	assert_int_equal(vs_store_worklist_put(s, &it, NULL), VS_OK);
}

static vs_store *open_store(void)
{
	vs_store *s = NULL;
	vs_error err = {0};
	if (vs_store_open(&s, db, NULL, &err))
		fail_msg("store: %s", err.message);
	return s;
}

static void fill(vs_store *s)
{
	for (size_t i = 0; i < CODE_COUNT; i++)
		put_item(s, (int64_t)i + 1, VS_STORE_WL_FACILITY, codes[i], "00001");
	put_item(s, 100, VS_STORE_WL_COMMUNE, "F01", "00001");
	put_item(s, 101, VS_STORE_WL_COMMUNE, "F01", "0-0.2");
}

/* these tests are about files: the machine layout, whose first column is the code */
static const vs_report_opts machine = {.machine = true};

static void export_ok(vs_store *s)
{
	vs_error err = {0};
	if (vs_pipeline_export_worklists(s, out, &machine, &err))
		fail_msg("export: %s", err.message);
}

static bool exists(const char *dir, const char *name)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static size_t count_entries(const char *dir, const char *prefix)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += !strncmp(e->d_name, prefix, strlen(prefix)) && strcmp(e->d_name, ".") &&
		     strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* The one data row of a list: its facility code (the file holds one item). */
static void only_row(const char *path, char *facility, size_t len)
{
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	assert_int_equal(vs_csv_open(&r, path, NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_string_equal(row.fields[0], "facility_code");
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	/* a worklist is for people: a code like "-x" carries the CSV-injection prefix */
	vs_store_copy(facility, len, row.fields[0] + vs_csv_cell_unprefix(row.fields[0], row.lens[0]));
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_DONE);
	vs_csv_close(r);
}

static void test_names_encode_decode(void **state)
{
	(void)state;
	char name[256], code[64];
	uint8_t kind = 0;
	static const struct {
		uint8_t kind;
		const char *code, *name;
	} cases[] = {
	    {VS_STORE_WL_FACILITY, "A.B", "facility_A_2EB.csv"},
	    {VS_STORE_WL_FACILITY, "A/B", "facility_A_2FB.csv"},
	    {VS_STORE_WL_FACILITY, "A_B", "facility_A_5FB.csv"},
	    {VS_STORE_WL_FACILITY, "-x", "facility__2Dx.csv"},
	    {VS_STORE_WL_FACILITY, "a\nb", "facility_a_0Ab.csv"},
	    {VS_STORE_WL_FACILITY, "", "facility_.csv"},
	    {VS_STORE_WL_COMMUNE, "00001", "commune_00001.csv"},
	    {VS_STORE_WL_FACILITY, "\xCE\xA9", "facility__CE_A9.csv"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = vs_pipeline_worklist_file_name(cases[i].kind, cases[i].code, name, sizeof(name));
		assert_string_equal(name, cases[i].name);
		assert_int_equal(n, strlen(cases[i].name));
		assert_true(vs_pipeline_worklist_file_code(name, &kind, code, sizeof(code)));
		assert_int_equal(kind, cases[i].kind);
		assert_string_equal(code, cases[i].code);
	}
	/* truncated output: NUL-terminated, full length returned */
	assert_int_equal(vs_pipeline_worklist_file_name(VS_STORE_WL_FACILITY, "A.B", name, 5), 18);
	assert_string_equal(name, "faci");
	/* names the encoder never writes are not worklists */
	static const char *const not_ours[] = {"facility_A_B.csv", "facility__46.csv", "facility_a b.csv",
	                                       "facility_F01.txt", "README",           "facility_F01.csv.bak",
	                                       "facility__2d.csv", "commune.csv",      "facility__00.csv",
	                                       "facility_F01",     "other_F01.csv",    ".facility_F01.csv"};
	for (size_t i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++)
		assert_false(vs_pipeline_worklist_file_code(not_ours[i], NULL, code, sizeof(code)));
	/* every byte round-trips, and only safe characters reach a name */
	for (int c = 1; c < 256; c++) {
		char one[2] = {(char)c, 0};
		vs_pipeline_worklist_file_name(VS_STORE_WL_FACILITY, one, name, sizeof(name));
		for (const char *p = name; *p; p++)
			assert_non_null(
			    strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.", *p));
		assert_true(vs_pipeline_worklist_file_code(name, NULL, code, sizeof(code)));
		assert_string_equal(code, one);
	}
}

/* Regression: A.B, A/B and A_B went to one file (two lists lost); "-x" and
 * a newline reached file names. */
static void test_distinct_safe_files(void **state)
{
	(void)state;
	vs_store *s = open_store();
	fill(s);
	mode_t old = umask(0);
	export_ok(s);
	umask(old);
	assert_int_equal(count_entries(wl, "facility_"), CODE_COUNT);
	assert_int_equal(count_entries(wl, "commune_"), 2);
	assert_int_equal(count_entries(wl, "."), 0);  /* no temporaries, no hidden files */
	assert_int_equal(count_entries(out, "."), 0); /* the staging directory is gone */
	bool seen[CODE_COUNT] = {false};
	DIR *d = opendir(wl);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char code[64], path[512], fac[64];
		uint8_t kind = 0;
		assert_true(e->d_name[0] != '-' && e->d_name[0] != '.');
		assert_true(vs_pipeline_worklist_file_code(e->d_name, &kind, code, sizeof(code)));
		snprintf(path, sizeof(path), "%s/%s", wl, e->d_name);
		struct stat st;
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0600); /* umask 0: still owner only */
		if (kind == VS_STORE_WL_COMMUNE)
			continue;
		only_row(path, fac, sizeof(fac));
		assert_string_equal(fac, code);
		for (size_t i = 0; i < CODE_COUNT; i++)
			if (!strcmp(codes[i], code)) {
				assert_false(seen[i]);
				seen[i] = true;
			}
	}
	closedir(d);
	for (size_t i = 0; i < CODE_COUNT; i++)
		assert_true(seen[i]);
	struct stat st;
	assert_int_equal(stat(wl, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	vs_store_close(s);
}

/* Regression: lists of a previous run stayed after their items were resolved. */
static void test_stale_lists_removed(void **state)
{
	(void)state;
	vs_store *s = open_store();
	export_ok(s);
	/* files of an earlier run, and files that are not lists */
	static const char *const keep[] = {"README.txt", "facility_notes.txt", "facility__46.csv", "my.csv"};
	for (size_t i = 0; i < 4; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", wl, keep[i]);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fclose(f);
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/facility_OLD.csv", wl);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/facility_ADIR.csv", wl); /* a directory is not a list */
	assert_int_equal(mkdir(path, 0700), 0);
	/* F01's item is resolved */
	assert_int_equal(vs_store_worklist_clear(s, 7, NULL), VS_OK);
	assert_true(exists(wl, "facility_F01.csv"));
	export_ok(s);
	assert_false(exists(wl, "facility_F01.csv"));
	assert_false(exists(wl, "facility_OLD.csv"));
	assert_true(exists(wl, "facility_A_2EB.csv"));
	assert_true(exists(wl, "facility_ADIR.csv"));
	for (size_t i = 0; i < 4; i++)
		assert_true(exists(wl, keep[i]));
	assert_int_equal(count_entries(wl, "facility_"), CODE_COUNT - 1 + 3);
	/* every item resolved: no list is left */
	for (int64_t rid = 1; rid <= (int64_t)CODE_COUNT; rid++)
		assert_int_equal(vs_store_worklist_clear(s, rid, NULL), VS_OK);
	assert_int_equal(vs_store_worklist_clear(s, 100, NULL), VS_OK);
	assert_int_equal(vs_store_worklist_clear(s, 101, NULL), VS_OK);
	export_ok(s);
	assert_int_equal(count_entries(wl, "commune_"), 0);
	assert_int_equal(count_entries(wl, "facility_"), 3); /* the two non-lists and the directory */
	fill(s);
	export_ok(s);
	vs_store_close(s);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Regression: outputs followed a symbolic link planted at their path. */
static void test_symlinks_refused(void **state)
{
	(void)state;
	vs_store *s = open_store();
	export_ok(s);
	char victim[256], link[512], buf[64];
	vs_error err = {0};
	snprintf(victim, sizeof(victim), "%s/victim.txt", tmpdir);
	write_text(victim, "precious\n");
	/* at a list's name: refused before anything changes */
	snprintf(link, sizeof(link), "%s/facility_F01.csv", wl);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(vs_pipeline_export_worklists(s, out, NULL, &err), VS_ERR_WRITE);
	assert_non_null(strstr(err.message, "facility_F01.csv"));
	read_text(victim, buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
	assert_true(exists(wl, "facility_A_2EB.csv")); /* the old set is intact */
	assert_int_equal(count_entries(out, "."), 0);  /* no staging directory left */
	assert_int_equal(unlink(link), 0);
	/* at links.csv */
	snprintf(link, sizeof(link), "%s/links.csv", out);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(vs_pipeline_export_links(s, link, &err), VS_ERR_WRITE);
	assert_string_equal(err.file, link);
	assert_non_null(strstr(err.message, "symbolic link"));
	read_text(victim, buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
	assert_int_equal(unlink(link), 0);
	/* at a single worklist's path */
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(vs_pipeline_export_worklist(s, VS_STORE_WL_FACILITY, "F01", link, NULL, &err),
	                 VS_ERR_WRITE);
	read_text(victim, buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
	assert_int_equal(unlink(link), 0);
	/* at worklists/ itself */
	char moved[256];
	snprintf(moved, sizeof(moved), "%s/elsewhere", tmpdir);
	assert_int_equal(rename(wl, moved), 0);
	assert_int_equal(symlink(moved, wl), 0);
	assert_int_equal(vs_pipeline_export_worklists(s, out, NULL, &err), VS_ERR_WRITE);
	assert_string_equal(err.file, wl);
	assert_int_equal(unlink(wl), 0);
	assert_int_equal(rename(moved, wl), 0);
	export_ok(s);
	vs_store_close(s);
}

/* Regression: a failed export said "vaxsync: " and nothing else. */
static void test_failed_export_named_and_audited(void **state)
{
	(void)state;
	vs_store *s = open_store();
	char plain[256], under[300], msg[1024];
	vs_error err = {0}, aerr = {0};
	snprintf(plain, sizeof(plain), "%s/plain", tmpdir);
	write_text(plain, "x");
	snprintf(under, sizeof(under), "%s/links.csv", plain);
	assert_int_equal(vs_pipeline_export_links(s, under, &err), VS_ERR_WRITE);
	vs_error_format(&err, msg, sizeof(msg));
	assert_non_null(strstr(msg, under));
	assert_non_null(strstr(msg, strerror(ENOTDIR)));
	assert_int_equal(vs_rc_exit_code(VS_ERR_WRITE), VS_EXIT_INTERNAL);
	assert_int_equal(vs_pipeline_export_worklists(s, plain, NULL, &err), VS_ERR_WRITE);
	assert_string_equal(err.file, plain);
	/* disk full */
	if (access("/dev/full", W_OK) == 0) {
		assert_int_equal(
		    vs_pipeline_export_worklist(s, VS_STORE_WL_FACILITY, "F01", "/dev/full", NULL, &err),
		    VS_ERR_WRITE);
		vs_error_format(&err, msg, sizeof(msg));
		assert_non_null(strstr(msg, "/dev/full"));
		assert_non_null(strstr(msg, strerror(ENOSPC)));
	}
	int64_t before = 0, after = 0;
	assert_int_equal(vs_store_audit_count(s, &before, NULL), VS_OK);
	assert_int_equal(vs_pipeline_audit_export_failed(s, "alice", &err, &aerr), VS_OK);
	assert_int_equal(vs_store_audit_count(s, &after, NULL), VS_OK);
	assert_int_equal(after, before + 1);
	vs_store_close(s);
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(
	                     h, "SELECT actor, action, subject, detail FROM audit ORDER BY seq DESC LIMIT 1",
	                     -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "alice");
	assert_string_equal((const char *)sqlite3_column_text(st, 1), "export:failed");
	assert_string_equal((const char *)sqlite3_column_text(st, 2), err.file);
	assert_non_null(strstr((const char *)sqlite3_column_text(st, 3), strerror(ENOSPC)));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* Regression: links.csv was written in place (a failure left half a file):
 * the old file stays whole until the new one is complete. */
static void test_links_written_whole(void **state)
{
	(void)state;
	vs_store *s = open_store();
	char links[256], buf[64];
	snprintf(links, sizeof(links), "%s/links.csv", out);
	write_text(links, "old\n");
	mode_t old = umask(0);
	assert_int_equal(vs_pipeline_export_links(s, links, NULL), VS_OK);
	umask(old);
	read_text(links, buf, sizeof(buf));
	assert_non_null(strstr(buf, "facility_code,record_id"));
	struct stat st;
	assert_int_equal(stat(links, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(out, ".vaxsync-"), 0);
	vs_store_close(s);
}

/* The header and first row of a list; *bom: it starts with a byte-order mark. */
static void first_rows(const char *name, char (*hdr)[64], char (*row)[256], size_t *ncols, bool *bom)
{
	char path[512], head[4] = {0};
	snprintf(path, sizeof(path), "%s/%s", wl, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	*bom = fread(head, 1, 3, f) == 3 && !memcmp(head, "\xEF\xBB\xBF", 3);
	fclose(f);
	vs_csv_reader *r = NULL;
	vs_csv_row x;
	assert_int_equal(vs_csv_open(&r, path, NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &x, NULL), VS_OK);
	*ncols = x.count;
	for (size_t i = 0; i < x.count && i < 32; i++)
		vs_store_copy(hdr[i], 64, x.fields[i]);
	assert_int_equal(vs_csv_next(r, &x, NULL), VS_OK);
	assert_int_equal(x.count, *ncols);
	for (size_t i = 0; i < x.count && i < 32; i++)
		vs_store_copy(row[i], 256, x.fields[i]);
	vs_csv_close(r);
}

/* `run --out`'s lists are `vaxsync worklist`'s: titles, categories, reason
 * titles and actions in the reader's language, the decision columns on a
 * commune's list, a byte-order mark and neutralized cells; the machine
 * layout stays available, with or without the mark. */
static void test_layouts(void **state)
{
	(void)state;
	vs_store *s = open_store();
	vs_error err = {0};
	char hdr[32][64], row[32][256], actions[512];
	size_t n = 0;
	bool bom = false;
	vs_report_opts vi = {.lang = VS_LANG_VI}, en = {.lang = VS_LANG_EN},
	               raw = {.machine = true, .no_bom = true};
	fill(s);
	assert_int_equal(vs_pipeline_export_worklists(s, out, &vi, &err), VS_OK);
	first_rows("facility_F01.csv", hdr, row, &n, &bom);
	assert_true(bom);
	assert_int_equal(n, 19);
	assert_string_equal(hdr[0], "Mã cơ sở tiêm chủng");
	assert_string_equal(hdr[2], "Loại việc");
	assert_string_equal(hdr[17], "Việc cần làm");
	assert_string_equal(row[0], "F01");
	assert_string_equal(row[2], "chưa ghép được");
	assert_string_equal(row[15], "LINK_NO_CANDIDATE");
	assert_string_equal(row[16], vs_reason_title(VS_R_LINK_NO_CANDIDATE, VS_LANG_VI));
	vs_reason_actions_text("LINK_NO_CANDIDATE", VS_LANG_VI, actions, sizeof(actions));
	assert_true(actions[0] != '\0');
	assert_string_equal(row[17], actions); /* not the stored English "check" */
	first_rows("facility__2Dx.csv", hdr, row, &n, &bom);
	assert_string_equal(row[0], "'-x"); /* CSV injection neutralized */
	first_rows("commune_00001.csv", hdr, row, &n, &bom);
	assert_int_equal(n, 26); /* the decision columns to fill in */
	assert_string_equal(hdr[19], "Quyết định");
	assert_int_equal(vs_pipeline_export_worklists(s, out, &en, &err), VS_OK);
	first_rows("facility_F01.csv", hdr, row, &n, &bom);
	assert_true(bom);
	assert_string_equal(hdr[0], "Facility code");
	assert_string_equal(row[2], "unlinked");
	assert_string_equal(row[16], vs_reason_title(VS_R_LINK_NO_CANDIDATE, VS_LANG_EN));
	assert_int_equal(vs_pipeline_export_worklists(s, out, &raw, &err), VS_OK);
	first_rows("facility_F01.csv", hdr, row, &n, &bom);
	assert_false(bom);
	assert_int_equal(n, 8);
	assert_string_equal(hdr[0], "facility_code");
	assert_string_equal(hdr[6], "suggestion");
	assert_string_equal(row[4], "unlinked");
	assert_string_equal(row[6], "check");
	first_rows("facility__2Dx.csv", hdr, row, &n, &bom);
	assert_string_equal(row[0], "'-x"); /* for a program too */
	vs_store_close(s);
}

/* The evidence for people in Vietnamese: phrases, comparisons and dates
 * translated, values and the row as sent kept, never a cut character. */
static void test_evidence_vi(void **state)
{
	(void)state;
	char text[3 * 1024];
	static const struct {
		const char *en, *vi;
	} cases[] = {
	    {"record: Trần Văn Sơn, born 1970-05-03, id -, commune 06319; vaccine BBIBP-CorV (Sinopharm), "
	     "dose 2, shot 2021-09-15; candidate 033199028523: family=exact(+3.0) dob=day-month-swap(-1.5) "
	     "id=else(-5.8) geo=commune(+5.3) extra=new-level(+1.0); total -16.16; no second candidate",
	     "bản ghi: Trần Văn Sơn, ngày sinh 03/05/1970, số giấy tờ -, mã xã 06319; vắc xin BBIBP-CorV "
	     "(Sinopharm), mũi 2, ngày tiêm 15/09/2021; công dân đề xuất 033199028523: họ=trùng(+3.0) "
	     "ngày sinh=đảo ngày và tháng(-1.5) giấy tờ=khác(-5.8) địa bàn=cùng xã(+5.3) "
	     "extra=new-level(+1.0); "
	     "tổng điểm -16.16; không có người thứ hai"},
	    {"event 089092083257-53eb1209d923b68c; vaccine Sputnik-V (Gam-COVID-Vac); dose 1; shot "
	     "2021-08-04; "
	     "events of this citizen: 3; other reports of dose: 890005/4060: 2022-08-04 Sputnik-V",
	     "mã mũi tiêm 089092083257-53eb1209d923b68c; vắc xin Sputnik-V (Gam-COVID-Vac); mũi 1; ngày tiêm "
	     "04/08/2021; số mũi của công dân: 3; báo cáo khác của mũi này: 890005/4060: 04/08/2022 "
	     "Sputnik-V"},
	    {"vaccine X; dose 1; shot 2021-03-07; posted once as 2021-03-08 from another report of the same "
	     "shot",
	     "vắc xin X; mũi 1; ngày tiêm 07/03/2021; đã ghi nhận một lần với ngày tiêm 08/03/2021 theo một "
	     "báo "
	     "cáo khác của cùng mũi tiêm"},
	    {"candidate -: no candidate", "công dân đề xuất -: không tìm thấy công dân phù hợp"},
	    /* the row as sent stays as sent, dates and words too */
	    {"shots.csv:12:3: bad date; row: 010001,R1,dose 2021-01-02,vaccine ",
	     "shots.csv:12:3: bad date; dòng gửi: 010001,R1,dose 2021-01-02,vaccine "},
	    /* only at the start of a word; dates only as whole words */
	    {"dosed 12021-01-02 2021-01-02x", "dosed 12021-01-02 2021-01-02x"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = vs_engine_evidence_text(cases[i].en, VS_LANG_VI, text, sizeof(text));
		assert_string_equal(text, cases[i].vi);
		assert_int_equal(n, strlen(cases[i].vi));
		vs_engine_evidence_text(cases[i].en, VS_LANG_EN, text, sizeof(text));
		assert_string_equal(text, cases[i].en);
	}
	/* cut to a small buffer: a prefix of the whole, on a character boundary */
	char whole[3 * 1024];
	vs_engine_evidence_text(cases[0].en, VS_LANG_VI, whole, sizeof(whole));
	for (size_t cap = 1; cap < 64; cap++) {
		char small[64];
		size_t n = vs_engine_evidence_text(cases[0].en, VS_LANG_VI, small, cap);
		assert_true(n < cap);
		assert_memory_equal(small, whole, n);
		assert_true(vs_utf8_valid(small, n, NULL));
	}
	assert_int_equal(vs_engine_evidence_text(NULL, VS_LANG_VI, text, sizeof(text)), 0);
	assert_string_equal(text, "");
}

/* Why a row was rejected, as the readers say it (every row message of
 * src/ingest/csv_read.c and src/engine/reader.c that the hostile corpus
 * meets): in Vietnamese on a clerk's worklist, with no English phrase left
 * (two English words in a row would be one) beside the names and numbers. */
static void test_rejected_row_vi(void **state)
{
	(void)state;
	static const struct {
		const char *en, *vi;
	} cases[] = {
	    {"shots.csv:7:2: field count differs from the header [CSV_RAGGED_ROW]; row: a,b",
	     "shots.csv:7:2: số cột khác với dòng tiêu đề [CSV_RAGGED_ROW]; dòng gửi: a,b"},
	    {"s.csv:9:1: record_id: facility F1, record R1 is also on line 3 of this file "
	     "[CSV_DUPLICATE_RECORD]",
	     "s.csv:9:1: record_id: cơ sở F1, bản ghi R1 cũng có ở dòng 3 của tệp này "
	     "[CSV_DUPLICATE_RECORD]"},
	    {"s.csv:4:2: the quote opening field 2 is not closed on its line and the row then has 14 fields, "
	     "not 12; line skipped, reading goes on at line 5 [CSV_STRAY_QUOTE]",
	     "s.csv:4:2: dấu ngoặc kép mở trường thứ 2 không được đóng trên dòng đó, nên dòng có 14 trường "
	     "thay vì 12; đã bỏ qua dòng này, đọc tiếp từ dòng 5 [CSV_STRAY_QUOTE]"},
	    {"s.csv:3:3: quoted field not closed before end of file; row skipped [CSV_UNCLOSED_QUOTE]",
	     "s.csv:3:3: trường mở bằng dấu ngoặc kép chưa được đóng khi đã hết tệp; đã bỏ qua dòng này "
	     "[CSV_UNCLOSED_QUOTE]"},
	    {"s.csv:2:1: record_id: the record id is longer than 64 bytes [CSV_KEY_TOO_LONG]",
	     "s.csv:2:1: record_id: mã bản ghi dài hơn 64 byte [CSV_KEY_TOO_LONG]"},
	    {"s.csv:5: the record's fields hold more than 64 KiB together; not a person's data "
	     "[CSV_ROW_TOO_LONG]",
	     "s.csv:5: các trường của bản ghi cộng lại dài hơn 64 KiB; không phải dữ liệu của một người "
	     "[CSV_ROW_TOO_LONG]"},
	};
	static const char *const more[] = {
	    "facility_code: a record needs a facility code and a record id",
	    "invalid UTF-8 at byte 17 of the row",
	    "invalid UTF-16LE text (a lone surrogate) at byte 4 of the row",
	    "field longer than 65536 bytes; row skipped",
	    "row longer than 1048576 bytes; row skipped",
	    "more than 4096 fields; row skipped",
	    "facility_code: the facility code is longer than 32 bytes",
	    "the row repeats the header (two exports joined?); not a record",
	    "quoted field not closed before end of file; line skipped, reading goes on at line 4",
	    "the quote opening field 3 is not closed within 1048576 bytes; line skipped, reading goes on at "
	    "line 9",
	    "the id X7, 2 is also on row 4 of this file",
	    "the id column person_id is longer than 64 bytes",
	    "a record needs a value in its id column person_id",
	};
	char text[1024];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vs_engine_evidence_text(cases[i].en, VS_LANG_VI, text, sizeof(text));
		assert_string_equal(text, cases[i].vi);
	}
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		vs_engine_evidence_text(more[i], VS_LANG_VI, text, sizeof(text));
		/* two words of 3+ ASCII letters in a row are English left over */
		int run = 0;
		for (const char *p = text; *p;) {
			size_t n = 0;
			while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
				n++;
			bool word =
			    n >= 3 && (p == text || p[-1] == ' ') && (p[n] == ' ' || p[n] == ';' || !p[n]);
			run = word ? run + 1 : (n || (*p != ' ') ? 0 : run);
			if (run >= 2)
				fail_msg("English left in \"%s\": \"%s\"", more[i], text);
			p += n ? n : 1;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_encode_decode),
	    cmocka_unit_test(test_distinct_safe_files),
	    cmocka_unit_test(test_stale_lists_removed),
	    cmocka_unit_test(test_symlinks_refused),
	    cmocka_unit_test(test_failed_export_named_and_audited),
	    cmocka_unit_test(test_links_written_whole),
	    cmocka_unit_test(test_layouts),
	    cmocka_unit_test(test_evidence_vi),
	    cmocka_unit_test(test_rejected_row_vi),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

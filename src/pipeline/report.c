/* report.c - what a run tells its users: the summary (records, decisions,
 * reasons, coverage by province and age group), the worklists and links.csv
 * as CSV files. Everything is read back from the store, so the figures
 * describe the store after the run, whatever earlier runs did. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaxsync/csv.h"
#include "vaxsync/pipeline.h"

const int vs_pipeline_age_lower[VS_PIPELINE_AGE_GROUPS] = {0, 5, 12, 18, 50, 65};

typedef struct reason_acc {
	uint64_t *by_reason;
} reason_acc;

static int add_reasons(void *ud, const char *reasons, int64_t count)
{
	reason_acc *acc = ud;
	const char *p = reasons;
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		vs_reason r = vs_reason_from_name(p, len);
		if (r != VS_R_NONE)
			acc->by_reason[r] += (uint64_t)count;
		p += len;
		if (*p == '|')
			p++;
	}
	return 0;
}

typedef struct cov_acc {
	vs_pipeline_summary *sum;
	int32_t today;
} cov_acc;

static void count_cov(vs_pipeline_coverage *c, int64_t doses)
{
	c->citizens++;
	c->dose1 += doses >= 1;
	c->dose2 += doses >= 2;
	c->dose3 += doses >= 3;
}

static int add_coverage(void *ud, const vs_store_citizen *c, int64_t doses)
{
	cov_acc *acc = ud;
	int prov = -1;
	if (c->province_code[0] >= '0' && c->province_code[0] <= '9' && c->province_code[1] >= '0' &&
	    c->province_code[1] <= '9')
		prov = (c->province_code[0] - '0') * 10 + (c->province_code[1] - '0');
	if (prov >= 0)
		count_cov(&acc->sum->province[prov], doses);
	count_cov(&acc->sum->total, doses);
	if (c->dob_days != VS_STORE_NO_DATE) {
		int y0, m0, d0, y1, m1, d1;
		vs_civil_from_days(c->dob_days, &y0, &m0, &d0);
		vs_civil_from_days(acc->today, &y1, &m1, &d1);
		int age = y1 - y0 - ((m1 < m0 || (m1 == m0 && d1 < d0)) ? 1 : 0);
		int g = 0;
		for (int i = 0; i < VS_PIPELINE_AGE_GROUPS; i++)
			if (age >= vs_pipeline_age_lower[i])
				g = i;
		count_cov(&acc->sum->age[g], doses);
	}
	return 0;
}

vs_rc vs_pipeline_summarize(vs_store *s, int32_t today_days, vs_pipeline_summary *sum, vs_error *err)
{
	vs_rc rc = vs_store_counts_get(s, &sum->counts, err);
	reason_acc acc = {sum->unlinked_by_reason};
	memset(sum->unlinked_by_reason, 0, sizeof(sum->unlinked_by_reason));
	memset(sum->review_by_reason, 0, sizeof(sum->review_by_reason));
	memset(sum->history_by_reason, 0, sizeof(sum->history_by_reason));
	memset(sum->province, 0, sizeof(sum->province));
	memset(sum->age, 0, sizeof(sum->age));
	memset(&sum->total, 0, sizeof(sum->total));
	if (!rc)
		rc = vs_store_reason_counts(s, 0, VS_STORE_LINK_UNLINKED, add_reasons, &acc, err);
	acc.by_reason = sum->review_by_reason;
	if (!rc)
		rc = vs_store_reason_counts(s, 0, VS_STORE_LINK_REVIEW, add_reasons, &acc, err);
	acc.by_reason = sum->history_by_reason;
	if (!rc)
		rc = vs_store_reason_counts(s, 1, 0, add_reasons, &acc, err);
	cov_acc cov = {sum, today_days};
	if (!rc)
		rc = vs_store_coverage(s, add_coverage, &cov, err);
	return rc;
}

static double pct(uint64_t n, uint64_t d)
{
	return d ? 100.0 * (double)n / (double)d : 0.0;
}

/* The summary's words in English and Vietnamese: [0] English, [1] Vietnamese. */
enum {
	S_THIS_RUN,
	S_REGISTRY,
	S_REGISTRY_DETAIL,
	S_RECORDS,
	S_RECORDS_DETAIL,
	S_LINKED,
	S_MODEL,
	S_EM,
	S_VERIFIED,
	S_POSTED,
	S_TIME,
	S_STORE_NOW,
	S_CITIZENS,
	S_CURRENT,
	S_AUTO,
	S_IN_REVIEW,
	S_CONFIRMED,
	S_UNLINKED,
	S_EVENTS,
	S_MERGED,
	S_POSTINGS,
	S_OUTBOX,
	S_ITEMS,
	S_BY_UNLINKED,
	S_BY_REVIEW,
	S_BY_HISTORY,
	S_COV_AGE,
	S_COV_PROVINCE,
	S_ALL,
	S_COUNT
};
static const char *const words[S_COUNT][2] = {
    [S_THIS_RUN] = {"\n== this run\n", "\n== lần chạy này\n"},
    [S_REGISTRY] = {"  registry rows         ", "  dòng dữ liệu dân cư   "},
    [S_REGISTRY_DETAIL] = {"  (changed %llu, bad rows %llu)\n", "  (thay đổi %llu, dòng lỗi %llu)\n"},
    [S_RECORDS] = {"  records in            ", "  bản ghi nhận vào      "},
    [S_RECORDS_DETAIL] = {"  (new %llu, unchanged %llu, corrected %llu, bad rows %llu)\n",
                          "  (mới %llu, không đổi %llu, đã sửa %llu, dòng lỗi %llu)\n"},
    [S_LINKED] = {"  linked                ", "  đã ghép               "},
    [S_MODEL] = {"  (model %s", "  (mô hình %s"},
    [S_EM] = {", trained by EM on %llu records sampled over the whole file",
              ", huấn luyện EM trên %llu bản ghi lấy mẫu khắp tệp"},
    [S_VERIFIED] = {"  citizens verified     ", "  công dân đã kiểm tra  "},
    [S_POSTED] = {"  posted / withdrawn    ", "  ghi nhận / rút lại    "},
    [S_TIME] = {"  time                %10.1f s  (registry %.1f s; shots %.1f s: standardize+store %.1f s, "
                "link %.1f s, overlapping; verify+post %.1f s; summary+exports %.1f s)\n",
                "  thời gian           %10.1f s  (dân cư %.1f s; mũi tiêm %.1f s: chuẩn hóa+lưu %.1f s, "
                "ghép %.1f s, chạy song song; kiểm tra+ghi nhận %.1f s; tổng hợp+xuất tệp %.1f s)\n"},
    [S_STORE_NOW] = {"\n== the store now\n", "\n== cơ sở dữ liệu hiện tại\n"},
    [S_CITIZENS] = {"  citizens              %10lld\n", "  công dân              %10lld\n"},
    [S_CURRENT] = {"  records (current)     %10lld  (%lld earlier versions kept)\n",
                   "  bản ghi (hiện hành)   %10lld  (giữ %lld phiên bản cũ)\n"},
    [S_AUTO] = {"  linked auto           %10lld\n", "  ghép tự động          %10lld\n"},
    [S_IN_REVIEW] = {"  in review (link)      %10lld\n", "  chờ xác nhận (ghép)   %10lld\n"},
    [S_CONFIRMED] = {"  confirmed by people   %10lld\n", "  cán bộ đã xác nhận    %10lld\n"},
    [S_UNLINKED] = {"  unlinked              %10lld\n", "  chưa ghép được        %10lld\n"},
    [S_EVENTS] = {"  events                %10lld  (posted %lld, review %lld, rejected %lld)\n",
                  "  mũi tiêm              %10lld  (ghi nhận %lld, cần xem xét %lld, bị loại %lld)\n"},
    [S_MERGED] = {"  duplicate reports merged %7lld\n", "  báo cáo trùng đã gộp  %10lld\n"},
    [S_POSTINGS] = {"  auto-posted (postings) %9lld\n", "  đã ghi nhận lên CSDL  %10lld\n"},
    [S_OUTBOX] = {"  outbox pending        %10lld\n", "  chờ gửi đi            %10lld\n"},
    [S_ITEMS] = {"  worklist items        %10lld\n", "  việc cần xử lý        %10lld\n"},
    [S_BY_UNLINKED] = {"\n== unlinked by reason", "\n== chưa ghép được, theo lý do"},
    [S_BY_REVIEW] = {"\n== in review by reason", "\n== chờ xác nhận, theo lý do"},
    [S_BY_HISTORY] = {"\n== history problems by reason (records)",
                      "\n== lỗi lịch sử tiêm, theo lý do (bản ghi)"},
    [S_COV_AGE] = {"\n== coverage by age group     citizens   >=1 dose  >=2 doses >=3 doses\n",
                   "\n== độ bao phủ theo nhóm tuổi công dân    >=1 mũi   >=2 mũi   >=3 mũi\n"},
    [S_COV_PROVINCE] = {"\n== coverage by province      citizens   >=1 dose  >=2 doses >=3 doses\n",
                        "\n== độ bao phủ theo tỉnh      công dân    >=1 mũi   >=2 mũi   >=3 mũi\n"},
    [S_ALL] = {"all", "tất cả"},
};

static void print_reasons(FILE *f, const char *title, const uint64_t *by_reason, vs_lang lang)
{
	bool any = false;
	for (unsigned r = 1; r < VS_R_COUNT; r++) {
		if (!by_reason[r])
			continue;
		if (!any)
			fprintf(f, "%s\n", title);
		any = true;
		fprintf(f, "  %-32s %10llu", vs_reason_name((vs_reason)r), (unsigned long long)by_reason[r]);
		if (lang == VS_LANG_VI)
			fprintf(f, "  %s", vs_reason_title((vs_reason)r, lang));
		fputc('\n', f);
	}
}

static void print_cov(FILE *f, const char *label, const vs_pipeline_coverage *c, const char *name)
{
	fprintf(f, "  %-10s %10llu   %6.1f%%   %6.1f%%   %6.1f%%%s%s\n", label,
	        (unsigned long long)c->citizens, pct(c->dose1, c->citizens), pct(c->dose2, c->citizens),
	        pct(c->dose3, c->citizens), name ? "   " : "", name ? name : "");
}

/* Text with printf conversions from the table above (checked by hand: every
 * language's entry has the same conversions). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void vs_pipeline_print_summary_lang(FILE *f, const vs_pipeline_summary *s, vs_lang lang,
                                    const char *const *province_names)
{
	const vs_store_counts *c = &s->counts;
	int l = lang == VS_LANG_VI ? 1 : 0;
	fputs(words[S_THIS_RUN][l], f);
	fprintf(f, "%s%10llu", words[S_REGISTRY][l], (unsigned long long)s->registry_rows);
	fprintf(f, words[S_REGISTRY_DETAIL][l], (unsigned long long)s->registry_changed,
	        (unsigned long long)s->registry_bad_rows);
	fprintf(f, "%s%10llu", words[S_RECORDS][l], (unsigned long long)s->records_in);
	fprintf(f, words[S_RECORDS_DETAIL][l], (unsigned long long)s->records_new,
	        (unsigned long long)s->records_same, (unsigned long long)s->records_corrected,
	        (unsigned long long)s->records_bad_rows);
	fprintf(f, "%s%10llu", words[S_LINKED][l], (unsigned long long)s->linked);
	fprintf(f, words[S_MODEL][l], s->model_version[0] ? s->model_version : "-");
	if (s->model_sample)
		fprintf(f, words[S_EM][l], (unsigned long long)s->model_sample);
	fputs(")\n", f);
	fprintf(f, "%s%10llu\n", words[S_VERIFIED][l], (unsigned long long)s->citizens_verified);
	fprintf(f, "%s%10llu / %llu\n", words[S_POSTED][l], (unsigned long long)s->posted,
	        (unsigned long long)s->withdrawn);
	fprintf(f, words[S_TIME][l], s->seconds_total, s->seconds_registry, s->seconds_shots,
	        s->seconds_ingest, s->seconds_link, s->seconds_verify, s->seconds_report);
	fputs(words[S_STORE_NOW][l], f);
	fprintf(f, words[S_CITIZENS][l], (long long)c->citizens);
	fprintf(f, words[S_CURRENT][l], (long long)c->records, (long long)c->superseded);
	fprintf(f, words[S_AUTO][l], (long long)c->links_auto);
	fprintf(f, words[S_IN_REVIEW][l], (long long)c->links_review);
	fprintf(f, words[S_CONFIRMED][l], (long long)c->links_confirmed);
	fprintf(f, words[S_UNLINKED][l], (long long)c->links_unlinked);
	fprintf(f, words[S_EVENTS][l], (long long)c->events, (long long)c->events_ok,
	        (long long)c->events_review, (long long)c->events_reject);
	fprintf(f, words[S_MERGED][l], (long long)c->reports_merged);
	fprintf(f, words[S_POSTINGS][l], (long long)c->postings);
	fprintf(f, words[S_OUTBOX][l], (long long)c->outbox_pending);
	fprintf(f, words[S_ITEMS][l], (long long)c->worklist_items);
	print_reasons(f, words[S_BY_UNLINKED][l], s->unlinked_by_reason, lang);
	print_reasons(f, words[S_BY_REVIEW][l], s->review_by_reason, lang);
	print_reasons(f, words[S_BY_HISTORY][l], s->history_by_reason, lang);
	fputs(words[S_COV_AGE][l], f);
	static const char *const age_names[VS_PIPELINE_AGE_GROUPS] = {"0-4",   "5-11",  "12-17",
	                                                              "18-49", "50-64", "65+"};
	for (int i = 0; i < VS_PIPELINE_AGE_GROUPS; i++)
		print_cov(f, age_names[i], &s->age[i], NULL);
	print_cov(f, words[S_ALL][l], &s->total, NULL);
	fputs(words[S_COV_PROVINCE][l], f);
	for (int p = 0; p < 100; p++) {
		if (!s->province[p].citizens)
			continue;
		char label[16];
		snprintf(label, sizeof(label), "%02d", p);
		print_cov(f, label, &s->province[p],
		          province_names && province_names[p] && province_names[p][0] ? province_names[p]
		                                                                      : NULL);
	}
}
#pragma GCC diagnostic pop

void vs_pipeline_print_summary(FILE *f, const vs_pipeline_summary *s)
{
	vs_pipeline_print_summary_lang(f, s, VS_LANG_EN, NULL);
}

/* ---- CSV exports ----
 * The worklists' rows are report.h's (vs_report_csv_*): the same columns and
 * texts as `vaxsync worklist`, or its machine layout. */

typedef struct wl_out {
	vs_csv_writer *w;
	vs_report_csv rows; /* the list being written */
	const vs_report_opts *layout;
	uint64_t count;
	vs_rc rc;
	vs_store *s;
	/* per-code files */
	int dir_fd;       /* the staging directory */
	const char *wdir; /* DIR/worklists, for messages */
	uint8_t kind;
	char code[sizeof(((vs_store_worklist_item *)0)->facility_code)];
	vs_error *err;
} wl_out;

static int wl_row(void *ud, const vs_store_worklist_item *it)
{
	wl_out *o = ud;
	o->rc = vs_report_csv_item(&o->rows, it, o->err);
	o->count++;
	return o->rc != VS_OK;
}

/* Ends a writer: committed when everything went well (a write error is named
 * by the commit), else discarded so no half file appears. */
static vs_rc end_writer(vs_csv_writer *w, vs_rc rc, vs_error *err)
{
	if (rc == VS_OK || rc == VS_ERR_WRITE) {
		vs_rc crc = vs_csv_writer_commit(w, err);
		return rc ? rc : crc;
	}
	vs_csv_writer_abort(w);
	return rc;
}

vs_rc vs_pipeline_export_worklist(vs_store *s, uint8_t kind, const char *code, const char *path,
                                  uint64_t *rows, vs_error *err)
{
	static const vs_report_opts machine = {.machine = true};
	wl_out o = {.err = err};
	vs_rc rc = vs_csv_writer_open(&o.w, path, err);
	if (rc)
		return rc;
	rc = vs_report_csv_begin(&o.rows, o.w, s, kind, &machine, err);
	if (!rc) {
		rc = vs_store_worklist(s, kind, code, wl_row, &o, err);
		if (rc == VS_DONE)
			rc = o.rc;
	}
	rc = end_writer(o.w, rc, err);
	if (rows)
		*rows = o.count;
	return rc;
}

/* ---- worklist file names ----
 * PREFIX_ENC.csv: ENC keeps [A-Za-z0-9] and writes every other byte as _XX
 * (upper-case hex), so different codes never share a name, a name never
 * starts with '-' or '.', and no shell or control character reaches it. */

static const char *wl_prefix(uint8_t kind)
{
	return kind == VS_STORE_WL_COMMUNE ? "commune" : "facility";
}

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static void put_name(char *out, size_t out_len, size_t *n, char c)
{
	if (*n + 1 < out_len)
		out[*n] = c;
	++*n;
}

size_t vs_pipeline_worklist_file_name(uint8_t kind, const char *code, char *out, size_t out_len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const char *p = wl_prefix(kind); *p; p++)
		put_name(out, out_len, &n, *p);
	put_name(out, out_len, &n, '_');
	for (const unsigned char *p = (const unsigned char *)code; *p; p++) {
		if (is_alnum(*p)) {
			put_name(out, out_len, &n, (char)*p);
			continue;
		}
		put_name(out, out_len, &n, '_');
		put_name(out, out_len, &n, hex[*p >> 4]);
		put_name(out, out_len, &n, hex[*p & 15]);
	}
	for (const char *p = ".csv"; *p; p++)
		put_name(out, out_len, &n, *p);
	if (out_len)
		out[n < out_len ? n : out_len - 1] = '\0';
	return n;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool vs_pipeline_worklist_file_code(const char *name, uint8_t *kind, char *code, size_t code_len)
{
	static const uint8_t kinds[] = {VS_STORE_WL_FACILITY, VS_STORE_WL_COMMUNE};
	for (size_t i = 0; i < 2; i++) {
		const char *prefix = wl_prefix(kinds[i]);
		size_t plen = strlen(prefix), len = strlen(name);
		if (len < plen + 5 || strncmp(name, prefix, plen) || name[plen] != '_' ||
		    strcmp(name + len - 4, ".csv"))
			continue;
		size_t k = 0;
		for (const char *p = name + plen + 1, *end = name + len - 4; p < end;) {
			int c;
			if (is_alnum((unsigned char)*p)) {
				c = (unsigned char)*p++;
			} else if (*p == '_' && end - p >= 3 && hex_digit(p[1]) >= 0 &&
			           hex_digit(p[2]) >= 0) {
				c = hex_digit(p[1]) * 16 + hex_digit(p[2]);
				p += 3;
				if (c == 0 || is_alnum((unsigned char)c))
					return false; /* not what the encoder writes: not ours */
			} else {
				return false;
			}
			if (k + 1 >= code_len)
				return false;
			code[k++] = (char)c;
		}
		code[k] = '\0';
		if (kind)
			*kind = kinds[i];
		return true;
	}
	return false;
}

static int wl_split(void *ud, const vs_store_worklist_item *it)
{
	wl_out *o = ud;
	const char *code = o->kind == VS_STORE_WL_COMMUNE ? it->commune_code : it->facility_code;
	if (!o->w || strcmp(code, o->code)) {
		char name[256], path[4096 + 256];
		if (o->w) {
			o->rc = vs_csv_writer_commit(o->w, o->err);
			o->w = NULL;
			if (o->rc)
				return 1;
		}
		if (vs_pipeline_worklist_file_name(o->kind, code, name, sizeof(name)) >= sizeof(name)) {
			o->rc = vs_error_set(o->err, VS_ERR_LIMIT, o->wdir, 0, 0, NULL,
			                     "worklist code too long for a file name: %.40s...", code);
			return 1;
		}
		vs_store_copy(o->code, sizeof(o->code), code);
		snprintf(path, sizeof(path), "%s/%s", o->wdir, name);
		if ((o->rc = vs_csv_writer_open_at(&o->w, o->dir_fd, name, path, o->err)))
			return 1;
		if ((o->rc = vs_report_csv_begin(&o->rows, o->w, o->s, o->kind, o->layout, o->err)))
			return 1;
	}
	return wl_row(o, it);
}

static vs_rc dir_error(vs_error *err, const char *path, const char *what)
{
	return vs_error_set(err, VS_ERR_WRITE, path, 0, 0, NULL, "%s: %s", what, strerror(errno));
}

/* Opens (creating, mode 0700 whatever the umask) DIR/name, refusing a
 * symbolic link there. */
static vs_rc open_subdir(int parent, const char *name, const char *path, int *fd, vs_error *err)
{
	bool made = mkdirat(parent, name, 0700) == 0;
	if (!made && errno != EEXIST)
		return dir_error(err, path, "cannot create the directory");
	*fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return errno == ELOOP || errno == ENOTDIR
		           ? vs_error_set(err, VS_ERR_WRITE, path, 0, 0, NULL,
		                          "refused: not a directory (a symbolic link or a file)")
		           : dir_error(err, path, "cannot open the directory");
	if (made && fchmod(*fd, 0700) != 0)
		return dir_error(err, path, "cannot set the directory's mode");
	return VS_OK;
}

/* Calls fn(name) for every entry of dir_fd that is a regular file (not
 * followed) named by the worklist scheme; stops at the first non-zero. */
static int each_list(int dir_fd, int (*fn)(void *ud, const char *name), void *ud)
{
	int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0), r = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(d);
	char code[256];
	struct stat st;
	for (struct dirent *e; !r && (e = readdir(d)) != NULL;)
		if (vs_pipeline_worklist_file_code(e->d_name, NULL, code, sizeof(code)) &&
		    fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			r = fn(ud, e->d_name);
	closedir(d);
	return r;
}

typedef struct swap {
	int stage, wl;
	const char *wdir;
	vs_error *err;
	vs_rc rc;
	size_t done; /* entries removed or moved by this pass */
} swap;

/* Runs a pass that removes entries from the directory it reads until a pass
 * finds nothing more: readdir may miss entries while the directory changes. */
static int each_list_until_done(int dir_fd, int (*fn)(void *ud, const char *name), swap *sw)
{
	int r;
	do {
		sw->done = 0;
		r = each_list(dir_fd, fn, sw);
	} while (!r && sw->done);
	return r;
}

/* a new list may replace only a regular file (never a link or a directory) */
static int check_target(void *ud, const char *name)
{
	swap *sw = ud;
	struct stat st;
	if (fstatat(sw->wl, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISREG(st.st_mode))
		return 0;
	sw->rc = vs_error_set(sw->err, VS_ERR_WRITE, sw->wdir, 0, 0, NULL,
	                      "refused to replace %s: not a regular file (a symbolic link?)", name);
	return 1;
}

/* a list of the previous run that this run did not write */
static int drop_stale(void *ud, const char *name)
{
	swap *sw = ud;
	struct stat st;
	if (fstatat(sw->stage, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
		return 0;
	if (unlinkat(sw->wl, name, 0) != 0) {
		sw->rc = vs_error_set(sw->err, VS_ERR_WRITE, sw->wdir, 0, 0, NULL,
		                      "cannot remove the old list %s: %s", name, strerror(errno));
		return 1;
	}
	sw->done++;
	return 0;
}

static int move_in(void *ud, const char *name)
{
	swap *sw = ud;
	if (renameat(sw->stage, name, sw->wl, name) == 0) {
		sw->done++;
		return 0;
	}
	sw->rc = vs_error_set(sw->err, VS_ERR_WRITE, sw->wdir, 0, 0, NULL, "cannot put %s in place: %s", name,
	                      strerror(errno));
	return 1;
}

static int drop(void *ud, const char *name)
{
	swap *sw = ud;
	sw->done += unlinkat(sw->stage, name, 0) == 0;
	return 0;
}

/* Removes the staging directory: only the lists and temporaries we made. */
static void remove_stage(int parent, const char *stage_name, int stage)
{
	if (stage >= 0) {
		swap sw = {.stage = stage};
		each_list_until_done(stage, drop, &sw);
		int fd = fcntl(stage, F_DUPFD_CLOEXEC, 0);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		for (struct dirent *e; d && (e = readdir(d)) != NULL;)
			if (!strncmp(e->d_name, ".vaxsync-", 9))
				unlinkat(stage, e->d_name, 0);
		if (d)
			closedir(d);
		else if (fd >= 0)
			close(fd);
		close(stage);
	}
	if (stage_name[0])
		unlinkat(parent, stage_name, AT_REMOVEDIR);
}

/* Writes every list of the store into the staging directory. */
static vs_rc write_lists(vs_store *s, int stage, const char *wdir, const vs_report_opts *layout,
                         vs_error *err)
{
	static const uint8_t kinds[] = {VS_STORE_WL_FACILITY, VS_STORE_WL_COMMUNE};
	for (size_t i = 0; i < 2; i++) {
		wl_out o = {
		    .s = s, .layout = layout, .dir_fd = stage, .wdir = wdir, .kind = kinds[i], .err = err};
		vs_rc rc = vs_store_worklist(s, kinds[i], NULL, wl_split, &o, err);
		if (rc == VS_DONE)
			rc = o.rc;
		if ((rc = end_writer(o.w, rc, err)))
			return rc;
	}
	return VS_OK;
}

vs_rc vs_pipeline_export_worklists(vs_store *s, const char *dir, const vs_report_opts *layout, vs_error *err)
{
	vs_report_opts people = {.lang = vs_lang_default()};
	if (!layout)
		layout = &people;
	vs_rc rc = VS_OK;
	int out = -1, wl = -1, stage = -1;
	char wdir[4096], stage_name[64] = "", stage_path[4200];
	snprintf(wdir, sizeof(wdir), "%s/worklists", dir);
	/* DIR is the caller's (followed if a link); worklists/ and the staging
	 * directory are ours and never followed */
	if ((out = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = dir_error(err, dir, "cannot open the output directory");
		goto out;
	}
	if ((rc = open_subdir(out, "worklists", wdir, &wl, err)))
		goto out;
	for (unsigned i = 0; i < 64 && stage < 0; i++) {
		uint64_t seed[2] = {vs_now_ns(), (uint64_t)getpid() * 64 + i};
		snprintf(stage_name, sizeof(stage_name), ".worklists-%016llx",
		         (unsigned long long)vs_hash_fnv1a(seed, sizeof(seed)));
		snprintf(stage_path, sizeof(stage_path), "%s/%s", dir, stage_name);
		if (mkdirat(out, stage_name, 0700) != 0) {
			stage_name[0] = '\0';
			if (errno == EEXIST)
				continue;
			rc = dir_error(err, stage_path, "cannot create the staging directory");
			goto out;
		}
		if ((stage = openat(out, stage_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			rc = dir_error(err, stage_path, "cannot open the staging directory");
			goto out;
		}
	}
	if (stage < 0) {
		rc = vs_error_set(err, VS_ERR_WRITE, dir, 0, 0, NULL, "cannot create a staging directory");
		goto out;
	}
	if ((rc = write_lists(s, stage, wdir, layout, err)))
		goto out;
	/* the new set replaces the old one: refuse before changing anything,
	 * then drop the lists this run did not write, then move the new ones in */
	swap sw = {stage, wl, wdir, err, VS_OK, 0};
	int r = each_list(stage, check_target, &sw);
	if (!r)
		r = each_list_until_done(wl, drop_stale, &sw);
	if (!r)
		r = each_list_until_done(stage, move_in, &sw);
	if (r) {
		rc = sw.rc ? sw.rc : dir_error(err, wdir, "cannot list the directory");
		goto out;
	}
	if (fsync(wl) != 0 && errno != EINVAL)
		rc = dir_error(err, wdir, "cannot sync the directory");
out:
	remove_stage(out, stage_name, stage);
	if (wl >= 0)
		close(wl);
	if (out >= 0)
		close(out);
	return rc;
}

vs_rc vs_pipeline_audit_export_failed(vs_store *s, const char *actor, const vs_error *failure, vs_error *err)
{
	char detail[1024];
	vs_error_format(failure, detail, sizeof(detail));
	return vs_store_audit(s, actor && actor[0] ? actor : "unknown", "export:failed", failure->file,
	                      detail, err);
}

static const char *decision_name(uint8_t d)
{
	return d == VS_STORE_LINK_AUTO ? "auto" : d == VS_STORE_LINK_REVIEW ? "review" : "unlinked";
}

typedef struct links_out {
	vs_csv_writer *w;
	vs_rc rc;
} links_out;

static int link_row(void *ud, const vs_store_link_row *r)
{
	links_out *o = ud;
	char wt[32], pr[32];
	snprintf(wt, sizeof(wt), "%.3f", r->weight);
	snprintf(pr, sizeof(pr), "%.6f", r->probability);
	const char *f[] = {r->facility_code, r->record_id, r->citizen_id, decision_name(r->decision), wt, pr,
	                   r->reasons};
	o->rc = vs_csv_write_row(o->w, f, NULL, 7);
	return o->rc != VS_OK;
}

vs_rc vs_pipeline_export_links(vs_store *s, const char *path, vs_error *err)
{
	static const char *const header[] = {"facility_code", "record_id",         "citizen_id", "decision",
	                                     "match_weight",  "match_probability", "reasons"};
	links_out o = {0};
	vs_rc rc = vs_csv_writer_open(&o.w, path, err);
	if (rc)
		return rc;
	rc = vs_csv_write_row(o.w, header, NULL, 7);
	if (!rc) {
		rc = vs_store_current_links(s, link_row, &o, err);
		if (rc == VS_DONE)
			rc = o.rc;
	}
	return end_writer(o.w, rc, err);
}

/* eval.c - `vaxsync eval`: links.csv against the generator's truth.csv, and
 * the naive baseline (typed ID exactly a 12-digit citizen_id and the same
 * birth year: what the old system could post) beside it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "vaxsync/csv.h"
#include "vaxsync/linkfiles.h"

/* string -> value map (open addressing over an arena) */
typedef struct smap {
	vs_arena arena;
	const char **key;
	const char **val;
	const char **val2;
	size_t cap, count;
} smap;

static vs_rc smap_init(smap *m)
{
	vs_arena_init(&m->arena, 1u << 20);
	m->cap = 1u << 16;
	m->key = vs_calloc(m->cap, sizeof *m->key);
	m->val = vs_calloc(m->cap, sizeof *m->val);
	m->val2 = vs_calloc(m->cap, sizeof *m->val2);
	return m->key && m->val && m->val2 ? VS_OK : VS_ERR_NOMEM;
}

static void smap_free(smap *m)
{
	vs_arena_free(&m->arena);
	vs_free(m->key);
	vs_free(m->val);
	vs_free(m->val2);
}

static size_t smap_slot(const smap *m, const char *k)
{
	uint64_t h = vs_hash_fnv1a(k, strlen(k));
	size_t i = (size_t)(h ^ h >> 32) & (m->cap - 1); /* FNV-1a's high bits are its better mixed */
	while (m->key[i] && strcmp(m->key[i], k))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static vs_rc smap_put(smap *m, const char *k, const char *v, const char *v2)
{
	if ((m->count + 1) * 2 > m->cap) {
		smap n = *m;
		n.cap = m->cap * 2;
		n.key = vs_calloc(n.cap, sizeof *n.key);
		n.val = vs_calloc(n.cap, sizeof *n.val);
		n.val2 = vs_calloc(n.cap, sizeof *n.val2);
		if (!n.key || !n.val || !n.val2) {
			vs_free(n.key);
			vs_free(n.val);
			vs_free(n.val2);
			return VS_ERR_NOMEM;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->key[i])
				continue;
			size_t j = smap_slot(&n, m->key[i]);
			n.key[j] = m->key[i];
			n.val[j] = m->val[i];
			n.val2[j] = m->val2[i];
		}
		vs_free(m->key);
		vs_free(m->val);
		vs_free(m->val2);
		m->key = n.key;
		m->val = n.val;
		m->val2 = n.val2;
		m->cap = n.cap;
	}
	size_t i = smap_slot(m, k);
	if (!m->key[i]) {
		m->key[i] = vs_arena_strndup(&m->arena, k, strlen(k));
		m->count++;
	}
	m->val[i] = vs_arena_strndup(&m->arena, v, strlen(v));
	m->val2[i] = v2 ? vs_arena_strndup(&m->arena, v2, strlen(v2)) : "";
	return m->key[i] && m->val[i] && m->val2[i] ? VS_OK : VS_ERR_NOMEM;
}

static size_t smap_get(const smap *m, const char *k)
{
	size_t i = smap_slot(m, k);
	return m->key[i] ? i : (size_t)-1;
}

typedef struct colmap {
	const char *name;
	int idx;
} colmap;

static vs_rc open_csv(const char *path, vs_csv_reader **rd, colmap *cols, size_t ncols, vs_error *err)
{
	vs_csv_row h;
	vs_rc rc = vs_csv_open(rd, path, NULL, err);
	if (rc)
		return rc;
	if ((rc = vs_csv_next(*rd, &h, err)))
		return rc == VS_DONE ? vs_error_set(err, VS_ERR_PARSE, path, 1, 0, NULL, "empty file") : rc;
	for (size_t c = 0; c < ncols; c++) {
		cols[c].idx = -1;
		for (size_t i = 0; i < h.count; i++)
			if (!strcmp(h.fields[i], cols[c].name))
				cols[c].idx = (int)i;
		if (cols[c].idx < 0)
			return vs_error_set(err, VS_ERR_PARSE, path, 1, 0, cols[c].name, "missing column");
	}
	return VS_OK;
}

static const char *fld(const vs_csv_row *r, const colmap *c)
{
	return (size_t)c->idx < r->count ? r->fields[c->idx] : "";
}

#define MAX_TAGS 96

typedef struct tagstat {
	char name[40];
	uint64_t n, false_auto, miss_auto, miss_all;
} tagstat;

typedef struct method {
	uint64_t n, in_reg, not_in_reg, autos, auto_ok, reviews, review_ok, auto_nonreg;
	uint64_t hard_n, hard_auto, hard_auto_ok; /* ID missing / damaged / old / relative */
	tagstat tags[MAX_TAGS];
	size_t ntags;
} method;

/* Every tag of a missing, damaged, old or relative's ID (issue 12's "ID-defect records"): a number
 * that is no citizen ID (an insurance card, a passport), one of the wrong length and one with a letter
 * for a digit are damaged too. */
static const char *const hard_tags[] = {
    "ID_MISSING",     "ID_OLD_CMND",       "ID_RELATIVE",    "ID_LEADING_ZERO_LOST", "ID_SCIENTIFIC",
    "ID_DIGIT_WRONG", "ID_DIGITS_SWAPPED", "ID_NOT_CITIZEN", "ID_LENGTH_WRONG",      "ID_LETTER_FOR_DIGIT"};

static bool is_hard(const char *tags)
{
	for (size_t i = 0; i < sizeof hard_tags / sizeof hard_tags[0]; i++) {
		const char *p = strstr(tags, hard_tags[i]);
		size_t l = strlen(hard_tags[i]);
		while (p) {
			if ((p == tags || p[-1] == '|') && (p[l] == 0 || p[l] == '|'))
				return true;
			p = strstr(p + 1, hard_tags[i]);
		}
	}
	return false;
}

static tagstat *tag_of(method *m, const char *name, size_t len)
{
	for (size_t i = 0; i < m->ntags; i++)
		if (strlen(m->tags[i].name) == len && !memcmp(m->tags[i].name, name, len))
			return &m->tags[i];
	if (m->ntags == MAX_TAGS || len >= sizeof m->tags[0].name)
		return NULL;
	tagstat *t = &m->tags[m->ntags++];
	memcpy(t->name, name, len);
	t->name[len] = 0;
	return t;
}

/* one record: truth citizen tc (empty: not in the registry), decision d, linked citizen lc */
static void count(method *m, const char *tc, const char *tags, vs_link_decision d, const char *lc)
{
	bool reg = *tc != 0;
	bool ok = reg && *lc && !strcmp(tc, lc);
	bool hard = reg && is_hard(tags);
	m->n++;
	m->in_reg += reg;
	m->not_in_reg += !reg;
	if (d == VS_LINK_AUTO) {
		m->autos++;
		m->auto_ok += ok;
		m->auto_nonreg += !reg;
	} else if (d == VS_LINK_REVIEW) {
		m->reviews++;
		m->review_ok += ok;
	}
	if (hard) {
		m->hard_n++;
		m->hard_auto += d == VS_LINK_AUTO;
		m->hard_auto_ok += d == VS_LINK_AUTO && ok;
	}
	bool false_auto = d == VS_LINK_AUTO && !ok;
	bool miss_auto = reg && !(d == VS_LINK_AUTO && ok);
	bool miss_all = reg && !(d != VS_LINK_UNLINKED && ok);
	const char *p = tags;
	while (*p) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		tagstat *t = len ? tag_of(m, p, len) : NULL;
		if (t) {
			t->n++;
			t->false_auto += false_auto;
			t->miss_auto += miss_auto;
			t->miss_all += miss_all;
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (!reg) {
		tagstat *t = tag_of(m, "(not in registry)", 17);
		if (t) {
			t->n++;
			t->false_auto += false_auto;
		}
	}
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

/* The report's words in Vietnamese, keyed by the English text (a printf
 * format), as the front end's messages are (src/cli/cli_text.c): a call site
 * reads as the English and format_arg lets the compiler check its arguments
 * against it; both have the same conversions in the same order (test_link
 * checks). Scripts that read the report ask for English (--lang en). */
static const struct {
	const char *en, *vi;
} eval_vi[] = {
    {"%s\n  records %llu (in registry %llu, not in registry %llu)\n"
     "  auto precision   %8.4f %%  (%llu of %llu auto links correct)\n"
     "  auto recall      %8.4f %%\n"
     "  review share     %8.4f %%  (%llu)\n"
     "  overall precision %7.4f %%  recall %.4f %%  F1 %.4f %%  (auto + review counted as linked)\n"
     "  ID missing/damaged/old/relative: %llu records, auto recall %.4f %%, auto precision %.4f %%\n"
     "  not in registry auto-linked %.4f %% (%llu)\n",
     "%s\n  bản ghi %llu (có trong dữ liệu dân cư %llu, không có %llu)\n"
     "  độ chính xác của ghép tự động %8.4f %%  (%llu trong %llu liên kết tự động là đúng)\n"
     "  độ phủ của ghép tự động       %8.4f %%\n"
     "  tỉ lệ cần xem xét             %8.4f %%  (%llu)\n"
     "  độ chính xác chung %7.4f %%  độ phủ %.4f %%  F1 %.4f %%  (tự động và cần xem xét đều tính là đã "
     "ghép)\n"
     "  số định danh thiếu/hỏng/cũ/của người thân: %llu bản ghi, độ phủ tự động %.4f %%, độ chính xác tự "
     "động %.4f %%\n"
     "  người không có trong dữ liệu dân cư bị ghép tự động %.4f %% (%llu)\n"},
    {"error tag", "mã lỗi"},
    {"records", "bản ghi"},
    {"false auto", "tự động sai"},
    {"not auto", "chưa tự động"},
    {"missed", "bỏ sót"},
    {"(not in registry)", "(không có trong dữ liệu dân cư)"},
    {"vaxsync link", "vaxsync link (ghép bản ghi)"},
    {"  (%llu links rows not in truth were ignored)\n",
     "  (bỏ qua %llu dòng kết quả ghép không có trong dữ liệu đúng)\n"},
    {"\nnaive baseline (typed ID exactly a 12-digit citizen_id and the same birth year)",
     "\ncách so đơn giản (số định danh gõ đúng 12 chữ số của một công dân và cùng năm sinh)"},
    {"vaxsync link (pairs)\n  true pairs %llu\n"
     "  auto:          %llu links, %llu correct  precision %8.4f %%  recall %8.4f %%  F1 %.4f %%\n"
     "  auto + review: %llu links, %llu correct  precision %8.4f %%  recall %8.4f %%  F1 %.4f %%\n"
     "  true pairs not auto-linked %llu, not linked at all %llu\n",
     "vaxsync link (các cặp)\n  cặp đúng %llu\n"
     "  tự động:              %llu liên kết, %llu đúng  độ chính xác %8.4f %%  độ phủ %8.4f %%  F1 %.4f %%\n"
     "  tự động + cần xem xét: %llu liên kết, %llu đúng  độ chính xác %8.4f %%  độ phủ %8.4f %%  F1 "
     "%.4f %%\n"
     "  cặp đúng không được ghép tự động %llu, hoàn toàn không được ghép %llu\n"},
    {"  (%llu malformed rows skipped)\n", "  (bỏ qua %llu dòng hỏng)\n"},
    {"vaxsync link (deduplication, pairs within clusters)\n  records %zu\n"
     "  true pairs %llu, pairs in clusters %llu, correct %llu\n"
     "  precision %8.4f %%  recall %8.4f %%  F1 %.4f %%\n",
     "vaxsync link (khử trùng lặp, các cặp trong cùng một cụm)\n  bản ghi %zu\n"
     "  cặp đúng %llu, cặp trong các cụm %llu, đúng %llu\n"
     "  độ chính xác %8.4f %%  độ phủ %8.4f %%  F1 %.4f %%\n"},
    {"  (%llu records not in truth, %llu malformed rows skipped)\n",
     "  (%llu bản ghi không có trong dữ liệu đúng, bỏ qua %llu dòng hỏng)\n"},
};

/* en in lang: the Vietnamese of the table, en itself in English or when missing */
static const char *tr(vs_lang lang, const char *en) __attribute__((format_arg(2)));
static const char *tr(vs_lang lang, const char *en)
{
	if (lang == VS_LANG_EN)
		return en;
	for (size_t i = 0; i < sizeof eval_vi / sizeof eval_vi[0]; i++)
		if (!strcmp(eval_vi[i].en, en))
			return eval_vi[i].vi;
	return en;
}

size_t vs_link_eval_text_count(void)
{
	return sizeof eval_vi / sizeof eval_vi[0];
}

bool vs_link_eval_text(size_t i, const char **en, const char **vi)
{
	if (i >= sizeof eval_vi / sizeof eval_vi[0])
		return false;
	*en = eval_vi[i].en;
	*vi = eval_vi[i].vi;
	return true;
}

static vs_rc report(vs_buf *out, const char *title, const method *m, vs_lang lang)
{
	uint64_t linked = m->autos + m->reviews, linked_ok = m->auto_ok + m->review_ok;
	double p = pct(linked_ok, linked), r = pct(linked_ok, m->in_reg);
	double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
	vs_rc rc = vs_buf_printf(
	    out,
	    tr(lang,
	       "%s\n  records %llu (in registry %llu, not in registry %llu)\n"
	       "  auto precision   %8.4f %%  (%llu of %llu auto links correct)\n"
	       "  auto recall      %8.4f %%\n"
	       "  review share     %8.4f %%  (%llu)\n"
	       "  overall precision %7.4f %%  recall %.4f %%  F1 %.4f %%  (auto + review counted as linked)\n"
	       "  ID missing/damaged/old/relative: %llu records, auto recall %.4f %%, auto precision %.4f "
	       "%%\n"
	       "  not in registry auto-linked %.4f %% (%llu)\n"),
	    title, (unsigned long long)m->n, (unsigned long long)m->in_reg, (unsigned long long)m->not_in_reg,
	    pct(m->auto_ok, m->autos), (unsigned long long)m->auto_ok, (unsigned long long)m->autos,
	    pct(m->auto_ok, m->in_reg), pct(m->reviews, m->n), (unsigned long long)m->reviews, p, r, f1,
	    (unsigned long long)m->hard_n, pct(m->hard_auto_ok, m->hard_n),
	    pct(m->hard_auto_ok, m->hard_auto), pct(m->auto_nonreg, m->not_in_reg),
	    (unsigned long long)m->auto_nonreg);
	if (rc)
		return rc;
	/* the columns padded by characters: the Vietnamese titles have more bytes than letters */
	const char *head[5] = {tr(lang, "error tag"), tr(lang, "records"), tr(lang, "false auto"),
	                       tr(lang, "not auto"), tr(lang, "missed")};
	static const size_t width[5] = {28, 9, 11, 11, 11};
	rc = vs_buf_puts(out, " ");
	for (int k = 0; !rc && k < 5; k++)
		if (!(rc = vs_buf_puts(out, " ")))
			rc = vs_buf_cell(out, head[k], width[k], k > 0);
	if (rc || (rc = vs_buf_puts(out, "\n")))
		return rc;
	for (size_t i = 0; i < m->ntags; i++) {
		const tagstat *t = &m->tags[i];
		if (!t->false_auto && !t->miss_auto)
			continue;
		const char *name =
		    strcmp(t->name, "(not in registry)") ? t->name : tr(lang, "(not in registry)");
		if ((rc = vs_buf_puts(out, "  ")) || (rc = vs_buf_cell(out, name, 28, false)))
			return rc;
		if ((rc = vs_buf_printf(out, " %9llu %11llu %11llu %11llu\n", (unsigned long long)t->n,
		                        (unsigned long long)t->false_auto, (unsigned long long)t->miss_auto,
		                        (unsigned long long)t->miss_all)))
			return rc;
	}
	return VS_OK;
}

static vs_link_decision parse_decision(const char *s)
{
	return !strcmp(s, "auto") ? VS_LINK_AUTO : !strcmp(s, "review") ? VS_LINK_REVIEW : VS_LINK_UNLINKED;
}

static void key2(char *buf, size_t n, const char *a, const char *b)
{
	snprintf(buf, n, "%s\x1f%s", a, b);
}

static int year_of(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
		    !isdigit((unsigned char)p[4]) && (p == s || !isdigit((unsigned char)p[-1])))
			return atoi(p);
	}
	return 0;
}

vs_rc vs_link_eval(const char *truth_path, const char *links_path, const char *registry_path,
                   const char *shots_path, vs_lang lang, vs_buf *out, vs_error *err)
{
	vs_rc rc;
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	smap truth = {0}, reg = {0}, base = {0};
	method *ml = vs_calloc(1, sizeof *ml), *mb = vs_calloc(1, sizeof *mb);
	char k[512];
	if (!ml || !mb || smap_init(&truth) || smap_init(&reg) || smap_init(&base)) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	colmap tc[] = {{"facility_code", 0}, {"record_id", 0}, {"citizen_id", 0}, {"error_tags", 0}};
	if ((rc = open_csv(truth_path, &rd, tc, 4, err)))
		goto out;
	while ((rc = vs_csv_next(rd, &row, err)) != VS_DONE) {
		if (rc == VS_ERR_PARSE)
			continue;
		if (rc)
			goto out;
		key2(k, sizeof k, fld(&row, &tc[0]), fld(&row, &tc[1]));
		if ((rc = smap_put(&truth, k, fld(&row, &tc[2]), fld(&row, &tc[3]))))
			goto nomem;
	}
	vs_csv_close(rd);
	rd = NULL;
	colmap lc[] = {{"facility_code", 0}, {"record_id", 0}, {"citizen_id", 0}, {"decision", 0}};
	if ((rc = open_csv(links_path, &rd, lc, 4, err)))
		goto out;
	uint64_t unknown = 0;
	while ((rc = vs_csv_next(rd, &row, err)) != VS_DONE) {
		if (rc == VS_ERR_PARSE)
			continue;
		if (rc)
			goto out;
		key2(k, sizeof k, fld(&row, &lc[0]), fld(&row, &lc[1]));
		size_t i = smap_get(&truth, k);
		if (i == (size_t)-1) {
			unknown++;
			continue;
		}
		count(ml, truth.val[i], truth.val2[i], parse_decision(fld(&row, &lc[3])), fld(&row, &lc[2]));
	}
	vs_csv_close(rd);
	rd = NULL;
	if ((rc = report(out, tr(lang, "vaxsync link"), ml, lang)))
		goto out;
	if (unknown && (rc = vs_buf_printf(out, tr(lang, "  (%llu links rows not in truth were ignored)\n"),
	                                   (unsigned long long)unknown)))
		goto out;
	if (!registry_path || !shots_path)
		goto out;
	colmap rc_[] = {{"citizen_id", 0}, {"dob", 0}};
	if ((rc = open_csv(registry_path, &rd, rc_, 2, err)))
		goto out;
	while ((rc = vs_csv_next(rd, &row, err)) != VS_DONE) {
		if (rc == VS_ERR_PARSE)
			continue;
		if (rc)
			goto out;
		char y[8];
		snprintf(y, sizeof y, "%d", year_of(fld(&row, &rc_[1])));
		if ((rc = smap_put(&reg, fld(&row, &rc_[0]), y, NULL)))
			goto nomem;
	}
	vs_csv_close(rd);
	rd = NULL;
	colmap sc[] = {{"facility_code", 0}, {"record_id", 0}, {"id_number", 0}, {"dob", 0}};
	if ((rc = open_csv(shots_path, &rd, sc, 4, err)))
		goto out;
	while ((rc = vs_csv_next(rd, &row, err)) != VS_DONE) {
		if (rc == VS_ERR_PARSE)
			continue;
		if (rc)
			goto out;
		key2(k, sizeof k, fld(&row, &sc[0]), fld(&row, &sc[1]));
		size_t ti = smap_get(&truth, k);
		if (ti == (size_t)-1)
			continue;
		const char *id = fld(&row, &sc[2]);
		bool twelve = strlen(id) == 12;
		for (int d = 0; twelve && d < 12; d++)
			twelve = isdigit((unsigned char)id[d]) != 0;
		size_t ri = twelve ? smap_get(&reg, id) : (size_t)-1;
		bool link = ri != (size_t)-1 && atoi(reg.val[ri]) != 0 &&
		            atoi(reg.val[ri]) == year_of(fld(&row, &sc[3]));
		count(mb, truth.val[ti], truth.val2[ti], link ? VS_LINK_AUTO : VS_LINK_UNLINKED,
		      link ? id : "");
	}
	vs_csv_close(rd);
	rd = NULL;
	rc = report(
	    out,
	    tr(lang, "\nnaive baseline (typed ID exactly a 12-digit citizen_id and the same birth year)"), mb,
	    lang);
	goto out;
nomem:
	rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
out:
	if (rc == VS_DONE)
		rc = VS_OK;
	vs_csv_close(rd);
	smap_free(&truth);
	smap_free(&reg);
	smap_free(&base);
	vs_free(ml);
	vs_free(mb);
	return rc;
}

/* ---- a linkage described by settings: true pairs ---- */

/* the id columns of both sides as links.csv names them (right first), at most 8 */
static size_t pair_columns(const vs_link_settings *s, char names[8][80], colmap *cols)
{
	size_t n = 0;
	for (int side = 1; side >= 0; side--)
		for (size_t k = 0; k < vs_link_settings_id_count(s, side) && n < 8; k++, n++) {
			vs_link_files_id_header(s, side, k, names[n], sizeof names[n]);
			cols[n].name = names[n];
		}
	return n;
}

/* the pair's key: the right ids, 0x1e, the left ids, each followed by 0x1f; false when too long */
static bool pair_key(const vs_link_settings *s, const vs_csv_row *r, const colmap *cols, char *k, size_t n)
{
	size_t o = 0, nr = vs_link_settings_id_count(s, 1), c = 0;
	for (int side = 1; side >= 0; side--) {
		for (size_t j = 0; j < vs_link_settings_id_count(s, side); j++, c++) {
			const char *v = fld(r, &cols[c]);
			v += strspn(v, " ");
			int len = (int)strlen(v);
			while (len && v[len - 1] == ' ')
				len--;
			int w = snprintf(k + o, n - o, "%.*s\x1f", len, v);
			if (w < 0 || (size_t)w >= n - o)
				return false;
			o += (size_t)w;
		}
		if (c == nr && o + 1 < n)
			k[o++] = 0x1e;
	}
	k[o] = 0;
	return true;
}

static double f1_of(double p, double r)
{
	return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

vs_rc vs_link_eval_pairs(const vs_link_settings *s, const char *truth_path, const char *links_path,
                         vs_lang lang, vs_buf *out, vs_error *err)
{
	vs_rc rc;
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	smap truth = {0};
	char names[8][80], k[1024];
	colmap cols[9];
	size_t nc = pair_columns(s, names, cols);
	uint64_t pairs = 0, bad = 0, autos = 0, auto_ok = 0, reviews = 0, review_ok = 0;
	if (smap_init(&truth)) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	if ((rc = open_csv(truth_path, &rd, cols, nc, err)))
		goto out;
	while ((rc = vs_csv_next(rd, &row, err)) != VS_DONE) {
		if (rc == VS_ERR_PARSE) {
			bad++;
			continue;
		}
		if (rc)
			goto out;
		if (!pair_key(s, &row, cols, k, sizeof k)) {
			bad++;
			continue;
		}
		if (smap_get(&truth, k) == (size_t)-1)
			pairs++;
		if ((rc = smap_put(&truth, k, "", NULL)))
			goto nomem;
	}
	vs_csv_close(rd);
	rd = NULL;
	cols[nc].name = "decision";
	if ((rc = open_csv(links_path, &rd, cols, nc + 1, err)))
		goto out;
	while ((rc = vs_csv_next(rd, &row, err)) != VS_DONE) {
		if (rc == VS_ERR_PARSE) {
			bad++;
			continue;
		}
		if (rc)
			goto out;
		vs_link_decision d = parse_decision(fld(&row, &cols[nc]));
		if (d == VS_LINK_UNLINKED)
			continue;
		bool ok = pair_key(s, &row, cols, k, sizeof k) && smap_get(&truth, k) != (size_t)-1;
		if (d == VS_LINK_AUTO)
			autos++, auto_ok += ok;
		else
			reviews++, review_ok += ok;
	}
	vs_csv_close(rd);
	rd = NULL;
	double pa = pct(auto_ok, autos), ra = pct(auto_ok, pairs);
	double pl = pct(auto_ok + review_ok, autos + reviews), rl = pct(auto_ok + review_ok, pairs);
	rc = vs_buf_printf(
	    out,
	    tr(lang, "vaxsync link (pairs)\n  true pairs %llu\n"
	             "  auto:          %llu links, %llu correct  precision %8.4f %%  recall %8.4f %%  "
	             "F1 %.4f %%\n"
	             "  auto + review: %llu links, %llu correct  precision %8.4f %%  recall %8.4f %%  "
	             "F1 %.4f %%\n"
	             "  true pairs not auto-linked %llu, not linked at all %llu\n"),
	    (unsigned long long)pairs, (unsigned long long)autos, (unsigned long long)auto_ok, pa, ra,
	    f1_of(pa, ra), (unsigned long long)(autos + reviews), (unsigned long long)(auto_ok + review_ok),
	    pl, rl, f1_of(pl, rl), (unsigned long long)(pairs - auto_ok),
	    (unsigned long long)(pairs - auto_ok - review_ok));
	if (!rc && bad)
		rc = vs_buf_printf(out, tr(lang, "  (%llu malformed rows skipped)\n"),
		                   (unsigned long long)bad);
	goto out;
nomem:
	rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
out:
	vs_csv_close(rd);
	smap_free(&truth);
	return rc;
}

/* ---- deduplication: clusters against true entities ---- */

typedef struct ce_pair {
	const char *c, *e; /* predicted cluster, true entity */
} ce_pair;

static int by_e(const void *a, const void *b)
{
	return strcmp(((const ce_pair *)a)->e, ((const ce_pair *)b)->e);
}

static int by_c(const void *a, const void *b)
{
	return strcmp(((const ce_pair *)a)->c, ((const ce_pair *)b)->c);
}

static int by_ce(const void *a, const void *b)
{
	int r = by_c(a, b);
	return r ? r : by_e(a, b);
}

/* pairs within runs of equal keys (sorted by cmp): sum of n(n-1)/2 */
static uint64_t run_pairs(const ce_pair *p, size_t n, int (*cmp)(const void *, const void *))
{
	uint64_t total = 0;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && !cmp(&p[i], &p[j]); j++)
			;
		total += (uint64_t)(j - i) * (j - i - 1) / 2;
	}
	return total;
}

vs_rc vs_link_eval_clusters(const vs_link_settings *s, const char *truth_path, const char *clusters_path,
                            vs_lang lang, vs_buf *out, vs_error *err)
{
	vs_rc rc;
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	smap truth = {0};
	ce_pair *pr = NULL;
	size_t n = 0, cap = 0, nid = vs_link_settings_id_count(s, 0);
	uint64_t unknown = 0, bad = 0;
	char k[1024];
	colmap cols[6];
	for (size_t i = 0; i < nid && i < 4; i++)
		cols[i].name = vs_link_settings_id_column(s, 0, i);
	cols[nid].name = "entity";
	if (smap_init(&truth)) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	if ((rc = open_csv(truth_path, &rd, cols, nid + 1, err)))
		goto out;
	while ((rc = vs_csv_next(rd, &row, err)) != VS_DONE) {
		if (rc == VS_ERR_PARSE) {
			bad++;
			continue;
		}
		if (rc)
			goto out;
		size_t o = 0;
		k[0] = 0;
		for (size_t i = 0; i < nid && o < sizeof k; i++)
			o += (size_t)snprintf(k + o, sizeof k - o, "%s\x1f", fld(&row, &cols[i]));
		if (o >= sizeof k) {
			bad++;
			continue;
		}
		if ((rc = smap_put(&truth, k, fld(&row, &cols[nid]), NULL)))
			goto nomem;
	}
	vs_csv_close(rd);
	rd = NULL;
	cols[nid].name = "cluster";
	if ((rc = open_csv(clusters_path, &rd, cols, nid + 1, err)))
		goto out;
	while ((rc = vs_csv_next(rd, &row, err)) != VS_DONE) {
		if (rc == VS_ERR_PARSE) {
			bad++;
			continue;
		}
		if (rc)
			goto out;
		size_t o = 0;
		k[0] = 0;
		for (size_t i = 0; i < nid && o < sizeof k; i++)
			o += (size_t)snprintf(k + o, sizeof k - o, "%s\x1f", fld(&row, &cols[i]));
		size_t t = o < sizeof k ? smap_get(&truth, k) : (size_t)-1;
		if (t == (size_t)-1) {
			unknown++;
			continue;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 4096;
			ce_pair *np = vs_reallocarray(pr, nc, sizeof *np);
			if (!np)
				goto nomem;
			pr = np;
			cap = nc;
		}
		const char *c = fld(&row, &cols[nid]);
		pr[n].c = vs_arena_strndup(&truth.arena, c, strlen(c));
		pr[n].e = truth.val[t];
		if (!pr[n].c)
			goto nomem;
		n++;
	}
	vs_csv_close(rd);
	rd = NULL;
	qsort(pr, n, sizeof *pr, by_e);
	uint64_t true_pairs = run_pairs(pr, n, by_e);
	qsort(pr, n, sizeof *pr, by_c);
	uint64_t found = run_pairs(pr, n, by_c);
	qsort(pr, n, sizeof *pr, by_ce);
	uint64_t ok = run_pairs(pr, n, by_ce);
	double p = pct(ok, found), r = pct(ok, true_pairs);
	rc = vs_buf_printf(out,
	                   tr(lang, "vaxsync link (deduplication, pairs within clusters)\n  records %zu\n"
	                            "  true pairs %llu, pairs in clusters %llu, correct %llu\n"
	                            "  precision %8.4f %%  recall %8.4f %%  F1 %.4f %%\n"),
	                   n, (unsigned long long)true_pairs, (unsigned long long)found,
	                   (unsigned long long)ok, p, r, f1_of(p, r));
	if (!rc && (unknown || bad))
		rc = vs_buf_printf(out,
		                   tr(lang, "  (%llu records not in truth, %llu malformed rows skipped)\n"),
		                   (unsigned long long)unknown, (unsigned long long)bad);
	goto out;
nomem:
	rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
out:
	vs_csv_close(rd);
	vs_free(pr);
	smap_free(&truth);
	return rc;
}

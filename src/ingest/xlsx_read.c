/* xlsx_read.c - the XML layer of the .xlsx reader (xlsx.h): finds the
 * workbook through [Content_Types].xml, the sheet through workbook.xml and its
 * relationships, loads the shared strings and the styles that make a number a
 * date, then streams the sheet's XML through expat one row at a time (the
 * parser is suspended at every </row>, so memory holds one row whatever the
 * sheet). Every text it keeps has a cap: a cell's (max_string_len), a row's
 * (max_row_len), the shared strings' (max_sst_len, max_sst_count); element
 * nesting is capped (VS_XLSX_MAX_DEPTH) and a DTD refused, so no part can
 * expand entities or recurse. */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/xlsx_internal.h"

#define CHUNK_LEN (64u << 10)
#define MAX_TOKEN (1u << 20) /* a tag, comment or CDATA section the tokenizer holds whole */
#define RAW_MAX 4096
#define PATH_MAX_LEN 512
#define MAX_ROW_NUM 1048576u /* Excel's last row */
#define MAX_COL_NUM 16384u   /* and column (XFD) */

enum { K_NUM = 0, K_DATE = 1, K_TIME = 2 }; /* what a style makes of a number */
enum { T_NUM, T_SST, T_INLINE, T_STR, T_BOOL, T_ERR, T_ISO };

typedef struct cell {
	uint32_t col;
	uint32_t off, len; /* in the row buffer */
} cell;

struct vs_xlsx_reader {
	vs_xlsx_opts o;
	char *name, *sheet;
	xz_zip *zip;
	xb_book *xls;    /* or an old .xls workbook (FreeXL), instead of zip */
	xz_entry *entry; /* the sheet, streaming */
	const char *mem; /* or the sheet's XML in memory (xlsx_open_sheet_xml) */
	size_t mem_len, mem_off;
	XML_Parser p; /* the sheet's parser: expat, or */
	xs_scan *xs;  /* the tokenizer (the fast path) */
	int64_t sheet_idx;
	bool date1904;
	/* shared strings: text, offsets, lengths (UINT32_MAX: over the string cap) */
	char *sst;
	uint64_t sst_len, sst_cap;
	uint64_t *sst_off;
	uint32_t *sst_slen;
	uint64_t sst_count, sst_n_cap;
	/* styles: kind of each cellXfs entry */
	uint8_t *xf_kind;
	uint32_t xf_count;
	/* the sheet parse */
	unsigned depth;
	bool in_data, in_row, in_cell, capture, in_rph, in_is, eof, parse_done;
	uint64_t cells;
	uint64_t row_num;
	uint32_t col_next;
	uint32_t cur_col;
	int cur_type;
	uint32_t cur_style;
	bool cur_bad_ref;
	char *text; /* the cell's text as read */
	size_t text_len, text_cap;
	bool text_over;
	/* the row being built */
	char *rbuf;
	size_t rbuf_len, rbuf_cap;
	cell *cells_v;
	size_t ncells, cells_cap;
	uint32_t max_col; /* 1 + the last column with a value */
	bool row_ready;
	const char *row_reason; /* a bad row's reason and message, and where */
	char row_msg[160];
	uint32_t row_err_col;
	/* what the parse must stop for */
	vs_rc fatal;
	vs_error fatal_err;
	/* the row handed out */
	char **fields;
	size_t *lens;
	size_t fields_cap;
	size_t expected;
	uint64_t index;
	uint64_t last_line;
	char raw[RAW_MAX + 1];
	size_t raw_len;
	bool raw_made; /* raw is made on demand from the row handed out */
	size_t raw_count;
};

bool xlsx_force_expat;
bool xlsx_no_fast;

/* Stops expat from a handler; the tokenizer asks its pause function instead. */
static void stop_parser(XML_Parser p, bool resumable)
{
	if (p)
		XML_StopParser(p, resumable ? XML_TRUE : XML_FALSE);
}

static const char *local(const char *name)
{
	/* most names have no prefix: a short scan, no strlen */
	const char *c = NULL;
	for (const char *s = name; *s; s++)
		if (*s == ':')
			c = s;
	return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
	for (; atts && atts[0]; atts += 2)
		if (!strcmp(local(atts[0]), name))
			return atts[1];
	return NULL;
}

static vs_rc set_fatal(vs_xlsx_reader *r, vs_rc rc, const char *reason, const char *msg)
{
	if (r->fatal)
		return r->fatal;
	vs_error_set(&r->fatal_err, rc, r->name, 0, 0, NULL, "%s", msg);
	vs_error_reason(&r->fatal_err, reason);
	r->fatal = rc;
	return rc;
}

static vs_rc nomem(vs_xlsx_reader *r)
{
	return set_fatal(r, VS_ERR_NOMEM, "", "out of memory");
}

/* ---- parsing a whole part (the small ones) ---- */

typedef struct part_ctx {
	vs_xlsx_reader *r;
	XML_Parser p;
	unsigned depth;
	void (*start)(struct part_ctx *c, const char *name, const char **atts);
	void (*end)(struct part_ctx *c, const char *name);
	void (*text)(struct part_ctx *c, const char *s, int len);
	size_t (*fast)(struct part_ctx *c, char *s, const char *end); /* as xs_fast_fn */
	void *ud;
} part_ctx;

static void part_start(void *ud, const char *name, const char **atts)
{
	part_ctx *c = ud;
	if (++c->depth > VS_XLSX_MAX_DEPTH) {
		set_fatal(c->r, VS_ERR_LIMIT, "XLSX_XML_TOO_DEEP",
		          "a part of the workbook nests XML deeper than 64 levels");
		stop_parser(c->p, false);
		return;
	}
	if (c->start)
		c->start(c, local(name), atts);
}

static void part_end(void *ud, const char *name)
{
	part_ctx *c = ud;
	if (c->end)
		c->end(c, local(name));
	c->depth--;
}

static void part_text(void *ud, const char *s, int len)
{
	part_ctx *c = ud;
	if (c->text)
		c->text(c, s, len);
}

static void refuse_dtd(void *ud, const char *name, const char *sys, const char *pub, int has_internal)
{
	(void)name, (void)sys, (void)pub, (void)has_internal;
	part_ctx *c = ud; /* the sheet's handler data starts with the reader pointer too */
	set_fatal(c->r, VS_ERR_LIMIT, "XLSX_XML_TOO_DEEP",
	          "a part of the workbook declares a DTD; refused (entity expansion)");
	stop_parser(c->p, false);
}

static vs_rc xml_error(vs_xlsx_reader *r, XML_Parser p, const char *part, vs_rc code)
{
	char msg[200];
	snprintf(msg, sizeof(msg), "the workbook is damaged: part %.80s, XML line %lu: %.60s", part,
	         (unsigned long)XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p)));
	return set_fatal(r, code, "XLSX_CORRUPT", msg);
}

/* What a tokenizer's failure means: nesting or a DTD (a cap), else damage. */
static vs_rc scan_fail(vs_xlsx_reader *r, int st, const char *part, const char *why, vs_rc damage)
{
	char msg[220];
	if (st == XS_DEPTH || st == XS_DTD)
		return set_fatal(r, VS_ERR_LIMIT, "XLSX_XML_TOO_DEEP",
		                 st == XS_DTD
		                     ? "a part of the workbook declares a DTD; refused (entity expansion)"
		                     : "a part of the workbook nests XML deeper than 64 levels");
	snprintf(msg, sizeof(msg), "the workbook is damaged: part %.80s: %.80s", part, why);
	return set_fatal(r, damage, "XLSX_CORRUPT", msg);
}

static bool part_pause(void *ud)
{
	part_ctx *c = ud;
	return c->r->fatal != 0;
}

static size_t part_fast(void *ud, char *s, const char *end)
{
	part_ctx *c = ud;
	return xlsx_no_fast ? 0 : c->fast(c, s, end);
}

/* A whole part through the tokenizer; *foreign when it is not UTF-8 (no
 * handler was called then: the caller reads it with expat). */
static vs_rc scan_part(vs_xlsx_reader *r, int64_t idx, const char *part, part_ctx *c, bool *foreign)
{
	xz_entry *e = NULL;
	xs_scan *x = xs_new(c, part_start, part_end, part_text, part_pause, MAX_TOKEN);
	vs_rc rc = VS_OK;
	*foreign = false;
	if (!x)
		return nomem(r);
	if (c->fast)
		xs_set_fast(x, part_fast);
	c->r = r;
	c->p = NULL;
	c->depth = 0;
	if ((rc = xz_entry_open(r->zip, idx, &e, &r->fatal_err))) {
		r->fatal = rc;
		goto out;
	}
	for (;;) {
		int st = xs_run(x);
		if (r->fatal) {
			rc = r->fatal;
			break;
		}
		if (st == XS_DONE)
			break;
		if (st == XS_ENCODING) {
			*foreign = true;
			break;
		}
		if (st != XS_MORE) {
			rc = scan_fail(r, st, part, xs_error(x), VS_ERR_PARSE);
			break;
		}
		char *buf = xs_space(x, CHUNK_LEN);
		size_t got = 0;
		if (!buf) {
			rc = nomem(r);
			break;
		}
		if ((rc = xz_entry_read(e, buf, CHUNK_LEN, &got, &r->fatal_err))) {
			r->fatal = rc;
			break;
		}
		xs_commit(x, got);
	}
out:
	xz_entry_close(e);
	xs_free(x);
	return rc;
}

/* Parses a whole part with c's handlers (the tokenizer; expat for a part
 * not in UTF-8). VS_ERR_NOTFOUND when absent. */
static vs_rc parse_part(vs_xlsx_reader *r, const char *part, part_ctx *c)
{
	int64_t idx = xz_locate(r->zip, part);
	xz_entry *e = NULL;
	vs_rc rc = VS_OK;
	bool foreign = true;
	if (idx < 0)
		return VS_ERR_NOTFOUND;
	if (!xlsx_force_expat && ((rc = scan_part(r, idx, part, c, &foreign)) || !foreign))
		return rc;
	XML_Parser p = XML_ParserCreate(NULL);
	if (!p)
		return nomem(r);
	c->r = r;
	c->p = p;
	c->depth = 0;
	XML_SetUserData(p, c);
	XML_SetElementHandler(p, part_start, part_end);
	XML_SetCharacterDataHandler(p, part_text);
	XML_SetStartDoctypeDeclHandler(p, refuse_dtd);
	if ((rc = xz_entry_open(r->zip, idx, &e, &r->fatal_err))) {
		r->fatal = rc;
		goto out;
	}
	for (;;) {
		void *buf = XML_GetBuffer(p, CHUNK_LEN);
		size_t got = 0;
		if (!buf) {
			rc = nomem(r);
			break;
		}
		if ((rc = xz_entry_read(e, buf, CHUNK_LEN, &got, &r->fatal_err))) {
			r->fatal = rc;
			break;
		}
		if (XML_ParseBuffer(p, (int)got, got == 0) != XML_STATUS_OK) {
			rc = r->fatal ? r->fatal : xml_error(r, p, part, VS_ERR_PARSE);
			break;
		}
		if (r->fatal) {
			rc = r->fatal;
			break;
		}
		if (!got)
			break;
	}
out:
	xz_entry_close(e);
	XML_ParserFree(p);
	return rc;
}

/* ---- [Content_Types].xml, relationships, workbook ---- */

typedef struct ct_ctx {
	char main[PATH_MAX_LEN]; /* the workbook part */
	const char *other;       /* what else the archive is, for the message */
} ct_ctx;

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && !strcasecmp(s + n - m, tail);
}

static void ct_start(part_ctx *c, const char *name, const char **atts)
{
	ct_ctx *x = c->ud;
	if (strcmp(name, "Override"))
		return;
	const char *pn = attr(atts, "PartName"), *ct = attr(atts, "ContentType");
	if (!pn || !ct)
		return;
	if (!x->main[0] && (ends_with(ct, "spreadsheetml.sheet.main+xml") ||
	                    ends_with(ct, "spreadsheetml.template.main+xml") ||
	                    ends_with(ct, "ms-excel.sheet.macroEnabled.main+xml") ||
	                    ends_with(ct, "ms-excel.template.macroEnabled.main+xml")))
		snprintf(x->main, sizeof(x->main), "%s", pn[0] == '/' ? pn + 1 : pn);
	else if (ends_with(ct, "ms-excel.sheet.binary.macroEnabled.main"))
		x->other = "an Excel binary workbook (.xlsb): save it as .xlsx";
	else if (strstr(ct, "wordprocessingml.document.main"))
		x->other = "a Word document";
	else if (strstr(ct, "presentationml.presentation.main"))
		x->other = "a PowerPoint presentation";
	else if (strstr(ct, "opendocument"))
		x->other = "an OpenDocument file: save it as .xlsx";
}

typedef struct rel {
	char *id, *type, *target;
} rel;

typedef struct rels_ctx {
	rel *v;
	size_t n, cap;
	bool nomem;
} rels_ctx;

static void rels_start(part_ctx *c, const char *name, const char **atts)
{
	rels_ctx *x = c->ud;
	if (strcmp(name, "Relationship") || x->nomem)
		return;
	const char *id = attr(atts, "Id"), *ty = attr(atts, "Type"), *tg = attr(atts, "Target");
	const char *mode = attr(atts, "TargetMode");
	if (!id || !ty || !tg || (mode && !strcmp(mode, "External")) || x->n >= VS_XLSX_MAX_ENTRIES)
		return;
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 16;
		rel *v = vs_reallocarray(x->v, cap, sizeof(*v));
		if (!v) {
			x->nomem = true;
			return;
		}
		x->v = v;
		x->cap = cap;
	}
	rel *e = &x->v[x->n];
	e->id = vs_strdup(id);
	e->type = vs_strdup(ty);
	e->target = vs_strdup(tg);
	x->n++;
	if (!e->id || !e->type || !e->target)
		x->nomem = true;
}

static void rels_free(rels_ctx *x)
{
	for (size_t i = 0; i < x->n; i++) {
		vs_free(x->v[i].id);
		vs_free(x->v[i].type);
		vs_free(x->v[i].target);
	}
	vs_free(x->v);
}

static const rel *rel_by_id(const rels_ctx *x, const char *id)
{
	for (size_t i = 0; i < x->n; i++)
		if (!strcmp(x->v[i].id, id))
			return &x->v[i];
	return NULL;
}

static const rel *rel_by_type(const rels_ctx *x, const char *tail)
{
	for (size_t i = 0; i < x->n; i++)
		if (ends_with(x->v[i].type, tail))
			return &x->v[i];
	return NULL;
}

typedef struct sheet_ent {
	char *name, *rid;
	bool hidden;
} sheet_ent;

typedef struct wb_ctx {
	sheet_ent *v;
	size_t n, cap;
	bool date1904, nomem;
} wb_ctx;

static void wb_start(part_ctx *c, const char *name, const char **atts)
{
	wb_ctx *x = c->ud;
	if (!strcmp(name, "workbookPr")) {
		const char *d = attr(atts, "date1904");
		x->date1904 = d && (!strcmp(d, "1") || !strcasecmp(d, "true"));
		return;
	}
	if (strcmp(name, "sheet") || x->nomem || x->n >= VS_XLSX_MAX_ENTRIES)
		return;
	const char *nm = attr(atts, "name"), *rid = attr(atts, "id"), *st = attr(atts, "state");
	if (!nm || !rid)
		return;
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 8;
		sheet_ent *v = vs_reallocarray(x->v, cap, sizeof(*v));
		if (!v) {
			x->nomem = true;
			return;
		}
		x->v = v;
		x->cap = cap;
	}
	sheet_ent *e = &x->v[x->n++];
	e->name = vs_strdup(nm);
	e->rid = vs_strdup(rid);
	e->hidden = st && strcmp(st, "visible");
	if (!e->name || !e->rid)
		x->nomem = true;
}

static void wb_free(wb_ctx *x)
{
	for (size_t i = 0; i < x->n; i++) {
		vs_free(x->v[i].name);
		vs_free(x->v[i].rid);
	}
	vs_free(x->v);
}

/* The part a relationship of base (a part name) points at, in out. */
static bool resolve(char *out, size_t out_len, const char *base, const char *target)
{
	char tmp[PATH_MAX_LEN * 2];
	if (target[0] == '/')
		snprintf(tmp, sizeof(tmp), "%s", target + 1);
	else {
		const char *slash = strrchr(base, '/');
		int dl = slash ? (int)(slash - base + 1) : 0;
		snprintf(tmp, sizeof(tmp), "%.*s%s", dl, base, target);
	}
	/* fold "x/../" and "./" */
	char *seg[64];
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(tmp, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, "."))
			continue;
		if (!strcmp(t, "..")) {
			if (n)
				n--;
			continue;
		}
		if (n == 64)
			return false;
		seg[n++] = t;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + o, out_len - o, "%s%s", i ? "/" : "", seg[i]);
		if (w < 0 || (size_t)w >= out_len - o)
			return false;
		o += (size_t)w;
	}
	return n > 0;
}

/* The relationships part of part: dir/_rels/file.rels. */
static void rels_path(char *out, size_t out_len, const char *part)
{
	const char *slash = strrchr(part, '/');
	int dl = slash ? (int)(slash - part + 1) : 0;
	snprintf(out, out_len, "%.*s_rels/%s.rels", dl, part, slash ? slash + 1 : part);
}

/* ---- styles: which cell formats are dates ---- */

static int builtin_kind(unsigned id)
{
	if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
		return K_DATE;
	if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
		return K_TIME;
	return K_NUM;
}

/* A custom format code is a date when it has d, m or y outside quotes,
 * escapes and brackets (m alone is a month; with h or s only, minutes). */
static int code_kind(const char *s)
{
	bool d = false, y = false, m = false, h = false, sec = false;
	for (; *s; s++) {
		char ch = (char)(*s | 0x20);
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++)
				;
			if (!*s)
				break;
		} else if (*s == '\\' || *s == '_' || *s == '*') {
			if (!s[1])
				break;
			s++;
		} else if (*s == '[') {
			/* [h] [mm] [ss]: elapsed time; [Red], [$-42A]: no date */
			const char *e = strchr(s, ']');
			if (!e)
				break;
			if (s[1] == 'h' || s[1] == 'H' || s[1] == 's' || s[1] == 'S')
				h = true;
			s = e;
		} else if (ch == 'd') {
			d = true;
		} else if (ch == 'y') {
			y = true;
		} else if (ch == 'm') {
			m = true;
		} else if (ch == 'h') {
			h = true;
		} else if (ch == 's') {
			sec = true;
		} else if (*s == 'G' && !strncasecmp(s, "General", 7)) {
			s += 6;
		}
	}
	if (d || y || (m && !h && !sec))
		return K_DATE;
	if (h || sec)
		return K_TIME;
	return K_NUM;
}

typedef struct st_ctx {
	uint32_t fmt_id[4096]; /* custom number formats looked at */
	uint8_t fmt_kind[4096];
	size_t nfmt;
	bool in_xfs;
	bool nomem;
} st_ctx;

static int fmt_kind(const st_ctx *x, unsigned id)
{
	for (size_t i = 0; i < x->nfmt; i++)
		if (x->fmt_id[i] == id)
			return x->fmt_kind[i];
	return builtin_kind(id);
}

static void st_start(part_ctx *c, const char *name, const char **atts)
{
	st_ctx *x = c->ud;
	vs_xlsx_reader *r = c->r;
	if (!strcmp(name, "numFmt")) {
		const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
		if (id && code && x->nfmt < 4096) {
			x->fmt_id[x->nfmt] = (uint32_t)strtoul(id, NULL, 10);
			x->fmt_kind[x->nfmt++] = (uint8_t)code_kind(code);
		}
	} else if (!strcmp(name, "cellXfs")) {
		x->in_xfs = true;
	} else if (!strcmp(name, "xf") && x->in_xfs && r->xf_count < VS_XLSX_MAX_STYLES && !x->nomem) {
		if (!r->xf_kind && !(r->xf_kind = vs_calloc(VS_XLSX_MAX_STYLES, 1))) {
			x->nomem = true;
			return;
		}
		const char *id = attr(atts, "numFmtId");
		r->xf_kind[r->xf_count++] =
		    (uint8_t)(id ? fmt_kind(x, (unsigned)strtoul(id, NULL, 10)) : K_NUM);
	}
}

static void st_end(part_ctx *c, const char *name)
{
	st_ctx *x = c->ud;
	if (!strcmp(name, "cellXfs"))
		x->in_xfs = false;
}

/* Byte classes of the fast path: letters and digits, a value's plain text
 * (printable ASCII without markup or references), digits, letters. */
enum { F_ALNUM = 1, F_PLAIN = 2, F_DIGIT = 4, F_ALPHA = 8 };
static const uint8_t fclass[256] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  2,  2,  2,  2,  2,  2,  0,  2,  2,  2,  2,  2,  2,  2,  2,  2,  7,  7,  7,  7,
    7,  7,  7,  7,  7,  7,  2,  2,  0,  2,  0,  2,  2,  11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11,
    11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 2,  2,  2,  2,  2,  2,  11, 11, 11, 11, 11, 11, 11,
    11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 2,  2,  2,  2,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};

static bool fast_alnum(char c)
{
	return fclass[(unsigned char)c] & F_ALNUM;
}

static bool fast_plain(char c)
{
	return fclass[(unsigned char)c] & F_PLAIN;
}

/* ---- shared strings ---- */

/* Decodes OOXML's _xHHHH_ escapes (Excel writes a CR as _x000D_) in place;
 * returns the new length. */
static size_t decode_escapes(char *s, size_t n)
{
	const char *u = memchr(s, '_', n);
	while (u && (size_t)(u - s) + 1 < n && u[1] != 'x')
		u = memchr(u + 1, '_', n - (size_t)(u + 1 - s));
	if (!u || (size_t)(u - s) + 1 >= n)
		return n;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned v = 0;
		bool ok = i + 7 <= n && s[i] == '_' && s[i + 1] == 'x' && s[i + 6] == '_';
		for (int k = 2; ok && k < 6; k++) {
			char ch = s[i + k];
			int d = ch >= '0' && ch <= '9'   ? ch - '0'
			        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
			        : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
			                                 : -1;
			ok = d >= 0;
			v = v * 16 + (unsigned)(d < 0 ? 0 : d);
		}
		if (!ok || (v >= 0xd800 && v < 0xe000) || v == 0) {
			s[o++] = s[i++];
			continue;
		}
		if (v < 0x80) {
			s[o++] = (char)v;
		} else if (v < 0x800) {
			s[o++] = (char)(0xc0 | (v >> 6));
			s[o++] = (char)(0x80 | (v & 0x3f));
		} else {
			s[o++] = (char)(0xe0 | (v >> 12));
			s[o++] = (char)(0x80 | ((v >> 6) & 0x3f));
			s[o++] = (char)(0x80 | (v & 0x3f));
		}
		i += 7;
	}
	return o;
}

typedef struct sst_ctx {
	bool in_si, in_t, in_rph, over;
	uint64_t start; /* the string's first byte in r->sst */
} sst_ctx;

static bool sst_grow(vs_xlsx_reader *r, uint64_t need)
{
	if (need <= r->sst_cap)
		return true;
	uint64_t cap = r->sst_cap ? r->sst_cap : (1u << 16);
	while (cap < need)
		cap *= 2;
	if (cap > r->o.max_sst_len + 1)
		cap = r->o.max_sst_len + 1;
	char *p = vs_realloc(r->sst, (size_t)cap);
	if (!p)
		return false;
	r->sst = p;
	r->sst_cap = cap;
	return true;
}

static void sst_too_large(part_ctx *c, const char *what)
{
	char msg[96];
	snprintf(msg, sizeof(msg), "the shared-string table holds more %s than its cap", what);
	set_fatal(c->r, VS_ERR_LIMIT, "XLSX_SHARED_STRINGS_TOO_LARGE", msg);
	stop_parser(c->p, false);
}

static void sst_start(part_ctx *c, const char *name, const char **atts)
{
	sst_ctx *x = c->ud;
	vs_xlsx_reader *r = c->r;
	if (!strcmp(name, "si")) {
		x->in_si = true;
		x->over = false;
		x->start = r->sst_len;
	} else if (!strcmp(name, "t")) {
		x->in_t = x->in_si && !x->in_rph;
	} else if (!strcmp(name, "rPh")) {
		x->in_rph = true;
	} else if (!strcmp(name, "sst")) {
		/* a declared count over the cap is refused before reading any string */
		const char *u = attr(atts, "uniqueCount");
		if (u && strtoull(u, NULL, 10) > r->o.max_sst_count)
			sst_too_large(c, "strings");
	}
}

static void sst_end(part_ctx *c, const char *name)
{
	sst_ctx *x = c->ud;
	vs_xlsx_reader *r = c->r;
	if (!strcmp(name, "t")) {
		x->in_t = false;
	} else if (!strcmp(name, "rPh")) {
		x->in_rph = false;
	} else if (!strcmp(name, "si") && x->in_si) {
		x->in_si = false;
		if (r->sst_count >= r->o.max_sst_count) {
			sst_too_large(c, "strings");
			return;
		}
		if (r->sst_count == r->sst_n_cap) {
			uint64_t cap = r->sst_n_cap ? 2 * r->sst_n_cap : 1024;
			uint64_t *o = vs_reallocarray(r->sst_off, (size_t)cap, sizeof(*o));
			if (o)
				r->sst_off = o;
			uint32_t *l = o ? vs_reallocarray(r->sst_slen, (size_t)cap, sizeof(*l)) : NULL;
			if (!l) {
				nomem(r);
				stop_parser(c->p, false);
				return;
			}
			r->sst_slen = l;
			r->sst_n_cap = cap;
		}
		uint64_t n = r->sst_len - x->start;
		if (!x->over && n)
			n = decode_escapes(r->sst + x->start, (size_t)n);
		r->sst_off[r->sst_count] = x->start;
		r->sst_slen[r->sst_count] = x->over ? UINT32_MAX : (uint32_t)n;
		r->sst_len = x->start + (x->over ? 0 : n);
		r->sst_count++;
	}
}

static void sst_text(part_ctx *c, const char *s, int len)
{
	sst_ctx *x = c->ud;
	vs_xlsx_reader *r = c->r;
	if (!x->in_t || x->over)
		return;
	if (r->sst_len - x->start + (uint64_t)len > r->o.max_string_len) {
		x->over = true; /* kept as a marker: a cell naming it is a bad row */
		r->sst_len = x->start;
		return;
	}
	if (r->sst_len + (uint64_t)len > r->o.max_sst_len) {
		sst_too_large(c, "bytes");
		return;
	}
	if (!sst_grow(r, r->sst_len + (uint64_t)len + 1)) {
		nomem(r);
		stop_parser(c->p, false);
		return;
	}
	memcpy(r->sst + r->sst_len, s, (size_t)len);
	r->sst_len += (uint64_t)len;
}

/* The common shared strings, <si><t>text</t></si> one after another with
 * text of printable ASCII or UTF-8 (no markup, reference or control
 * character), through the same handlers; what it read (xs_fast_fn). */
static size_t sst_fast(part_ctx *c, char *s, const char *end)
{
	static const char *none[1];
	sst_ctx *x = c->ud;
	char *p = s;
	while (end - p >= 7 && !memcmp(p, "<si><t>", 7) && !x->in_si && !x->in_rph && !c->r->fatal &&
	       c->depth + 2 <= VS_XLSX_MAX_DEPTH) {
		const char *t = p + 7, *q = t;
		unsigned char high = 0;
		while ((fclass[(unsigned char)*q] & F_PLAIN) || ((unsigned char)*q & 0x80))
			high |= (unsigned char)*q++;
		if (end - q < 9 || memcmp(q, "</t></si>", 9) ||
		    ((high & 0x80) && !vs_utf8_valid(t, (size_t)(q - t), NULL)))
			break;
		sst_start(c, "si", none);
		sst_start(c, "t", none);
		if (q > t)
			sst_text(c, t, (int)(q - t));
		sst_end(c, "t");
		sst_end(c, "si");
		p = s + (q + 9 - s);
	}
	return (size_t)(p - s);
}

/* ---- the sheet ---- */

static void text_add(vs_xlsx_reader *r, const char *s, size_t len)
{
	if (r->text_over)
		return;
	if (r->text_len + len > r->o.max_string_len) {
		r->text_over = true;
		return;
	}
	if (r->text_len + len + 1 > r->text_cap) {
		size_t cap = r->text_cap ? r->text_cap : 256;
		while (cap < r->text_len + len + 1)
			cap *= 2;
		char *p = vs_realloc(r->text, cap);
		if (!p) {
			nomem(r);
			stop_parser(r->p, false);
			return;
		}
		r->text = p;
		r->text_cap = cap;
	}
	memcpy(r->text + r->text_len, s, len);
	r->text_len += len;
}

static void row_error(vs_xlsx_reader *r, uint32_t col, const char *reason, const char *msg)
{
	if (r->row_reason)
		return;
	r->row_reason = reason;
	r->row_err_col = col;
	snprintf(r->row_msg, sizeof(r->row_msg), "%s", msg);
}

/* Appends a value of the current cell to the row. */
static void row_put(vs_xlsx_reader *r, const char *s, size_t len)
{
	if (!len)
		return;
	if (r->cur_col >= r->o.max_fields) {
		row_error(r, r->cur_col, "CSV_TOO_MANY_FIELDS", "a value lies beyond the column cap");
		return;
	}
	if (r->rbuf_len + len + 1 > r->o.max_row_len + 1) {
		row_error(r, r->cur_col, "CSV_ROW_TOO_LONG", "the row holds more text than the row cap");
		return;
	}
	if (r->ncells == r->cells_cap) {
		if (r->ncells >= 2 * r->o.max_fields) {
			row_error(r, r->cur_col, "CSV_TOO_MANY_FIELDS",
			          "the row has more cells than the cap");
			return;
		}
		size_t cap = r->cells_cap ? 2 * r->cells_cap : 32;
		cell *v = vs_reallocarray(r->cells_v, cap, sizeof(*v));
		if (!v) {
			nomem(r);
			stop_parser(r->p, false);
			return;
		}
		r->cells_v = v;
		r->cells_cap = cap;
	}
	if (r->rbuf_len + len + 1 > r->rbuf_cap) {
		size_t cap = r->rbuf_cap ? r->rbuf_cap : 4096;
		while (cap < r->rbuf_len + len + 1)
			cap *= 2;
		char *p = vs_realloc(r->rbuf, cap);
		if (!p) {
			nomem(r);
			stop_parser(r->p, false);
			return;
		}
		r->rbuf = p;
		r->rbuf_cap = cap;
	}
	r->cells_v[r->ncells++] = (cell){r->cur_col, (uint32_t)r->rbuf_len, (uint32_t)len};
	memcpy(r->rbuf + r->rbuf_len, s, len);
	r->rbuf_len += len;
	r->rbuf[r->rbuf_len++] = 0;
	if (r->cur_col + 1 > r->max_col)
		r->max_col = r->cur_col + 1;
}

/* A number as typed: digits kept; an exponent form of an integer written out
 * ("1.06E+11" -> "106000000000"); anything else as is. */
static void put_number(vs_xlsx_reader *r, const char *s, size_t n)
{
	const char *e = NULL; /* the first 'E', else the first 'e' (values are short: no memchr) */
	for (size_t i = 0; i < n && !e; i++)
		if (s[i] == 'E')
			e = s + i;
	for (size_t i = 0; i < n && !e; i++)
		if (s[i] == 'e')
			e = s + i;
	if (!e) {
		row_put(r, s, n);
		return;
	}
	char digits[64];
	size_t nd = 0, point = 0;
	bool neg = false, seen_point = false, ok = true;
	const char *p = s;
	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < e && ok; p++) {
		if (*p == '.' && !seen_point) {
			seen_point = true;
			point = nd;
		} else if (*p >= '0' && *p <= '9' && nd < 40) {
			digits[nd++] = *p;
		} else {
			ok = false;
		}
	}
	if (!seen_point)
		point = nd;
	char exp[8], *end = NULL; /* the text is not NUL-terminated: a copy */
	size_t el = (size_t)(s + n - (e + 1));
	ok = ok && el >= 1 && el < sizeof(exp);
	if (ok) {
		memcpy(exp, e + 1, el);
		exp[el] = 0;
	}
	long ex = ok ? strtol(exp, &end, 10) : -1;
	ok = ok && nd && end == exp + el && ex >= 0 && ex <= 30;
	long intlen = (long)point + ex; /* digits before the point after shifting */
	/* an integer: no nonzero digit after the point */
	for (long i = intlen; ok && i < (long)nd; i++)
		ok = digits[i] == '0';
	if (!ok || intlen <= 0) {
		row_put(r, s, n);
		return;
	}
	char out[80];
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	for (long i = 0; i < intlen; i++)
		out[o++] = i < (long)nd ? digits[i] : '0';
	/* strip leading zeros a mantissa like 0.5E+1 leaves */
	size_t z = neg ? 1 : 0;
	while (o - z > 1 && out[z] == '0')
		memmove(out + z, out + z + 1, --o - z);
	row_put(r, out, o);
}

/* A whole day number of at most 7 digits (what a date cell holds), in *v. */
static bool serial_days(const char *s, size_t n, double *v)
{
	uint32_t d = 0;
	if (!n || n > 7)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = d * 10 + (uint32_t)(s[i] - '0');
	}
	*v = (double)d;
	return true;
}

/* y-m-d as yyyy-mm-dd (the year 0..9999, as the serials give); its length. */
static size_t put_ymd(char *out, int y, int m, int d)
{
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	return 10;
}

static void put_serial(vs_xlsx_reader *r, const char *s, size_t n, int kind)
{
	char buf[64], out[32];
	double v;
	if (!serial_days(s, n, &v)) {
		if (n >= sizeof(buf)) {
			row_put(r, s, n);
			return;
		}
		memcpy(buf, s, n);
		buf[n] = 0;
		char *end;
		v = strtod(buf, &end);
		if (end == buf || *end || !(v >= 0 && v < 2958466.0)) {
			row_put(r, s, n);
			return;
		}
	}
	if (!(v < 2958466.0)) {
		row_put(r, s, n);
		return;
	}
	if (kind == K_TIME) {
		long secs = (long)((v - (double)(long)v) * 86400.0 + 0.5);
		if (secs >= 86400)
			secs = 86399;
		int w =
		    snprintf(out, sizeof(out), "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
		row_put(r, out, (size_t)w);
		return;
	}
	long days = (long)v;
	int y, m, d;
	if (r->date1904) {
		vs_civil_from_days(vs_days_from_civil(1904, 1, 1) + (int32_t)days, &y, &m, &d);
	} else if (days == 60) {
		y = 1900, m = 2, d = 29; /* the day Lotus 1-2-3 believed in */
	} else if (days < 1) {
		row_put(r, s, n);
		return;
	} else {
		/* serial 1 is 1900-01-01; past the phantom 1900-02-29 one day less */
		int32_t base = vs_days_from_civil(1899, 12, days < 60 ? 31 : 30);
		vs_civil_from_days(base + (int32_t)days, &y, &m, &d);
	}
	if (y < 0 || y > 9999) {
		int w = snprintf(out, sizeof(out), "%04d-%02d-%02d", y, m, d);
		row_put(r, out, (size_t)w);
		return;
	}
	row_put(r, out, put_ymd(out, y, m, d));
}

static void put_sst(vs_xlsx_reader *r, const char *s, size_t n)
{
	uint64_t i = 0;
	bool ok = n > 0 && n <= 12;
	for (size_t k = 0; ok && k < n; k++) {
		ok = s[k] >= '0' && s[k] <= '9';
		i = i * 10 + (uint64_t)(s[k] - '0');
	}
	if (!ok || i >= r->sst_count) {
		row_error(r, r->cur_col, "XLSX_BAD_CELL",
		          "the cell names a shared string that does not exist");
		return;
	}
	if (r->sst_slen[i] == UINT32_MAX) {
		row_error(r, r->cur_col, "CSV_FIELD_TOO_LONG",
		          "the cell's text is longer than the field cap");
		return;
	}
	row_put(r, r->sst + r->sst_off[i], r->sst_slen[i]);
}

/* The current cell's value, its text s[0..n) as read (decoded in place). */
static void cell_value(vs_xlsx_reader *r, char *s, size_t n)
{
	if (r->cur_bad_ref) {
		row_error(r, r->cur_col, "XLSX_BAD_CELL", "the cell's reference is not a cell of a sheet");
		return;
	}
	if (r->text_over) {
		row_error(r, r->cur_col, "CSV_FIELD_TOO_LONG",
		          "the cell's text is longer than the field cap");
		return;
	}
	if (!n)
		return;
	switch (r->cur_type) {
	case T_SST:
		put_sst(r, s, n);
		break;
	case T_INLINE:
	case T_STR:
		n = decode_escapes(s, n);
		row_put(r, s, n);
		break;
	case T_BOOL:
		if (n == 1 && (s[0] == '0' || s[0] == '1'))
			row_put(r, s[0] == '1' ? "TRUE" : "FALSE", s[0] == '1' ? 4 : 5);
		else
			row_put(r, s, n);
		break;
	case T_ISO: /* an ISO 8601 date-time: its date */
		row_put(r, s, n >= 10 && s[4] == '-' && s[7] == '-' ? 10 : n);
		break;
	case T_ERR:
		row_put(r, s, n);
		break;
	default: {
		int kind = r->cur_style < r->xf_count ? r->xf_kind[r->cur_style] : K_NUM;
		if (kind != K_NUM)
			put_serial(r, s, n, kind);
		else
			put_number(r, s, n);
	}
	}
}

static void cell_end(vs_xlsx_reader *r)
{
	static char none[1];
	cell_value(r, r->text ? r->text : none, r->text_len);
}

/* Parses "D17" (s[0..n)): the column (0-based); false when it is not a cell
 * reference. */
static bool parse_ref(const char *s, size_t n, uint32_t *col)
{
	const char *e = s + n;
	uint32_t c = 0;
	int nl = 0;
	for (; s < e && ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')); s++, nl++)
		c = c * 26 + (uint32_t)((*s | 0x20) - 'a' + 1);
	if (nl < 1 || nl > 3 || c > MAX_COL_NUM)
		return false;
	int nd = 0;
	for (; s < e && *s >= '0' && *s <= '9'; s++)
		nd++;
	if (s != e || nd > 7)
		return false;
	*col = c - 1;
	return true;
}

static int cell_type(const char *v, size_t n)
{
	switch (n) {
	case 1:
		return v[0] == 's'   ? T_SST
		       : v[0] == 'b' ? T_BOOL
		       : v[0] == 'e' ? T_ERR
		       : v[0] == 'd' ? T_ISO
		                     : T_NUM;
	case 3:
		return !memcmp(v, "str", 3) ? T_STR : T_NUM;
	case 9:
		return !memcmp(v, "inlineStr", 9) ? T_INLINE : T_NUM;
	default:
		return T_NUM;
	}
}

/* A cell opens: counted against the cap, its state reset; false when the
 * reading stops (over the cap). */
static bool cell_begin(vs_xlsx_reader *r)
{
	if (++r->cells > r->o.max_cells) {
		char m[96];
		snprintf(m, sizeof(m), "the sheet has more than %llu cells; reading stopped",
		         (unsigned long long)r->o.max_cells);
		set_fatal(r, VS_ERR_LIMIT, "XLSX_TOO_MANY_CELLS", m);
		stop_parser(r->p, false);
		return false;
	}
	r->in_cell = true;
	r->text_len = 0;
	r->text_over = false;
	r->cur_type = T_NUM;
	r->cur_style = 0;
	r->cur_bad_ref = false;
	r->cur_col = r->col_next;
	return true;
}

/* A row opens, numbered num when it says (has_num). */
static void row_begin(vs_xlsx_reader *r, bool has_num, uint64_t num)
{
	if (!has_num)
		num = r->row_num + 1;
	r->in_row = true;
	r->row_num = num >= 1 && num <= MAX_ROW_NUM ? num : r->row_num + 1;
	r->col_next = 0;
	r->ncells = 0;
	r->rbuf_len = 1; /* rbuf[0] is the empty field */
	r->max_col = 0;
	r->row_reason = NULL;
	if (has_num && !(num >= 1 && num <= MAX_ROW_NUM))
		row_error(r, 0, "XLSX_BAD_CELL", "the row number is not a row of a sheet");
}

/* A row closes: handed out when it has a value or a bad cell. */
static void row_end(vs_xlsx_reader *r)
{
	r->in_row = false;
	if (r->ncells || r->row_reason) {
		r->row_ready = true;
		stop_parser(r->p, true);
	}
}

static void sheet_start(void *ud, const char *name, const char **atts)
{
	vs_xlsx_reader *r = ud;
	if (++r->depth > VS_XLSX_MAX_DEPTH) {
		set_fatal(r, VS_ERR_LIMIT, "XLSX_XML_TOO_DEEP", "the sheet nests XML deeper than 64 levels");
		stop_parser(r->p, false);
		return;
	}
	name = local(name);
	if (!r->in_data) {
		r->in_data = !strcmp(name, "sheetData");
		return;
	}
	switch (name[0]) {
	case 'c':
		if (name[1] || !r->in_row)
			return;
		if (!cell_begin(r))
			return;
		for (const char **a = atts; a[0]; a += 2) {
			const char *k = a[0], *v = a[1];
			if (!strcmp(k, "r"))
				r->cur_bad_ref = !parse_ref(v, strlen(v), &r->cur_col);
			else if (!strcmp(k, "t"))
				r->cur_type = cell_type(v, strlen(v));
			else if (!strcmp(k, "s"))
				r->cur_style = (uint32_t)strtoul(v, NULL, 10);
		}
		r->col_next = r->cur_col + 1;
		return;
	case 'v':
		r->capture = r->in_cell && !name[1] && r->cur_type != T_INLINE;
		return;
	case 't':
		r->capture = r->in_is && !name[1] && !r->in_rph;
		return;
	case 'i':
		if (!strcmp(name, "is"))
			r->in_is = r->in_cell;
		return;
	case 'r':
		if (!strcmp(name, "row")) {
			const char *rn = attr(atts, "r");
			row_begin(r, rn != NULL, rn ? strtoull(rn, NULL, 10) : 0);
		} else if (!strcmp(name, "rPh")) {
			r->in_rph = true;
		}
		return;
	default:
		return;
	}
}

static void sheet_end(void *ud, const char *name)
{
	vs_xlsx_reader *r = ud;
	r->depth--;
	if (!r->in_data)
		return;
	name = local(name);
	if (!strcmp(name, "c")) {
		if (r->in_cell)
			cell_end(r);
		r->in_cell = r->in_is = r->capture = false;
	} else if (!strcmp(name, "v") || !strcmp(name, "t")) {
		r->capture = false;
	} else if (!strcmp(name, "rPh")) {
		r->in_rph = false;
	} else if (!strcmp(name, "row")) {
		row_end(r);
	} else if (!strcmp(name, "sheetData")) {
		r->in_data = false;
		r->parse_done = true;
		stop_parser(r->p, false); /* the rest of the sheet holds no cell */
	}
}

static void sheet_text(void *ud, const char *s, int len)
{
	vs_xlsx_reader *r = ud;
	if (r->capture)
		text_add(r, s, (size_t)len);
}

static void sheet_dtd(void *ud, const char *name, const char *sys, const char *pub, int has_internal)
{
	(void)name, (void)sys, (void)pub, (void)has_internal;
	vs_xlsx_reader *r = ud;
	set_fatal(r, VS_ERR_LIMIT, "XLSX_XML_TOO_DEEP", "the sheet declares a DTD; refused");
	stop_parser(r->p, false);
}

/* ---- the sheet's common cells, without the tokenizer ---- */

/* A cell reference's value from v ("B7" then '"'): its column in *col, *ok
 * false when not a cell's reference (as parse_ref); the closing quote, or
 * NULL when the value holds anything after its digits. */
static const char *fast_ref(const char *v, uint32_t *col, bool *ok)
{
	const char *q = v;
	uint32_t c = 0;
	while (fclass[(unsigned char)*q] & F_ALPHA) {
		if (q - v < 4)
			c = c * 26 + (uint32_t)((*q | 0x20) - 'a' + 1);
		q++;
	}
	size_t nl = (size_t)(q - v);
	const char *d = q;
	while (fclass[(unsigned char)*q] & F_DIGIT)
		q++;
	if (*q != '"')
		return NULL;
	*ok = nl >= 1 && nl <= 3 && c <= MAX_COL_NUM && q - d <= 7;
	if (*ok)
		*col = c - 1;
	return q;
}

/* Reads a whole common cell from s ("<c"): <c r="B7" s="1" t="s"><v>12</v></c>,
 * <c r="B7"></c> or <c r="B7"/>: attributes r, s (at most 9 digits), t (letters),
 * each once with one space before it, the value printable ASCII. Such a cell is
 * well formed whatever its text, so the tokenizer has nothing to check; the
 * same handlers' work is done here. 0 for anything else (a prefix, other
 * attributes or spacing, a reference, an inline string, a formula, the cell
 * not whole in the buffer): the tokenizer reads it. */
static size_t fast_cell(vs_xlsx_reader *r, char *s, const char *end)
{
	const char *p = s + 2;
	uint32_t col = r->col_next, style = 0;
	bool ref_ok = true;
	int type = T_NUM;
	unsigned seen = 0;
	if (!r->in_row || r->in_cell || r->depth + 2 > VS_XLSX_MAX_DEPTH)
		return 0;
	while (*p == ' ') {
		char k = p[1];
		unsigned bit = k == 'r' ? 1u : k == 's' ? 2u : k == 't' ? 4u : 0u;
		if (!bit || (seen & bit) || p[2] != '=' || p[3] != '"')
			return 0;
		seen |= bit;
		const char *v = p + 4, *q = v;
		if (k == 'r') {
			if (!(q = fast_ref(v, &col, &ref_ok)))
				return 0;
		} else if (k == 's') {
			while (fclass[(unsigned char)*q] & F_DIGIT)
				style = style * 10 + (uint32_t)(*q++ - '0');
			if (*q != '"' || q - v > 9)
				return 0;
		} else {
			while (fclass[(unsigned char)*q] & F_ALPHA)
				q++;
			if (*q != '"')
				return 0;
			type = cell_type(v, (size_t)(q - v));
		}
		p = q + 1;
	}
	char *text = NULL;
	size_t tn = 0;
	if (p[0] == '/' && p[1] == '>') {
		p += 2;
	} else if (p[0] != '>') {
		return 0;
	} else if (end - ++p >= 4 && !memcmp(p, "</c>", 4)) {
		p += 4;
	} else if (end - p >= 3 && !memcmp(p, "<v>", 3) && type != T_INLINE) {
		const char *q = p + 3;
		while (fclass[(unsigned char)*q] & F_PLAIN)
			q++;
		if (end - q < 8 || memcmp(q, "</v></c>", 8))
			return 0;
		text = s + (p + 3 - s);
		tn = (size_t)(q - (p + 3));
		p = q + 8;
	} else {
		return 0;
	}
	if (!cell_begin(r))
		return (size_t)(p - s);
	r->cur_col = col;
	r->cur_bad_ref = !ref_ok;
	r->cur_style = style;
	r->cur_type = type;
	r->col_next = col + 1;
	r->text_over = tn > r->o.max_string_len;
	static char none[1];
	cell_value(r, text ? text : none, r->text_over ? 0 : tn);
	r->in_cell = r->in_is = r->capture = false;
	return (size_t)(p - s);
}

/* An attribute's name from p: a letter, then letters, digits and colons; its
 * end, or NULL. */
static const char *fast_name(const char *p, const char *end)
{
	if (p >= end || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return NULL;
	while (p < end && (fast_alnum(*p) || *p == ':'))
		p++;
	return p;
}

/* A row's start tag: <row r="7" spans="1:12" ...>, one space before each
 * attribute, values of printable ASCII, the number (of at most 7 digits)
 * in the first attribute named r; or <row .../>. 0 for anything else. */
static size_t fast_row(vs_xlsx_reader *r, char *s, const char *end)
{
	const char *p = s + 4, *num = NULL;
	size_t num_len = 0;
	if (end - s < 5 || memcmp(s, "<row", 4) || r->depth + 1 > VS_XLSX_MAX_DEPTH)
		return 0;
	while (p < end && *p == ' ') {
		const char *an = p + 1, *ae = fast_name(an, end);
		if (!ae || end - ae < 2 || ae[0] != '=' || ae[1] != '"')
			return 0;
		const char *v = ae + 2, *q = v;
		while (q < end && *q != '"' && fast_plain(*q))
			q++;
		if (q >= end || *q != '"')
			return 0;
		const char *ln = ae - 1; /* attr(): the local name, after any prefix */
		if (!num && ln >= an && *ln == 'r' && (ln == an || ln[-1] == ':')) {
			num = v;
			num_len = (size_t)(q - v);
			if (!num_len || num_len > 7)
				return 0;
			for (const char *d = v; d < q; d++)
				if (*d < '0' || *d > '9')
					return 0;
		}
		p = q + 1;
	}
	bool empty = p < end && *p == '/';
	if (empty)
		p++;
	if (p >= end || *p != '>' || (!empty && !xs_push(r->xs, "row", 3)))
		return 0;
	uint64_t n = 0;
	for (size_t k = 0; k < num_len; k++)
		n = n * 10 + (uint64_t)(num[k] - '0');
	row_begin(r, num != NULL, n);
	if (empty)
		row_end(r);
	else
		r->depth++;
	return (size_t)(p + 1 - s);
}

/* The sheet's fast path (xs_fast_fn): rows and common cells in sheetData,
 * one after another up to a row to hand out, or what it cannot read. */
static size_t sheet_fast(void *ud, char *s, const char *end)
{
	vs_xlsx_reader *r = ud;
	char *p = s;
	if (xlsx_no_fast)
		return 0;
	while (*p == '<' && r->in_data && !r->row_ready && !r->fatal) {
		size_t n = 0;
		if (p[1] == 'c')
			n = fast_cell(r, p, end);
		else if (p[1] == 'r')
			n = fast_row(r, p, end);
		else if (end - p >= 6 && !memcmp(p, "</row>", 6) && xs_pop(r->xs, "row", 3)) {
			r->depth--;
			row_end(r);
			n = 6;
		}
		if (!n)
			break;
		p += n;
	}
	return (size_t)(p - s);
}

/* ---- opening ---- */

static void apply_defaults(vs_xlsx_opts *o, const vs_xlsx_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (!o->max_total_len)
		o->max_total_len = VS_XLSX_MAX_TOTAL_LEN;
	if (!o->max_ratio)
		o->max_ratio = VS_XLSX_MAX_RATIO;
	if (!o->max_cells)
		o->max_cells = VS_XLSX_MAX_CELLS;
	if (!o->max_sst_count)
		o->max_sst_count = VS_XLSX_MAX_SST_COUNT;
	if (!o->max_sst_len)
		o->max_sst_len = VS_XLSX_MAX_SST_LEN;
	if (!o->max_string_len)
		o->max_string_len = VS_XLSX_MAX_STRING_LEN;
	if (!o->max_fields)
		o->max_fields = VS_XLSX_MAX_FIELDS;
	if (!o->max_row_len)
		o->max_row_len = VS_XLSX_MAX_ROW_LEN;
	o->sheet = NULL; /* used at open only */
}

static vs_rc reader_new(vs_xlsx_reader **out, const vs_xlsx_opts *opts, const char *name, vs_error *err)
{
	vs_xlsx_reader *r = vs_calloc(1, sizeof(*r));
	if (!r || !(r->name = vs_strdup(name))) {
		vs_free(r);
		return vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
	}
	apply_defaults(&r->o, opts);
	*out = r;
	return VS_OK;
}

static bool sheet_pause(void *ud)
{
	vs_xlsx_reader *r = ud;
	return r->row_ready || r->fatal || r->parse_done;
}

static vs_rc start_sheet_parser(vs_xlsx_reader *r)
{
	if (!xlsx_force_expat) {
		r->xs = xs_new(r, sheet_start, sheet_end, sheet_text, sheet_pause, MAX_TOKEN);
		if (!r->xs)
			return nomem(r);
		xs_set_fast(r->xs, sheet_fast);
		return VS_OK;
	}
	if (!(r->p = XML_ParserCreate(NULL)))
		return nomem(r);
	XML_SetUserData(r->p, r);
	XML_SetElementHandler(r->p, sheet_start, sheet_end);
	XML_SetCharacterDataHandler(r->p, sheet_text);
	XML_SetStartDoctypeDeclHandler(r->p, sheet_dtd);
	return VS_OK;
}

static vs_rc fail_open(vs_xlsx_reader *r, vs_error *err)
{
	vs_rc rc = r->fatal ? r->fatal : VS_ERR_INTERNAL;
	if (err)
		*err = r->fatal_err;
	vs_xlsx_close(r);
	return rc;
}

static vs_rc refuse(vs_xlsx_reader *r, vs_rc code, const char *reason, const char *msg)
{
	return set_fatal(r, code, reason, msg);
}

/* Picks the sheet: by name, by number, or the first visible worksheet. */
static vs_rc pick_sheet(vs_xlsx_reader *r, const wb_ctx *wb, const rels_ctx *rl, const char *want,
                        const char *wb_part, char *part, size_t part_len)
{
	char list[200] = "";
	size_t o = 0;
	for (size_t i = 0; i < wb->n && o < sizeof(list) - 1; i++) {
		int w = snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", wb->v[i].name);
		o += w > 0 ? (size_t)w : 0;
	}
	long pick = -1;
	bool any_sheet = false;
	for (size_t i = 0; i < wb->n; i++) {
		const rel *e = rel_by_id(rl, wb->v[i].rid);
		bool ws = e && ends_with(e->type, "/worksheet");
		any_sheet |= ws;
		if (want && want[0]) {
			if (!strcasecmp(wb->v[i].name, want)) {
				pick = (long)i;
				break;
			}
		} else if (ws && !wb->v[i].hidden && pick < 0) {
			pick = (long)i;
		}
	}
	if (want && want[0] && pick < 0) {
		char *end;
		unsigned long k = strtoul(want, &end, 10);
		if (!*end && k >= 1 && k <= wb->n)
			pick = (long)k - 1;
	}
	if (!(want && want[0]) && pick < 0) /* every worksheet hidden: the first */
		for (size_t i = 0; i < wb->n && pick < 0; i++) {
			const rel *e = rel_by_id(rl, wb->v[i].rid);
			if (e && ends_with(e->type, "/worksheet"))
				pick = (long)i;
		}
	char msg[320];
	if (pick < 0 && !(want && want[0])) {
		snprintf(msg, sizeof(msg), "the workbook has no worksheet (sheets: %s)",
		         wb->n ? list : "none");
		return refuse(r, VS_ERR_PARSE, "XLSX_NO_SHEET", msg);
	}
	if (pick < 0) {
		snprintf(msg, sizeof(msg), "no sheet '%.60s' in the workbook (sheets: %s)", want, list);
		return refuse(r, VS_ERR_PARSE, "XLSX_SHEET_NOT_FOUND", msg);
	}
	const rel *e = rel_by_id(rl, wb->v[pick].rid);
	if (!e || !ends_with(e->type, "/worksheet")) {
		snprintf(msg, sizeof(msg),
		         "sheet '%.60s' is not a worksheet (a chart, macro or dialog sheet)",
		         wb->v[pick].name);
		return refuse(r, VS_ERR_PARSE, any_sheet ? "XLSX_SHEET_NOT_FOUND" : "XLSX_NO_SHEET", msg);
	}
	if (!resolve(part, part_len, wb_part, e->target))
		return refuse(r, VS_ERR_PARSE, "XLSX_CORRUPT",
		              "the workbook is damaged: a sheet's path is invalid");
	if (!(r->sheet = vs_strdup(wb->v[pick].name)))
		return nomem(r);
	return VS_OK;
}

static vs_rc load_optional(vs_xlsx_reader *r, const rels_ctx *rl, const char *wb_part, const char *type,
                           part_ctx *c)
{
	char part[PATH_MAX_LEN];
	const rel *e = rel_by_type(rl, type);
	if (!e || !resolve(part, sizeof(part), wb_part, e->target))
		return VS_OK;
	vs_rc rc = parse_part(r, part, c);
	return rc == VS_ERR_NOTFOUND ? VS_OK : rc;
}

static vs_rc open_workbook(vs_xlsx_reader *r, const char *want)
{
	ct_ctx ct = {0};
	rels_ctx rl = {0};
	wb_ctx wb = {0};
	st_ctx *st = NULL;
	sst_ctx sx = {0};
	char rp[PATH_MAX_LEN + 16], part[PATH_MAX_LEN];
	part_ctx c = {.start = ct_start, .ud = &ct};
	vs_rc rc = parse_part(r, "[Content_Types].xml", &c);
	if (rc == VS_ERR_NOTFOUND) {
		rc = refuse(r, VS_ERR_PARSE, "XLSX_NOT_WORKBOOK",
		            "a zip archive without [Content_Types].xml: not an Excel workbook");
		goto out;
	}
	if (rc)
		goto out;
	if (!ct.main[0]) {
		char msg[200];
		snprintf(msg, sizeof(msg), "not an Excel workbook: %s",
		         ct.other ? ct.other : "a zip archive with no spreadsheet part");
		rc = refuse(r, VS_ERR_PARSE, "XLSX_NOT_WORKBOOK", msg);
		goto out;
	}
	rels_path(rp, sizeof(rp), ct.main);
	c = (part_ctx){.start = rels_start, .ud = &rl};
	if ((rc = parse_part(r, rp, &c)) == VS_ERR_NOTFOUND)
		rc = VS_OK; /* no relationships: no sheet, told below */
	if (!rc && rl.nomem)
		rc = nomem(r);
	if (rc)
		goto out;
	c = (part_ctx){.start = wb_start, .ud = &wb};
	if ((rc = parse_part(r, ct.main, &c)) == VS_ERR_NOTFOUND)
		rc = refuse(r, VS_ERR_PARSE, "XLSX_CORRUPT",
		            "the workbook is damaged: its main part is missing");
	if (!rc && wb.nomem)
		rc = nomem(r);
	if (rc)
		goto out;
	r->date1904 = wb.date1904;
	if ((rc = pick_sheet(r, &wb, &rl, want, ct.main, part, sizeof(part))))
		goto out;
	int64_t si = xz_locate(r->zip, part);
	if (si < 0) {
		rc = refuse(r, VS_ERR_PARSE, "XLSX_CORRUPT",
		            "the workbook is damaged: its sheet part is missing");
		goto out;
	}
	if (!(st = vs_calloc(1, sizeof(*st)))) {
		rc = nomem(r);
		goto out;
	}
	c = (part_ctx){.start = st_start, .end = st_end, .ud = st};
	if ((rc = load_optional(r, &rl, ct.main, "/styles", &c)))
		goto out;
	if (st->nomem) {
		rc = nomem(r);
		goto out;
	}
	c = (part_ctx){.start = sst_start, .end = sst_end, .text = sst_text, .fast = sst_fast, .ud = &sx};
	if ((rc = load_optional(r, &rl, ct.main, "/sharedStrings", &c)))
		goto out;
	r->sheet_idx = si;
	if ((rc = xz_entry_open(r->zip, si, &r->entry, &r->fatal_err))) {
		r->fatal = rc;
		goto out;
	}
	rc = start_sheet_parser(r);
out:
	rels_free(&rl);
	wb_free(&wb);
	vs_free(st);
	return rc;
}

static vs_rc open_common(vs_xlsx_reader **out, const char *path, const void *data, size_t len,
                         const char *name, const vs_xlsx_opts *opts, vs_error *err)
{
	vs_xlsx_reader *r = NULL;
	*out = NULL;
	vs_rc rc = reader_new(&r, opts, name, err);
	if (rc)
		return rc;
	if ((path ? vs_xlsx_sniff_file(path) : vs_xlsx_sniff(data, len)) == VS_XLSX_SNIFF_OLE2) {
		if ((rc = xz_ole2_check(path, data, len, name, err)) ||
		    (rc = xb_open(&r->xls, path, data, len, name, opts ? opts->sheet : NULL,
		                  r->o.max_total_len, r->o.max_cells, r->o.max_string_len, err)) ||
		    !(r->sheet = vs_strdup(xb_sheet(r->xls)))) {
			rc = rc ? rc : vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
			vs_xlsx_close(r);
			return rc;
		}
		*out = r;
		return VS_OK;
	}
	if ((rc = xz_open(&r->zip, path, data, len, name, r->o.max_total_len, r->o.max_ratio, err))) {
		vs_xlsx_close(r);
		return rc;
	}
	if (open_workbook(r, opts ? opts->sheet : NULL))
		return fail_open(r, err);
	*out = r;
	return VS_OK;
}

vs_rc vs_xlsx_open(vs_xlsx_reader **out, const char *path, const vs_xlsx_opts *opts, vs_error *err)
{
	return open_common(out, path, NULL, 0, path, opts, err);
}

vs_rc vs_xlsx_open_mem(vs_xlsx_reader **out, const void *data, size_t len, const char *name,
                       const vs_xlsx_opts *opts, vs_error *err)
{
	return open_common(out, NULL, data, len, name ? name : "memory", opts, err);
}

vs_rc xlsx_open_sheet_xml(vs_xlsx_reader **out, const void *xml, size_t len, const vs_xlsx_opts *opts,
                          vs_error *err)
{
	vs_xlsx_reader *r = NULL;
	*out = NULL;
	vs_rc rc = reader_new(&r, opts, "sheet.xml", err);
	if (rc)
		return rc;
	r->mem = xml;
	r->mem_len = len;
	if (!(r->sheet = vs_strdup("Sheet1")) || start_sheet_parser(r)) {
		vs_xlsx_close(r);
		return vs_error_set(err, VS_ERR_NOMEM, "sheet.xml", 0, 0, NULL, "out of memory");
	}
	*out = r;
	return VS_OK;
}

/* ---- rows ---- */

/* Reads the next chunk of the sheet into buf; *got 0 at its end. */
static vs_rc read_chunk(vs_xlsx_reader *r, char *buf, size_t *got)
{
	if (r->entry) {
		vs_rc rc = xz_entry_read(r->entry, buf, CHUNK_LEN, got, &r->fatal_err);
		return rc ? (r->fatal = rc) : VS_OK;
	}
	*got = r->mem_len - r->mem_off < CHUNK_LEN ? r->mem_len - r->mem_off : CHUNK_LEN;
	memcpy(buf, r->mem + r->mem_off, *got);
	r->mem_off += *got;
	return VS_OK;
}

/* The sheet is not UTF-8: read it again from its start with expat. */
static vs_rc restart_with_expat(vs_xlsx_reader *r)
{
	xs_free(r->xs);
	r->xs = NULL;
	r->mem_off = 0;
	if (r->entry) {
		xz_entry_close(r->entry);
		r->entry = NULL;
		vs_rc rc = xz_entry_open(r->zip, r->sheet_idx, &r->entry, &r->fatal_err);
		if (rc)
			return r->fatal = rc;
	}
	if (!(r->p = XML_ParserCreate(NULL)))
		return nomem(r);
	XML_SetUserData(r->p, r);
	XML_SetElementHandler(r->p, sheet_start, sheet_end);
	XML_SetCharacterDataHandler(r->p, sheet_text);
	XML_SetStartDoctypeDeclHandler(r->p, sheet_dtd);
	return VS_OK;
}

/* One step of the tokenizer over the sheet: a row, the end, or more bytes. */
static vs_rc feed_scan(vs_xlsx_reader *r)
{
	int st = xs_run(r->xs);
	if (r->fatal || st == XS_PAUSE)
		return r->fatal;
	if (st == XS_DONE) {
		r->parse_done = true;
		return VS_OK;
	}
	if (st == XS_ENCODING)
		return restart_with_expat(r);
	if (st != XS_MORE)
		return scan_fail(r, st, "the sheet", xs_error(r->xs), VS_ERR_IO);
	char *buf = xs_space(r->xs, CHUNK_LEN);
	size_t got = 0;
	if (!buf)
		return nomem(r);
	vs_rc rc = read_chunk(r, buf, &got);
	if (!rc)
		xs_commit(r->xs, got);
	return rc;
}

static vs_rc feed(vs_xlsx_reader *r)
{
	if (r->xs)
		return feed_scan(r);
	XML_ParsingStatus ps;
	XML_GetParsingStatus(r->p, &ps);
	enum XML_Status st;
	if (ps.parsing == XML_SUSPENDED) {
		st = XML_ResumeParser(r->p);
	} else {
		void *buf = XML_GetBuffer(r->p, CHUNK_LEN);
		size_t got = 0;
		if (!buf)
			return nomem(r);
		vs_rc rc = read_chunk(r, buf, &got);
		if (rc)
			return rc;
		r->eof = got == 0;
		st = XML_ParseBuffer(r->p, (int)got, got == 0);
	}
	if (st == XML_STATUS_ERROR && !r->fatal && !r->parse_done)
		return xml_error(r, r->p, "the sheet", VS_ERR_IO);
	if (r->fatal)
		return r->fatal;
	if (st == XML_STATUS_OK && r->eof)
		r->parse_done = true;
	return VS_OK;
}

static void make_raw(vs_xlsx_reader *r, char **f, size_t n)
{
	size_t o = 0;
	r->raw_made = true;
	for (size_t i = 0; i < n && o < RAW_MAX; i++) {
		if (i)
			r->raw[o++] = ',';
		const char *s = f[i];
		bool q = strpbrk(s, ",\"\r\n") != NULL;
		if (q && o < RAW_MAX)
			r->raw[o++] = '"';
		for (; *s && o < RAW_MAX; s++) {
			if (*s == '"' && o < RAW_MAX)
				r->raw[o++] = '"';
			if (o < RAW_MAX)
				r->raw[o++] = *s;
		}
		if (q && o < RAW_MAX)
			r->raw[o++] = '"';
	}
	if (o >= RAW_MAX) { /* cut on a character boundary */
		o = RAW_MAX;
		while (o && ((unsigned char)r->raw[o] & 0xc0) == 0x80)
			o--;
	}
	r->raw[o] = 0;
	r->raw_len = o;
}

/* The row's fields by column, from its cells. */
static vs_rc build_row(vs_xlsx_reader *r, vs_csv_row *row)
{
	size_t n = r->max_col;
	unsigned flags = 0;
	if (r->expected && n > r->expected)
		flags |= VS_CSV_ROW_RAGGED;
	if (n < r->expected)
		n = r->expected;
	if (n > r->fields_cap) {
		char **f = vs_reallocarray(r->fields, n, sizeof(*f));
		if (f)
			r->fields = f;
		size_t *l = f ? vs_reallocarray(r->lens, n, sizeof(*l)) : NULL;
		if (!l)
			return nomem(r);
		r->lens = l;
		r->fields_cap = n;
	}
	if (!r->rbuf && !(r->rbuf = vs_calloc(1, r->rbuf_cap = 64)))
		return nomem(r);
	r->rbuf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		r->fields[i] = r->rbuf;
		r->lens[i] = 0;
	}
	for (size_t i = 0; i < r->ncells; i++) {
		const cell *c = &r->cells_v[i];
		r->fields[c->col] = r->rbuf + c->off;
		r->lens[c->col] = c->len;
	}
	memset(row, 0, sizeof(*row));
	row->count = n;
	row->fields = r->fields;
	row->lens = r->lens;
	row->line = r->row_num;
	row->index = r->index;
	row->flags = flags;
	return VS_OK;
}

/* ---- an old .xls: the cells FreeXL gives, into the same row ---- */

static void xls_put(void *ud, uint32_t col, const char *s, size_t len)
{
	vs_xlsx_reader *r = ud;
	r->cur_col = col;
	row_put(r, s, len);
}

static void xls_bad(void *ud, uint32_t col, const char *reason, const char *msg)
{
	row_error(ud, col, reason, msg);
}

/* The next row with a value (or a bad cell), or the end. */
static void xls_feed(vs_xlsx_reader *r)
{
	xb_sink k = {.ud = r, .put = xls_put, .bad = xls_bad};
	while (!r->row_ready && !r->fatal) {
		r->ncells = 0;
		r->rbuf_len = 1; /* rbuf[0] is the empty field */
		r->max_col = 0;
		r->row_reason = NULL;
		if (!r->rbuf && !(r->rbuf = vs_calloc(1, r->rbuf_cap = 64))) {
			nomem(r);
			return;
		}
		vs_rc rc = xb_next(r->xls, &r->row_num, &k);
		if (rc == VS_DONE) {
			r->parse_done = true;
			return;
		}
		if (rc) {
			set_fatal(
			    r, VS_ERR_IO, "XLSX_OLD_XLS",
			    "the .xls workbook's reader stopped on it (a damaged file); the rows before "
			    "were read");
			return;
		}
		r->row_ready = r->ncells || r->row_reason;
	}
}

vs_rc vs_xlsx_next(vs_xlsx_reader *r, vs_csv_row *row, vs_error *err)
{
	r->raw[0] = 0;
	r->raw_len = 0;
	r->raw_made = true;
	r->raw_count = 0;
	if (r->xls && !r->row_ready && !r->fatal && !r->parse_done)
		xls_feed(r);
	while (!r->row_ready) {
		if (r->fatal)
			break;
		if (r->parse_done)
			return VS_DONE;
		feed(r);
	}
	if (r->fatal && !r->row_ready) {
		if (err)
			*err = r->fatal_err;
		return r->fatal;
	}
	r->row_ready = false;
	r->last_line = r->row_num;
	if (build_row(r, row)) {
		if (err)
			*err = r->fatal_err;
		return r->fatal;
	}
	r->raw_made = false; /* vs_xlsx_last_raw makes it from fields[0..raw_count) */
	r->raw_count = row->count;
	r->index++;
	if (r->row_reason) {
		vs_xlsx_locate(err, r->name, r->sheet, r->row_err_col, r->row_num);
		if (err) {
			err->code = VS_ERR_PARSE;
			snprintf(err->message, sizeof(err->message), "%s", r->row_msg);
			vs_error_reason(err, r->row_reason);
		}
		return VS_ERR_PARSE;
	}
	return VS_OK;
}

void vs_xlsx_set_expected_fields(vs_xlsx_reader *r, size_t count)
{
	r->expected = count;
}

const char *vs_xlsx_last_raw(const vs_xlsx_reader *r, size_t *len)
{
	if (!r->raw_made) { /* the row's fields are still those handed out: cached, not a change */
		vs_xlsx_reader *w = (vs_xlsx_reader *)r;
		make_raw(w, w->fields, w->raw_count);
	}
	if (len)
		*len = r->raw_len;
	return r->raw;
}

uint64_t vs_xlsx_last_line(const vs_xlsx_reader *r)
{
	return r->last_line;
}

const char *vs_xlsx_sheet_name(const vs_xlsx_reader *r)
{
	return r->sheet ? r->sheet : "";
}

const char *vs_xlsx_name(const vs_xlsx_reader *r)
{
	return r->name;
}

uint64_t vs_xlsx_bytes_read(const vs_xlsx_reader *r)
{
	return r->xls ? xb_bytes_read(r->xls) : r->entry ? xz_entry_packed_read(r->entry) : r->mem_off;
}

void vs_xlsx_close(vs_xlsx_reader *r)
{
	if (!r)
		return;
	if (r->p)
		XML_ParserFree(r->p);
	xs_free(r->xs);
	xz_entry_close(r->entry);
	xz_close(r->zip);
	xb_close(r->xls);
	vs_free(r->sst);
	vs_free(r->sst_off);
	vs_free(r->sst_slen);
	vs_free(r->xf_kind);
	vs_free(r->text);
	vs_free(r->rbuf);
	vs_free(r->cells_v);
	vs_free(r->fields);
	vs_free(r->lens);
	vs_free(r->name);
	vs_free(r->sheet);
	vs_free(r);
}

/* ---- locations ---- */

void vs_xlsx_cell_ref(char *out, size_t out_len, uint32_t col, uint64_t row)
{
	char letters[8];
	int n = 0;
	uint32_t c = col + 1;
	while (c && n < 7) {
		letters[n++] = (char)('A' + (c - 1) % 26);
		c = (c - 1) / 26;
	}
	char rev[8];
	for (int i = 0; i < n; i++)
		rev[i] = letters[n - 1 - i];
	rev[n] = 0;
	snprintf(out, out_len, "%s%llu", rev, (unsigned long long)row);
}

void vs_xlsx_locate(vs_error *err, const char *name, const char *sheet, int64_t col, uint64_t row)
{
	if (!err)
		return;
	char ref[24];
	vs_xlsx_cell_ref(ref, sizeof(ref), col < 0 ? 0 : (uint32_t)col, row);
	bool quote = false;
	for (const char *s = sheet; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || (unsigned char)*s >= 0x80))
			quote = true;
	snprintf(err->file, sizeof(err->file), "%.150s:%s%.60s%s!%s", name, quote ? "'" : "", sheet,
	         quote ? "'" : "", ref);
	err->line = 0;
	err->column = 0;
}

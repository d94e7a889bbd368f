/* reader.c - the one ingest path from a file: a shots or registry CSV file
 * to submissions (or registry rows) with provenance, and every row that
 * cannot be one to a rejection with its place and reason. `run`, `check`,
 * `standardize` and the service read through it, so they accept and refuse
 * exactly the same rows.
 *
 * The rules above the CSV reader's own (docs/file-formats.md): a row that
 * repeats the header is not a record (two exports joined); a shot row needs
 * a facility code and a record id within the store's key lengths, and one
 * (facility, record id) appears once per file; a registry row needs a 12-digit
 * citizen id, and two rows with one id and different people are a conflict
 * (the later one rejected here, the id reported for holding). A layout the
 * caller gives (`link` with a settings file) is read by the same code with the
 * shot rules, its key columns in place of (facility_code, record_id). Keys
 * already seen are kept as 64-bit hashes (16 bytes a row), not as text.
 *
 * A workbook (.xlsx, told by its content: a zip or an OLE2 file) is read by
 * the xlsx reader into the same rows; its rows are located as SHEET!CELL
 * (err->file "name:Sheet1!D17", line and column 0) and their line is the
 * sheet's row number. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "vaxsync/schema.h"
#include "vaxsync/xlsx.h"

/* rows above the header that a file may have (a report's title, the facility, the month, a note):
 * more, and the first row stays the header that names too few columns */
#define TITLE_ROWS_MAX 10

/* the store's key lengths (vs_store_record, vs_store_citizen) minus the NUL */
#define MAX_FACILITY 31
#define MAX_RECORD_ID 63

_Static_assert((int)VS_REG_COL_COUNT >= (int)VS_SHOT_COL_COUNT, "f holds either layout");
_Static_assert(VS_ENGINE_MAX_COLUMNS >= (int)VS_REG_COL_COUNT, "idx holds every layout");

/* A column naming a record: present (trimmed) and at most max_len bytes. */
typedef struct key_rule {
	int col;           /* canonical index */
	size_t max_len;    /* the store's key length */
	const char *label; /* in messages: "facility code" */
	const char *field; /* the column's name */
} key_rule;

typedef struct key_set {
	uint64_t *keys; /* 0 = empty slot (a key hashing to 0 is stored as 1) */
	uint64_t *vals;
	size_t cap, n;
} key_set;

struct vs_engine_reader {
	vs_csv_reader *csv;
	vs_xlsx_reader *xlsx; /* instead of csv for a workbook */
	char *path;
	int kind;
	vs_csv_colspec specs[VS_ENGINE_MAX_COLUMNS]; /* the layout's columns (names borrowed) */
	int idx[VS_ENGINE_MAX_COLUMNS];
	int ncols;
	key_rule keys[VS_ENGINE_MAX_KEYS]; /* shots and layouts */
	size_t nkeys;
	int header_key;     /* the column whose cell a repeated header has without digits */
	char **header;      /* the header's cells, trimmed and folded to lower case */
	char **header_text; /* and as written */
	size_t header_count;
	key_set seen;
	char **conflicts; /* registry ids held for a conflict */
	size_t nconflicts, cap_conflicts;
	char last_facility[32];
	bool lenient;
	uint64_t rows, rejected;
	/* rows above the header (a title, the facility's name, a note), reported as rejected first */
	struct {
		uint64_t line;
		char *raw;
		const char *sheet;
	} above[TITLE_ROWS_MAX];
	size_t nabove, next_above;
	char default_facility[MAX_FACILITY + 1]; /* an upload's: a missing or empty facility code */
};

/* The sheet readers opened from now on read (vs_engine_reader_set_sheet). */
static char g_sheet[256];

void vs_engine_reader_set_sheet(const char *sheet)
{
	snprintf(g_sheet, sizeof(g_sheet), "%s", sheet ? sheet : "");
}

/* The source's next row, raw text and size: CSV or workbook. */
static vs_rc src_next(vs_engine_reader *rd, vs_csv_row *row, vs_error *err)
{
	return rd->xlsx ? vs_xlsx_next(rd->xlsx, row, err) : vs_csv_next(rd->csv, row, err);
}

static const char *src_raw(const vs_engine_reader *rd)
{
	return rd->xlsx ? vs_xlsx_last_raw(rd->xlsx, NULL) : vs_csv_last_raw(rd->csv, NULL);
}

static vs_rc src_open(vs_engine_reader *rd, const char *path, const vs_csv_opts *opts, vs_error *err)
{
	if (vs_xlsx_sniff_file(path) == VS_XLSX_SNIFF_NONE)
		return vs_csv_open(&rd->csv, path, opts, err);
	vs_xlsx_opts xo = {0};
	xo.sheet = g_sheet[0] ? g_sheet : NULL;
	if (opts) {
		xo.max_string_len = opts->max_field_len;
		xo.max_fields = opts->max_fields;
		xo.max_row_len = opts->max_row_len;
	}
	return vs_xlsx_open(&rd->xlsx, path, &xo, err);
}

static uint64_t key_hash(const char *a, const char *b)
{
	uint64_t h = vs_hash_fnv1a(a, strlen(a));
	h = vs_hash_fnv1a_seed(h ^ 0x9e3779b97f4a7c15ull, b, strlen(b));
	return h ? h : 1;
}

/* Finds key; when absent adds it with val. Returns the slot's value pointer
 * and whether it was there. NULL on out of memory. */
static uint64_t *key_put(key_set *s, uint64_t key, uint64_t val, bool *found)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4096;
		uint64_t *k = vs_calloc(cap, sizeof(*k)), *v = vs_calloc(cap, sizeof(*v));
		if (!k || !v) {
			vs_free(k);
			vs_free(v);
			return NULL;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->keys[i])
				for (size_t j = s->keys[i] & (cap - 1);; j = (j + 1) & (cap - 1))
					if (!k[j]) {
						k[j] = s->keys[i];
						v[j] = s->vals[i];
						break;
					}
		vs_free(s->keys);
		vs_free(s->vals);
		s->keys = k;
		s->vals = v;
		s->cap = cap;
	}
	for (size_t j = key & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
		if (s->keys[j] == key) {
			*found = true;
			return &s->vals[j];
		}
		if (!s->keys[j]) {
			s->keys[j] = key;
			s->vals[j] = val;
			s->n++;
			*found = false;
			return &s->vals[j];
		}
	}
}

static char *fold_dup(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	char *d = vs_malloc(n + 1);
	if (d) {
		for (size_t i = 0; i < n; i++)
			d[i] = (char)tolower((unsigned char)s[i]);
		d[n] = 0;
	}
	return d;
}

static bool has_digit(const char *s)
{
	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			return true;
	return false;
}

/* True when the row maps as a header of the layout with its key columns
 * (the schema's own required columns: a lenient reader's too). */
static bool maps_as_header(const vs_engine_reader *rd, const vs_csv_row *row)
{
	const vs_csv_colspec *specs = rd->kind == VS_FILE_REGISTRY ? vs_schema_registry
	                              : rd->kind == VS_FILE_SHOTS  ? vs_schema_shots
	                                                           : rd->specs;
	int idx[VS_ENGINE_MAX_COLUMNS];
	if (vs_csv_map_header(row, specs, (size_t)rd->ncols, idx, NULL, NULL) != VS_OK)
		return false;
	if (rd->kind == VS_FILE_SHOTS)
		return idx[VS_SHOT_RECORD_ID] >= 0;
	for (size_t i = 0; i < rd->nkeys && rd->kind == VS_FILE_LAYOUT; i++)
		if (idx[rd->keys[i].col] < 0)
			return false;
	return true;
}

static bool same_as_header(const vs_engine_reader *rd, const vs_csv_row *row)
{
	/* a header in other accepted names (a Vietnamese export joined to an
	 * English one): the row maps as a header of this layout. Only tried when
	 * the key cell has no digit (ids have; column names have not). */
	int key = rd->idx[rd->header_key];
	if (key >= 0 && (size_t)key < row->count && row->fields[key][0] && !has_digit(row->fields[key]) &&
	    maps_as_header(rd, row))
		return true;
	if (row->count != rd->header_count)
		return false;
	for (size_t i = 0; i < row->count; i++) {
		const char *s = row->fields[i];
		while (*s == ' ' || *s == '\t')
			s++;
		const char *h = rd->header[i];
		size_t n = strlen(h);
		if (strncasecmp(s, h, n))
			return false;
		for (s += n; *s; s++)
			if (*s != ' ' && *s != '\t')
				return false;
	}
	return true;
}

/* The columns and key rules of the file's kind (or of the caller's layout). */
static void set_layout(vs_engine_reader *rd, int kind, const vs_engine_layout *lay)
{
	static const key_rule shot_keys[] = {
	    {VS_SHOT_FACILITY_CODE, MAX_FACILITY, "facility code", "facility_code"},
	    {VS_SHOT_RECORD_ID, MAX_RECORD_ID, "record id", "record_id"}};
	rd->kind = kind;
	if (lay) {
		rd->ncols = (int)lay->count;
		memcpy(rd->specs, lay->cols, lay->count * sizeof(*rd->specs));
		for (size_t i = 0; i < lay->key_count; i++) {
			int c = lay->keys[i];
			rd->keys[i] = (key_rule){c, MAX_RECORD_ID, lay->cols[c].name, lay->cols[c].name};
		}
		rd->nkeys = lay->key_count;
		rd->header_key = lay->keys[0];
		return;
	}
	rd->ncols = kind == VS_FILE_REGISTRY ? VS_REG_COL_COUNT : VS_SHOT_COL_COUNT;
	memcpy(rd->specs, kind == VS_FILE_REGISTRY ? vs_schema_registry : vs_schema_shots,
	       (size_t)rd->ncols * sizeof(*rd->specs));
	if (rd->lenient && kind == VS_FILE_SHOTS)
		for (int i = 0; i < rd->ncols; i++)
			rd->specs[i].required = i == VS_SHOT_FULL_NAME;
	if (kind == VS_FILE_SHOTS) {
		memcpy(rd->keys, shot_keys, sizeof(shot_keys));
		rd->nkeys = 2;
	}
	rd->header_key = kind == VS_FILE_REGISTRY ? (int)VS_REG_CITIZEN_ID : (int)VS_SHOT_RECORD_ID;
}

static vs_rc reader_open(vs_engine_reader **out, const char *path, int kind, const vs_engine_layout *lay,
                         const char *facility, const vs_csv_opts *opts, vs_error *err)
{
	vs_engine_reader *rd = vs_calloc(1, sizeof(*rd));
	vs_csv_row row;
	*out = NULL;
	if (!rd || !(rd->path = vs_strdup(path))) {
		vs_free(rd);
		return eng_nomem(err);
	}
	if (facility)
		snprintf(rd->default_facility, sizeof(rd->default_facility), "%s", facility);
	vs_rc rc = src_open(rd, path, opts, err);
	if (!rc) {
		rc = src_next(rd, &row, err);
		if (rc == VS_DONE) {
			rc = vs_error_set(err, VS_ERR_PARSE, path, rd->xlsx ? 0 : 1, 0, NULL,
			                  rd->xlsx ? "the sheet is empty" : "the file is empty");
			vs_error_reason(err, "CSV_EMPTY_FILE");
		}
	}
	if (rc)
		goto fail;
	rd->lenient = (kind & VS_FILE_LENIENT) != 0;
	kind &= ~VS_FILE_LENIENT;
	/* The header is the first row that names the columns: a report's title and notes above it
	 * (DANH SÁCH NGƯỜI TIÊM ..., the facility, the month) are set aside, up to TITLE_ROWS_MAX,
	 * and reported as rejected rows (CSV_ROW_BEFORE_HEADER) before the records. When no row does,
	 * the first row's error stands. */
	vs_error first = {0};
	size_t scanned = 0;
	for (;;) {
		int k = kind;
		if (!k) {
			vs_schema_kind sk = vs_schema_detect(&row);
			k = sk == VS_SCHEMA_REGISTRY ? VS_FILE_REGISTRY : VS_FILE_SHOTS;
		}
		set_layout(rd, k, lay);
		if (rd->default_facility[0] && rd->kind == VS_FILE_SHOTS)
			rd->specs[VS_SHOT_FACILITY_CODE].required = false;
		vs_error herr = {0};
		if (!(rc = vs_csv_map_header(&row, rd->specs, (size_t)rd->ncols, rd->idx, path, &herr)))
			break;
		if (!scanned++)
			first = herr;
		if (rc != VS_ERR_PARSE || scanned > TITLE_ROWS_MAX)
			break;
		bool empty = true; /* a row of empty cells holds nothing to report */
		for (size_t i = 0; i < row.count && empty; i++)
			empty = row.fields[i][strspn(row.fields[i], " \t")] == '\0';
		if (!empty) {
			char *raw = vs_strdup(src_raw(rd));
			if (!raw) {
				rc = eng_nomem(err);
				goto fail;
			}
			rd->above[rd->nabove].line = rd->xlsx ? vs_xlsx_last_line(rd->xlsx) : row.line;
			rd->above[rd->nabove].raw = raw;
			rd->nabove++;
		}
		vs_error nerr = {0};
		if ((rc = src_next(rd, &row, &nerr)))
			break;
	}
	if (rc) {
		if (err)
			*err = first;
		rc = VS_ERR_PARSE;
		goto fail;
	}
	if (rd->xlsx)
		vs_xlsx_set_expected_fields(rd->xlsx, row.count);
	else
		vs_csv_set_expected_fields(rd->csv, row.count);
	rd->header = vs_calloc(row.count ? row.count : 1, sizeof(*rd->header));
	rd->header_text = vs_calloc(row.count ? row.count : 1, sizeof(*rd->header_text));
	if (!rd->header || !rd->header_text) {
		rc = eng_nomem(err);
		goto fail;
	}
	rd->header_count = row.count;
	for (size_t i = 0; i < row.count; i++)
		if (!(rd->header[i] = fold_dup(row.fields[i])) ||
		    !(rd->header_text[i] = vs_strdup(row.fields[i]))) {
			rc = eng_nomem(err);
			goto fail;
		}
	*out = rd;
	return VS_OK;
fail:
	vs_engine_reader_close(rd);
	return rc;
}

vs_rc vs_engine_reader_open(vs_engine_reader **out, const char *path, int kind, const vs_csv_opts *opts,
                            vs_error *err)
{
	return reader_open(out, path, kind, NULL, NULL, opts, err);
}

vs_rc vs_engine_reader_open_facility(vs_engine_reader **out, const char *path, const char *facility,
                                     const vs_csv_opts *opts, vs_error *err)
{
	return reader_open(out, path, VS_FILE_SHOTS, NULL, facility, opts, err);
}

vs_rc vs_engine_reader_open_layout(vs_engine_reader **out, const char *path, const vs_engine_layout *lay,
                                   const vs_csv_opts *opts, vs_error *err)
{
	*out = NULL;
	bool ok = lay && lay->cols && lay->count >= 1 && lay->count <= VS_ENGINE_MAX_COLUMNS &&
	          lay->key_count >= 1 && lay->key_count <= VS_ENGINE_MAX_KEYS;
	for (size_t i = 0; ok && i < lay->key_count; i++)
		ok = lay->keys[i] >= 0 && (size_t)lay->keys[i] < lay->count;
	if (!ok)
		return vs_error_set(err, VS_ERR_ARG, path, 0, 0, NULL,
		                    "a layout needs 1 to %d columns and 1 to %d key columns among them",
		                    VS_ENGINE_MAX_COLUMNS, VS_ENGINE_MAX_KEYS);
	return reader_open(out, path, VS_FILE_LAYOUT, lay, NULL, opts, err);
}

int vs_engine_reader_kind(const vs_engine_reader *rd)
{
	return rd->kind;
}

size_t vs_engine_reader_header(const vs_engine_reader *rd, const char *const **cells)
{
	*cells = (const char *const *)rd->header_text;
	return rd->header_count;
}

int vs_engine_reader_column(const vs_engine_reader *rd, int k)
{
	return k >= 0 && k < rd->ncols ? rd->idx[k] : -1;
}

uint64_t vs_engine_reader_bytes(const vs_engine_reader *rd)
{
	return rd->xlsx ? vs_xlsx_bytes_read(rd->xlsx) : vs_csv_bytes_read(rd->csv);
}

char vs_engine_reader_delimiter(const vs_engine_reader *rd)
{
	return rd->xlsx ? ',' : vs_csv_delimiter(rd->csv);
}

const char *vs_engine_reader_sheet(const vs_engine_reader *rd)
{
	return rd->xlsx ? vs_xlsx_sheet_name(rd->xlsx) : NULL;
}

void vs_engine_reader_counts(const vs_engine_reader *rd, uint64_t *rows, uint64_t *rejected)
{
	if (rows)
		*rows = rd->rows;
	if (rejected)
		*rejected = rd->rejected;
}

size_t vs_engine_reader_conflicts(const vs_engine_reader *rd, const char *const **ids)
{
	*ids = (const char *const *)rd->conflicts;
	return rd->nconflicts;
}

static const char *field(const vs_engine_reader *rd, const vs_csv_row *row, int k)
{
	int i = rd->idx[k];
	const char *v = (i >= 0 && (size_t)i < row->count) ? row->fields[i] : "";
	/* a facility's own file that leaves its code out (no column, or an empty cell) */
	if (k == VS_SHOT_FACILITY_CODE && rd->kind == VS_FILE_SHOTS && rd->default_facility[0] &&
	    v[strspn(v, " \t")] == '\0')
		return rd->default_facility;
	return v;
}

static bool is_cccd(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (s[n] < '0' || s[n] > '9')
			return false;
	return n == 12;
}

/* The trimmed length of s. */
static size_t trimmed_len(const char *s, const char **start)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	*start = s;
	return n;
}

static vs_rc reject(vs_engine_reader *rd, vs_engine_read *out, const vs_csv_row *row, int col,
                    const char *field_name, const char *reason, const char *msg)
{
	vs_error_set(&out->why, VS_ERR_PARSE, rd->path, row->line, col >= 0 ? (uint32_t)col + 1 : 0,
	             field_name, "%s", msg);
	if (rd->xlsx)
		vs_xlsx_locate(&out->why, rd->path, vs_xlsx_sheet_name(rd->xlsx), col, row->line);
	vs_error_reason(&out->why, reason);
	out->rejected = true;
	return VS_OK;
}

static vs_rc hold_conflict(vs_engine_reader *rd, const char *id)
{
	for (size_t i = 0; i < rd->nconflicts; i++)
		if (!strcmp(rd->conflicts[i], id))
			return VS_OK;
	if (rd->nconflicts == rd->cap_conflicts) {
		size_t cap = rd->cap_conflicts ? 2 * rd->cap_conflicts : 16;
		char **p = vs_reallocarray(rd->conflicts, cap, sizeof(*p));
		if (!p)
			return VS_ERR_NOMEM;
		rd->conflicts = p;
		rd->cap_conflicts = cap;
	}
	if (!(rd->conflicts[rd->nconflicts] = vs_strdup(id)))
		return VS_ERR_NOMEM;
	rd->nconflicts++;
	return VS_OK;
}

static vs_rc check_key(vs_engine_reader *rd, const vs_csv_row *row, vs_engine_read *out, vs_error *err);

/* The checks of a good CSV row; sets out->rejected when it is not a record. */
/* A row that numbers the columns, as report templates put under the header: its cells, from the
 * first, are 1, 2, 3 ... or (1), (2), (3) ... (empty cells after them allowed; at least three). */
static bool column_numbers(const vs_csv_row *row)
{
	size_t k = 0;
	for (; k < row->count; k++) {
		const char *c = row->fields[k];
		c += strspn(c, " \t");
		if (!*c)
			break;
		bool paren = *c == '(';
		c += paren;
		char *end;
		unsigned long v = strtoul(c, &end, 10);
		if (end == c || v != k + 1 || *c == '+' || *c == '-' || *c == ' ')
			return false;
		if (paren && *end++ != ')')
			return false;
		if (end[strspn(end, " \t")] != '\0')
			return false;
	}
	for (size_t j = k; j < row->count; j++)
		if (row->fields[j][strspn(row->fields[j], " \t")] != '\0')
			return false;
	return k >= 3;
}

static vs_rc check_row(vs_engine_reader *rd, const vs_csv_row *row, vs_engine_read *out, vs_error *err)
{
	if (same_as_header(rd, row))
		return reject(rd, out, row, -1, NULL, "CSV_REPEATED_HEADER",
		              "the row repeats the header (two exports joined?); not a record");
	if (column_numbers(row))
		return reject(rd, out, row, -1, NULL, "CSV_COLUMN_NUMBERS_ROW",
		              "the row numbers the columns (1, 2, 3 ...); not a record");
	bool found;
	if (rd->lenient)
		return VS_OK;
	if (rd->kind == VS_FILE_REGISTRY) {
		const char *id;
		size_t n = trimmed_len(field(rd, row, VS_REG_CITIZEN_ID), &id);
		char buf[16];
		if (n >= sizeof(buf) || (memcpy(buf, id, n), buf[n] = 0, !is_cccd(buf)))
			return reject(rd, out, row, rd->idx[VS_REG_CITIZEN_ID], "citizen_id",
			              "REG_CITIZEN_ID_INVALID",
			              "the citizen id is not a 12-digit CCCD number");
		/* the person: name and date of birth as written */
		uint64_t who = key_hash(field(rd, row, VS_REG_FULL_NAME), field(rd, row, VS_REG_DOB));
		uint64_t *v = key_put(&rd->seen, key_hash(buf, ""), who, &found);
		if (!v)
			return eng_nomem(err);
		if (found && *v != who) {
			if (hold_conflict(rd, buf))
				return eng_nomem(err);
			return reject(rd, out, row, rd->idx[VS_REG_CITIZEN_ID], "citizen_id",
			              "REG_CITIZEN_ID_CONFLICT",
			              "another row of this file carries the same citizen id with another "
			              "person; both are held out of linking");
		}
		return VS_OK;
	}
	size_t total = 0;
	for (int k = 0; k < rd->ncols; k++)
		total += strlen(field(rd, row, k)) + 1;
	if (total > VS_ENGINE_MAX_RAW)
		return reject(rd, out, row, -1, NULL, "CSV_ROW_TOO_LONG",
		              "the record's fields hold more than 64 KiB together; not a person's data");
	return check_key(rd, row, out, err);
}

/* The trimmed key columns of a shot row or a layout's row: present, within
 * their lengths, once per file. */
static vs_rc check_key(vs_engine_reader *rd, const vs_csv_row *row, vs_engine_read *out, vs_error *err)
{
	const char *start[VS_ENGINE_MAX_KEYS];
	size_t len[VS_ENGINE_MAX_KEYS];
	bool shots = rd->kind == VS_FILE_SHOTS;
	char msg[384];
	for (size_t i = 0; i < rd->nkeys; i++)
		len[i] = trimmed_len(field(rd, row, rd->keys[i].col), &start[i]);
	if (shots) { /* what the facility's worklist can know of the key */
		out->facility_code = len[0] && len[0] <= MAX_FACILITY ? start[0] : rd->last_facility;
		out->record_id = len[1] && len[1] <= MAX_RECORD_ID && len[0] <= MAX_FACILITY ? start[1] : "";
	}
	/* a missing key names the last empty key column (a shot row's record id
	 * before its facility), an overlong one the first */
	for (size_t i = rd->nkeys; i-- > 0;) {
		const key_rule *k = &rd->keys[i];
		if (len[i])
			continue;
		if (!shots)
			snprintf(msg, sizeof(msg), "a record needs a value in its id column %s", k->field);
		return reject(rd, out, row, rd->idx[k->col], k->field, "CSV_RECORD_KEY_MISSING",
		              shots ? "a record needs a facility code and a record id" : msg);
	}
	for (size_t i = 0; i < rd->nkeys; i++) {
		const key_rule *k = &rd->keys[i];
		if (len[i] <= k->max_len)
			continue;
		snprintf(msg, sizeof(msg), "the %s%s is longer than %zu bytes", shots ? "" : "id column ",
		         k->label, k->max_len);
		return reject(rd, out, row, rd->idx[k->col], k->field, "CSV_KEY_TOO_LONG", msg);
	}
	/* trimmed copies: the store trims keys too (eng_trim_copy) */
	char kbuf[VS_ENGINE_MAX_KEYS][MAX_RECORD_ID + 1];
	uint64_t h = 0;
	for (size_t i = 0; i < rd->nkeys; i++) {
		memcpy(kbuf[i], start[i], len[i]);
		kbuf[i][len[i]] = 0;
		h = i ? vs_hash_fnv1a_seed(h ^ 0x9e3779b97f4a7c15ull, kbuf[i], len[i])
		      : vs_hash_fnv1a(kbuf[i], len[i]);
	}
	bool found;
	uint64_t *v = key_put(&rd->seen, h ? h : 1, row->line, &found);
	if (!v)
		return eng_nomem(err);
	const key_rule *last = &rd->keys[rd->nkeys - 1];
	if (found) {
		if (shots)
			snprintf(msg, sizeof(msg), "facility %s, record %s is also on %s %llu of this file",
			         kbuf[0], kbuf[1], rd->xlsx ? "row" : "line", (unsigned long long)*v);
		else {
			char ids[VS_ENGINE_MAX_KEYS * (MAX_RECORD_ID + 2)];
			size_t o = 0;
			for (size_t i = 0; i < rd->nkeys; i++)
				o += (size_t)snprintf(ids + o, sizeof(ids) - o, "%s%s", i ? ", " : "",
				                      kbuf[i]);
			snprintf(msg, sizeof(msg), "the id %s is also on %s %llu of this file", ids,
			         rd->xlsx ? "row" : "line", (unsigned long long)*v);
		}
		return reject(rd, out, row, rd->idx[last->col], last->field, "CSV_DUPLICATE_RECORD", msg);
	}
	if (shots)
		vs_store_copy(rd->last_facility, sizeof(rd->last_facility), kbuf[0]);
	return VS_OK;
}

vs_rc vs_engine_reader_next(vs_engine_reader *rd, vs_engine_read *out, vs_error *err)
{
	vs_csv_row row;
	memset(out, 0, sizeof(*out));
	out->facility_code = out->record_id = out->raw = "";
	out->sheet = rd->xlsx ? vs_xlsx_sheet_name(rd->xlsx) : NULL;
	if (rd->next_above < rd->nabove) { /* a row above the header */
		size_t i = rd->next_above++;
		out->rejected = true;
		out->raw = rd->above[i].raw;
		out->line = rd->above[i].line;
		vs_error_set(&out->why, VS_ERR_PARSE, rd->path, out->line, 0, NULL,
		             "a row above the header (a title or a note) is not a record");
		if (rd->xlsx)
			vs_xlsx_locate(&out->why, rd->path, out->sheet, 0, out->line);
		vs_error_reason(&out->why, "CSV_ROW_BEFORE_HEADER");
		rd->rejected++;
		return VS_OK;
	}
	vs_rc rc = src_next(rd, &row, &out->why);
	if (rc == VS_ERR_PARSE) {
		out->rejected = true;
		out->raw = src_raw(rd);
		out->facility_code = rd->last_facility;
		out->line = rd->xlsx ? vs_xlsx_last_line(rd->xlsx) : out->why.line;
		rd->rejected++;
		return VS_OK;
	}
	if (rc == VS_DONE && !rd->rows && !rd->rejected) {
		rc = vs_error_set(err, VS_ERR_PARSE, rd->path, rd->xlsx ? 0 : 2, 0, NULL,
		                  "the file has a header but no records");
		vs_error_reason(err, "CSV_NO_RECORDS");
		return rc;
	}
	if (rc) {
		if (rc != VS_DONE && err)
			*err = out->why;
		return rc;
	}
	out->row = row;
	out->line = row.line;
	out->flags = row.flags;
	if ((rc = check_row(rd, &row, out, err)))
		return rc;
	if (out->rejected) {
		out->raw = src_raw(rd);
		rd->rejected++;
		return VS_OK;
	}
	for (int k = 0; k < rd->ncols && k < (int)VS_REG_COL_COUNT; k++)
		out->f[k] = field(rd, &row, k);
	rd->rows++;
	return VS_OK;
}

const char *vs_engine_read_field(const vs_engine_reader *rd, const vs_engine_read *r, int k)
{
	return k >= 0 && k < rd->ncols ? field(rd, &r->row, k) : "";
}

void vs_engine_read_submission(const vs_engine_reader *rd, const vs_engine_read *r, vs_engine_submission *sub)
{
	memset(sub, 0, sizeof(*sub));
	for (int k = 0; k < VS_SHOT_COL_COUNT; k++)
		sub->f[k] = r->f[k] ? r->f[k] : "";
	sub->file = rd->path;
	sub->line = r->line;
	sub->csv_flags = r->flags;
}

void vs_engine_reader_close(vs_engine_reader *rd)
{
	if (!rd)
		return;
	vs_csv_close(rd->csv);
	vs_xlsx_close(rd->xlsx);
	for (size_t i = 0; i < rd->header_count; i++) {
		vs_free(rd->header[i]);
		vs_free(rd->header_text[i]);
	}
	vs_free(rd->header);
	vs_free(rd->header_text);
	for (size_t i = 0; i < rd->nconflicts; i++)
		vs_free(rd->conflicts[i]);
	vs_free(rd->conflicts);
	vs_free(rd->seen.keys);
	vs_free(rd->seen.vals);
	for (size_t i = 0; i < rd->nabove; i++)
		vs_free(rd->above[i].raw);
	vs_free(rd->path);
	vs_free(rd);
}

/* A rejected row: kept as a facility worklist item with its place and reason
 * (keyed by file and line, so a re-run keeps one item, not two). */
vs_rc vs_engine_keep_rejected(vs_engine_session *ss, const vs_engine_read *r, vs_error *err)
{
	const vs_error *why = &r->why;
	vs_store_worklist_item it;
	memset(&it, 0, sizeof(it));
	it.kind = VS_STORE_WL_FACILITY;
	char key[300];
	int kl;
	const char *bang = strrchr(why->file, '!');
	if (!why->line && r->line && bang) /* a sheet's row: "name:Sheet1!17", whatever the cell */
		kl = snprintf(key, sizeof(key), "%.*s!%llu", (int)(bang - why->file), why->file,
		              (unsigned long long)r->line);
	else
		kl = snprintf(key, sizeof(key), "%s:%llu", why->file, (unsigned long long)why->line);
	/* negative ids: never a record's rid */
	it.rid = -(int64_t)(vs_hash_fnv1a(key, (size_t)(kl > 0 ? kl : 0)) >> 2) - 1;
	vs_store_copy(it.facility_code, sizeof(it.facility_code), r->facility_code);
	vs_store_copy(it.record_id, sizeof(it.record_id), r->record_id);
	vs_store_copy(it.category, sizeof(it.category), "rejected");
	vs_store_copy(it.reasons, sizeof(it.reasons), why->reason[0] ? why->reason : "CSV_RAGGED_ROW");
	vs_reason rr = vs_reason_from_name(it.reasons, strlen(it.reasons));
	const vs_reason_info *ri = vs_reason_get(rr);
	vs_store_copy(it.suggestion, sizeof(it.suggestion),
	              ri ? ri->action : "Check the row and send it again");
	char loc[512];
	vs_error_format(why, loc, sizeof(loc));
	/* where and why, then the row as sent (cut to the field) for the clerk to fix */
	snprintf(it.evidence, sizeof(it.evidence), "%s%s%.*s", loc, r->raw && r->raw[0] ? "; row: " : "",
	         (int)(sizeof(it.evidence) / 2), r->raw ? r->raw : "");
	return vs_store_worklist_put(ss->s, &it, err);
}

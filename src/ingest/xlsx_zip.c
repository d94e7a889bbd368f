/* xlsx_zip.c - the zip layer of the .xlsx reader: opens the archive with
 * libzip, streams one entry at a time, and holds every entry to the caps
 * (declared and actual unpacked size, ratio of unpacked to packed bytes),
 * whatever the archive's headers claim. Also tells an OLE2 compound file
 * apart: an encrypted workbook (EncryptionInfo) or an old .xls (Workbook,
 * read by xls_read.c). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "ingest/xlsx_internal.h"

/* an entry below this unpacked size is never a bomb, whatever its ratio */
#define RATIO_FLOOR (1u << 20)
/* bytes of an OLE2 file scanned for its directory entries' names */
#define OLE2_SCAN_LEN (8u << 20)

struct xz_zip {
	zip_t *z;
	char *name;
	uint64_t total, max_total; /* unpacked bytes read so far, and the cap */
	uint32_t max_ratio;
};

struct xz_entry {
	xz_zip *zip;
	zip_file_t *f;
	uint64_t size, comp, got;
	char part[256];
};

int vs_xlsx_sniff(const void *head, size_t len)
{
	static const unsigned char ole2[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	if (len >= 4 && !memcmp(head, "PK\x03\x04", 4))
		return VS_XLSX_SNIFF_ZIP;
	if (len >= 8 && !memcmp(head, ole2, 8))
		return VS_XLSX_SNIFF_OLE2;
	return VS_XLSX_SNIFF_NONE;
}

int vs_xlsx_sniff_file(const char *path)
{
	unsigned char head[8];
	if (!path || !strcmp(path, "-"))
		return VS_XLSX_SNIFF_NONE;
	FILE *f = fopen(path, "rb");
	if (!f)
		return VS_XLSX_SNIFF_NONE;
	size_t n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return vs_xlsx_sniff(head, n);
}

/* True when a directory entry of the compound file (128 bytes, name in
 * UTF-16LE at its start, 128-aligned in the file) is named name. */
static bool ole2_has(const unsigned char *p, size_t len, const char *name)
{
	size_t n = strlen(name);
	for (size_t off = 512; off + 128 <= len; off += 128) {
		const unsigned char *e = p + off;
		size_t k = 0;
		while (k < n && e[2 * k] == (unsigned char)name[k] && e[2 * k + 1] == 0)
			k++;
		if (k == n && e[2 * n] == 0 && e[2 * n + 1] == 0)
			return true;
	}
	return false;
}

static vs_rc refuse_ole2(const char *path, const void *data, size_t len, const char *name, bool take_xls,
                         vs_error *err)
{
	unsigned char *buf = NULL;
	const unsigned char *p = data;
	if (path) {
		FILE *f = fopen(path, "rb");
		if (!f)
			return vs_error_set(err, VS_ERR_IO, name, 0, 0, NULL, "cannot open the file");
		if (!(buf = vs_malloc(OLE2_SCAN_LEN))) {
			fclose(f);
			return vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
		}
		len = fread(buf, 1, OLE2_SCAN_LEN, f);
		fclose(f);
		p = buf;
	} else if (len > OLE2_SCAN_LEN) {
		len = OLE2_SCAN_LEN;
	}
	bool enc = ole2_has(p, len, "EncryptionInfo") || ole2_has(p, len, "EncryptedPackage");
	bool xls = !enc && (ole2_has(p, len, "Workbook") || ole2_has(p, len, "Book"));
	vs_free(buf);
	if (enc) {
		vs_error_set(err, VS_ERR_PARSE, name, 0, 0, NULL,
		             "the workbook is encrypted (protected with a password) and cannot be read");
		vs_error_reason(err, "XLSX_ENCRYPTED");
	} else if (xls && take_xls) {
		return VS_OK;
	} else if (xls) {
		vs_error_set(err, VS_ERR_PARSE, name, 0, 0, NULL,
		             "an old Excel 97-2003 workbook (.xls) is not read: save it as .xlsx");
		vs_error_reason(err, "XLSX_OLD_XLS");
	} else {
		vs_error_set(err, VS_ERR_PARSE, name, 0, 0, NULL,
		             "not a CSV text file: an OLE2 compound file (old Office format) that is not a "
		             "workbook");
		vs_error_reason(err, "CSV_NOT_TEXT");
	}
	return VS_ERR_PARSE;
}

vs_rc xz_ole2_check(const char *path, const void *data, size_t len, const char *name, vs_error *err)
{
	return refuse_ole2(path, data, len, name, true, err);
}

static bool named_as_workbook(const char *name)
{
	size_t n = strlen(name);
	return n >= 5 && (!strcasecmp(name + n - 5, ".xlsx") || !strcasecmp(name + n - 5, ".xlsm"));
}

static vs_rc refuse_corrupt(const char *name, const char *why, vs_error *err)
{
	/* a damaged zip not named as a workbook may be any archive */
	if (!named_as_workbook(name)) {
		vs_error_set(err, VS_ERR_PARSE, name, 0, 0, NULL,
		             "not a CSV text file: a zip archive that cannot be opened (%s)", why);
		vs_error_reason(err, "CSV_NOT_TEXT");
		return VS_ERR_PARSE;
	}
	vs_error_set(err, VS_ERR_PARSE, name, 0, 0, NULL, "the workbook is damaged: %s", why);
	vs_error_reason(err, "XLSX_CORRUPT");
	return VS_ERR_PARSE;
}

vs_rc xz_open(xz_zip **out, const char *path, const void *data, size_t len, const char *name,
              uint64_t max_total, uint32_t max_ratio, vs_error *err)
{
	zip_error_t ze;
	zip_source_t *src = NULL;
	xz_zip *z = NULL;
	vs_rc rc = VS_OK;
	*out = NULL;
	int kind = path ? vs_xlsx_sniff_file(path) : vs_xlsx_sniff(data, len);
	if (kind == VS_XLSX_SNIFF_OLE2)
		return refuse_ole2(path, data, len, name, false, err);
	zip_error_init(&ze);
	if (!(z = vs_calloc(1, sizeof(*z))) || !(z->name = vs_strdup(name))) {
		rc = vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
		goto out;
	}
	z->max_total = max_total;
	z->max_ratio = max_ratio;
	if (path) {
		int zerr = 0;
		z->z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
		if (!z->z) {
			zip_error_init_with_code(&ze, zerr);
			if (zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ || zerr == ZIP_ER_NOENT)
				rc = vs_error_set(err, VS_ERR_IO, name, 0, 0, NULL,
				                  "cannot read the file: %s", zip_error_strerror(&ze));
			else
				rc = refuse_corrupt(name, zip_error_strerror(&ze), err);
			goto out;
		}
	} else {
		if (!(src = zip_source_buffer_create(data, len, 0, &ze))) {
			rc = vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
			goto out;
		}
		if (!(z->z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze))) {
			zip_source_free(src);
			rc = refuse_corrupt(name, zip_error_strerror(&ze), err);
			goto out;
		}
	}
	zip_int64_t n = zip_get_num_entries(z->z, 0);
	if (n < 0 || (uint64_t)n > VS_XLSX_MAX_ENTRIES) {
		rc =
		    vs_error_set(err, VS_ERR_LIMIT, name, 0, 0, NULL,
		                 "the archive has more than %u entries; not a workbook", VS_XLSX_MAX_ENTRIES);
		vs_error_reason(err, "XLSX_TOO_LARGE");
	}
out:
	zip_error_fini(&ze);
	if (rc)
		xz_close(z);
	else
		*out = z;
	return rc;
}

void xz_close(xz_zip *z)
{
	if (!z)
		return;
	if (z->z)
		zip_discard(z->z);
	vs_free(z->name);
	vs_free(z);
}

int64_t xz_locate(xz_zip *z, const char *part)
{
	zip_int64_t i = zip_name_locate(z->z, part, 0);
	if (i < 0)
		i = zip_name_locate(z->z, part, ZIP_FL_NOCASE);
	return i;
}

uint64_t xz_size(xz_zip *z, int64_t idx)
{
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(z->z, (zip_uint64_t)idx, 0, &st) || !(st.valid & ZIP_STAT_SIZE))
		return 0;
	return st.size;
}

static vs_rc too_large(xz_entry *e, vs_error *err)
{
	vs_rc rc = vs_error_set(err, VS_ERR_LIMIT, e->zip->name, 0, 0, NULL,
	                        "the workbook unpacks to more than %llu bytes (part %s)",
	                        (unsigned long long)e->zip->max_total, e->part);
	vs_error_reason(err, "XLSX_TOO_LARGE");
	return rc;
}

static vs_rc bomb(xz_entry *e, uint64_t size, vs_error *err)
{
	vs_rc rc =
	    vs_error_set(err, VS_ERR_LIMIT, e->zip->name, 0, 0, NULL,
	                 "part %s unpacks %llu bytes from %llu (more than %u to 1): a zip bomb", e->part,
	                 (unsigned long long)size, (unsigned long long)e->comp, e->zip->max_ratio);
	vs_error_reason(err, "XLSX_ZIP_BOMB");
	return rc;
}

static bool over_ratio(const xz_entry *e, uint64_t size)
{
	return size > RATIO_FLOOR && size / (e->comp ? e->comp : 1) >= e->zip->max_ratio;
}

vs_rc xz_entry_open(xz_zip *z, int64_t idx, xz_entry **out, vs_error *err)
{
	zip_stat_t st;
	xz_entry *e = vs_calloc(1, sizeof(*e));
	vs_rc rc = VS_OK;
	*out = NULL;
	if (!e)
		return vs_error_set(err, VS_ERR_NOMEM, z->name, 0, 0, NULL, "out of memory");
	e->zip = z;
	zip_stat_init(&st);
	if (zip_stat_index(z->z, (zip_uint64_t)idx, 0, &st)) {
		rc = refuse_corrupt(z->name, zip_strerror(z->z), err);
		goto out;
	}
	snprintf(e->part, sizeof(e->part), "%s", (st.valid & ZIP_STAT_NAME) ? st.name : "?");
	e->size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
	e->comp = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
		rc = vs_error_set(err, VS_ERR_PARSE, z->name, 0, 0, NULL,
		                  "part %s is encrypted (a password-protected archive)", e->part);
		vs_error_reason(err, "XLSX_ENCRYPTED");
		goto out;
	}
	if ((st.valid & ZIP_STAT_COMP_METHOD) && !zip_compression_method_supported(st.comp_method, 0)) {
		rc = refuse_corrupt(z->name, "a part is packed with an unknown method", err);
		goto out;
	}
	if (e->size > z->max_total - z->total) {
		rc = too_large(e, err);
		goto out;
	}
	if (over_ratio(e, e->size)) {
		rc = bomb(e, e->size, err);
		goto out;
	}
	if (!(e->f = zip_fopen_index(z->z, (zip_uint64_t)idx, 0)))
		rc = refuse_corrupt(z->name, zip_strerror(z->z), err);
out:
	if (rc)
		xz_entry_close(e);
	else
		*out = e;
	return rc;
}

vs_rc xz_entry_read(xz_entry *e, void *buf, size_t len, size_t *got, vs_error *err)
{
	*got = 0;
	zip_int64_t n = zip_fread(e->f, buf, len);
	if (n < 0) {
		vs_rc rc =
		    vs_error_set(err, VS_ERR_IO, e->zip->name, 0, 0, NULL,
		                 "the workbook is damaged: part %s: %s", e->part, zip_file_strerror(e->f));
		vs_error_reason(err, "XLSX_CORRUPT");
		return rc;
	}
	e->got += (uint64_t)n;
	e->zip->total += (uint64_t)n;
	if (e->zip->total > e->zip->max_total)
		return too_large(e, err);
	if (over_ratio(e, e->got))
		return bomb(e, e->got, err);
	*got = (size_t)n;
	return VS_OK;
}

uint64_t xz_entry_packed_read(const xz_entry *e)
{
	if (!e->size)
		return 0;
	return (uint64_t)((double)e->comp * ((double)e->got / (double)e->size));
}

void xz_entry_close(xz_entry *e)
{
	if (!e)
		return;
	if (e->f)
		zip_fclose(e->f);
	vs_free(e);
}

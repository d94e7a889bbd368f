/* static.c - the web UI's files (web/, docs/ui.md), served at / by `vaxsync
 * serve`. The folder is read once at start: every regular file whose name is
 * on the whitelist pattern ([a-z0-9][a-z0-9_-]*, a dot, one of the known
 * extensions) and, one level down, in a folder of the same pattern without
 * an extension, is kept in memory with its content type and an ETag. A
 * request is answered only by an exact match against that table, so no
 * path from a client ever reaches the file system: no traversal, no
 * listing, no file added after start.
 *
 * Every answer carries a Content-Security-Policy that forbids inline script
 * and framing, nosniff, and no-cache with the ETag (a browser revalidates,
 * gets 304 when nothing changed). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "serve/serve_internal.h"

#define SV_STATIC_MAX_FILES 64
#define SV_STATIC_MAX_BYTES ((size_t)1 << 20) /* one file */
#define SV_STATIC_MAX_NAME 64

#ifndef VS_SERVE_WEB_SOURCE
#define VS_SERVE_WEB_SOURCE ""
#endif

static const char sv_csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                             "connect-src 'self'; form-action 'self'; base-uri 'none'; "
                             "frame-ancestors 'none'";

typedef struct sv_static_file {
	char path[2 * SV_STATIC_MAX_NAME + 2]; /* "/name" or "/dir/name" */
	const char *ctype;
	char etag[24];
	char *data; /* NUL-terminated; text files only */
} sv_static_file;

struct sv_static {
	sv_static_file files[SV_STATIC_MAX_FILES];
	size_t count;
};

static const struct {
	const char *ext, *ctype;
} ctypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

/* The content type for a whitelisted name, NULL when it is not one. With
 * ext false: a folder's name (no dot). */
static const char *name_ok(const char *name, bool ext)
{
	size_t n = strlen(name), i = 0;
	if (!n || n >= SV_STATIC_MAX_NAME ||
	    !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
		return NULL;
	for (; i < n && name[i] != '.'; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return NULL;
	}
	if (!ext)
		return i == n ? "" : NULL;
	for (size_t k = 0; k < sizeof(ctypes) / sizeof(ctypes[0]); k++)
		if (!strcmp(name + i, ctypes[k].ext))
			return ctypes[k].ctype;
	return NULL;
}

/* FNV-1a, enough for an ETag that changes when the file does. */
static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static vs_rc add_file(sv_static *st, const char *full, const char *path, const char *ctype, vs_error *err)
{
	vs_rc rc = VS_OK;
	FILE *f = NULL;
	char *data = NULL;
	struct stat sb;
	if (stat(full, &sb) || !S_ISREG(sb.st_mode))
		return VS_OK; /* not a regular file: not served */
	if (st->count == SV_STATIC_MAX_FILES || (size_t)sb.st_size > SV_STATIC_MAX_BYTES)
		return vs_error_set(err, VS_ERR_LIMIT, full, 0, 0, NULL,
		                    "web: more than %d files, or a file over %zu bytes", SV_STATIC_MAX_FILES,
		                    SV_STATIC_MAX_BYTES);
	size_t n = (size_t)sb.st_size;
	if (!(f = fopen(full, "rb")) || !(data = vs_malloc(n + 1))) {
		rc = vs_error_set(err, f ? VS_ERR_NOMEM : VS_ERR_IO, full, 0, 0, NULL, "web: cannot read");
		goto out;
	}
	if (fread(data, 1, n, f) != n || memchr(data, '\0', n)) {
		rc = vs_error_set(err, VS_ERR_IO, full, 0, 0, NULL, "web: cannot read, or not a text file");
		goto out;
	}
	data[n] = '\0';
	sv_static_file *sf = &st->files[st->count++];
	snprintf(sf->path, sizeof(sf->path), "%s", path);
	sf->ctype = ctype;
	snprintf(sf->etag, sizeof(sf->etag), "\"%016llx\"", (unsigned long long)fnv(data, n));
	sf->data = data;
	data = NULL;
out:
	if (f)
		fclose(f);
	vs_free(data);
	return rc;
}

/* Adds the whitelisted files of dir (and, at depth 0, of its whitelisted
 * folders) under the URL prefix. */
static vs_rc scan(sv_static *st, const char *dir, const char *prefix, int depth, vs_error *err)
{
	vs_rc rc = VS_OK;
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return vs_error_set(err, VS_ERR_IO, dir, 0, 0, NULL, "web: cannot open the folder");
	while (!rc && (e = readdir(d))) {
		char full[PATH_MAX], path[sizeof(st->files[0].path)];
		const char *ctype = name_ok(e->d_name, true);
		bool sub = !ctype && depth == 0 && name_ok(e->d_name, false);
		if (!ctype && !sub)
			continue;
		if (snprintf(full, sizeof(full), "%s/%s", dir, e->d_name) >= (int)sizeof(full))
			continue;
		snprintf(path, sizeof(path), "%.64s/%.63s", prefix, e->d_name);
		struct stat sb;
		if (sub && !stat(full, &sb) && S_ISDIR(sb.st_mode))
			rc = scan(st, full, path, depth + 1, err);
		else if (ctype)
			rc = add_file(st, full, path, ctype, err);
	}
	closedir(d);
	return rc;
}

/* The default folder: share/vaxsync/web beside the installed program's
 * bin/, else the source tree's web/ (known at build time); NULL when
 * neither exists. */
static const char *default_dir(char buf[PATH_MAX])
{
	struct stat sb;
	ssize_t n = readlink("/proc/self/exe", buf, PATH_MAX - 32);
	if (n > 0) {
		buf[n] = '\0';
		char *slash = strrchr(buf, '/');
		if (slash) {
			strcpy(slash, "/../share/vaxsync/web");
			if (!stat(buf, &sb) && S_ISDIR(sb.st_mode))
				return buf;
		}
	}
	if (VS_SERVE_WEB_SOURCE[0] && !stat(VS_SERVE_WEB_SOURCE, &sb) && S_ISDIR(sb.st_mode))
		return VS_SERVE_WEB_SOURCE;
	return NULL;
}

vs_rc sv_static_load(vs_serve *srv, const char *dir, vs_error *err)
{
	char buf[PATH_MAX];
	if (!dir && !(dir = default_dir(buf)))
		return VS_OK; /* no UI: the API alone */
	if (!(srv->web = vs_calloc(1, sizeof(*srv->web))))
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "web: out of memory");
	return scan(srv->web, dir, "", 0, err);
}

void sv_static_free(vs_serve *srv)
{
	if (!srv->web)
		return;
	for (size_t i = 0; i < srv->web->count; i++)
		vs_free(srv->web->files[i].data);
	vs_free(srv->web);
	srv->web = NULL;
}

bool sv_static_answer(sv_req *q, sv_resp *r)
{
	const sv_static *st = q->srv->web;
	const char *path = !strcmp(q->url, "/") ? "/index.html" : q->url;
	if (!st || !strncmp(q->url, "/api/", 5))
		return false;
	for (size_t i = 0; i < st->count; i++) {
		const sv_static_file *f = &st->files[i];
		if (strcmp(f->path, path))
			continue;
		r->hdr[0] = "Content-Security-Policy";
		r->hdr[1] = sv_csp;
		r->hdr[2] = "ETag";
		r->hdr[3] = f->etag;
		r->hdr[4] = "Referrer-Policy";
		r->hdr[5] = "no-referrer";
		r->hdr[6] = "X-Frame-Options";
		r->hdr[7] = "DENY";
		r->cache_control = "no-cache";
		if (strcmp(q->method, "GET") && strcmp(q->method, "HEAD")) {
			sv_problem(r, 405, "METHOD_NOT_ALLOWED", "This endpoint does not take that method.");
			return true;
		}
		const char *inm = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "If-None-Match");
		r->status = inm && strstr(inm, f->etag) ? 304 : 200;
		r->text = r->status == 200 ? f->data : "";
		r->ctype = f->ctype;
		return true;
	}
	return false;
}

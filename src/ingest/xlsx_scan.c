/* xlsx_scan.c - a small streaming XML tokenizer for the parts of a workbook,
 * the reader's fast path in place of expat (which stays for a part that is
 * not UTF-8). It calls the same start / end / text handlers as expat, with
 * the names and attribute values NUL-terminated in its own buffer and their
 * entities decoded. It checks what a sheet needs checked: tags nest and match
 * (by a hash of the name), entities are the five XML ones or character
 * references, text is UTF-8, nesting stays under VS_XLSX_MAX_DEPTH, a DTD is
 * refused, and no markup token is longer than max_token bytes (its buffer
 * holds one token and one chunk). Text is handed out in pieces as it comes. */
#include <string.h>

#include "ingest/xlsx_internal.h"

#define MAX_ATTS 32

struct xs_scan {
	void *ud;
	xs_start_fn start;
	xs_end_fn end;
	xs_text_fn text;
	xs_pause_fn pause;
	xs_fast_fn fast;
	char *buf;
	size_t pos, len, cap, max_token;
	uint64_t stack[VS_XLSX_MAX_DEPTH + 1]; /* hashes of the open elements' names */
	unsigned depth;
	bool started, final, text_checked;
	int status;
	const char *why;
};

xs_scan *xs_new(void *ud, xs_start_fn start, xs_end_fn end, xs_text_fn text, xs_pause_fn pause,
                size_t max_token)
{
	xs_scan *x = vs_calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->ud = ud;
	x->start = start;
	x->end = end;
	x->text = text;
	x->pause = pause;
	x->max_token = max_token;
	x->status = XS_MORE;
	return x;
}

void xs_set_fast(xs_scan *x, xs_fast_fn fast)
{
	x->fast = fast;
}

void xs_free(xs_scan *x)
{
	if (!x)
		return;
	vs_free(x->buf);
	vs_free(x);
}

const char *xs_error(const xs_scan *x)
{
	return x->why ? x->why : "";
}

char *xs_space(xs_scan *x, size_t want)
{
	if (x->pos) { /* drop what was consumed */
		memmove(x->buf, x->buf + x->pos, x->len - x->pos);
		x->len -= x->pos;
		x->pos = 0;
	}
	if (x->len + want + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 2 * want + 1;
		while (cap < x->len + want + 1)
			cap *= 2;
		char *p = vs_realloc(x->buf, cap);
		if (!p)
			return NULL;
		x->buf = p;
		x->cap = cap;
	}
	return x->buf + x->len;
}

void xs_commit(xs_scan *x, size_t n)
{
	x->len += n;
	x->buf[x->len] = 0; /* the sentinel the fast path's loops stop at */
	if (!n)
		x->final = true;
}

static int fail(xs_scan *x, int status, const char *why)
{
	x->why = why;
	return x->status = status;
}

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Decodes entity and character references in s[0..n) in place; -1 when one
 * is not well formed. */
static long decode(char *s, size_t n)
{
	char *amp = memchr(s, '&', n);
	if (!amp)
		return (long)n;
	size_t o = (size_t)(amp - s);
	for (size_t i = o; i < n;) {
		if (s[i] != '&') {
			s[o++] = s[i++];
			continue;
		}
		char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
		if (!semi)
			return -1;
		const char *e = s + i + 1;
		size_t k = (size_t)(semi - e); /* bytes between & and ; */
		uint32_t cp = 0;
		if (k == 2 && !memcmp(e, "lt", 2))
			cp = '<';
		else if (k == 2 && !memcmp(e, "gt", 2))
			cp = '>';
		else if (k == 3 && !memcmp(e, "amp", 3))
			cp = '&';
		else if (k == 4 && !memcmp(e, "quot", 4))
			cp = '"';
		else if (k == 4 && !memcmp(e, "apos", 4))
			cp = '\'';
		else if (k >= 2 && e[0] == '#') {
			bool hex = e[1] == 'x';
			size_t d = hex ? 2 : 1;
			if (d >= k)
				return -1;
			for (; d < k; d++) {
				char c = e[d];
				int v = c >= '0' && c <= '9'          ? c - '0'
				        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
				        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
				                                      : -1;
				if (v < 0)
					return -1;
				cp = cp * (hex ? 16 : 10) + (uint32_t)v;
			}
			if (!cp || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
				return -1;
		} else {
			return -1;
		}
		o += vs_utf8_encode(cp, s + o); /* never longer than the reference */
		i += k + 2;
	}
	return (long)o;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* XML 1.0 text: UTF-8 without control characters other than TAB, LF, CR
 * (a NUL would cut the field a caller keeps as a C string). Printable ASCII,
 * what most values are, is told apart in one pass. */
static bool good_text(const char *s, size_t n)
{
	bool high = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20) {
			high |= c >= 0x80;
			continue;
		}
		if (c != '\t' && c != '\n' && c != '\r')
			return false;
	}
	return !high || vs_utf8_valid(s, n, NULL);
}

/* Hands out text s[0..n): decoded, checked as XML text. */
static int emit_text(xs_scan *x, char *s, size_t n)
{
	long m = decode(s, n);
	if (m < 0)
		return fail(x, XS_ERROR, "a bad entity or character reference");
	if (!m)
		return XS_MORE;
	if (!good_text(s, (size_t)m))
		return fail(x, XS_ERROR, "text that is not UTF-8 or holds a control character");
	x->text(x->ud, s, (int)m);
	return XS_MORE;
}

/* The end of the markup token at p (its closing '>', quotes skipped), or NULL
 * when the buffer does not hold it yet. */
static char *tag_end(char *p, char *end)
{
	for (; p < end; p++) {
		if (*p == '"' || *p == '\'') {
			char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
			if (!q)
				return NULL;
			p = q;
		} else if (*p == '>') {
			return p;
		}
	}
	return NULL;
}

static char *find(char *p, char *end, const char *pat)
{
	size_t n = strlen(pat);
	for (; p + n <= end; p++) {
		p = memchr(p, pat[0], (size_t)(end - p));
		if (!p || p + n > end)
			return NULL;
		if (!memcmp(p, pat, n))
			return p;
	}
	return NULL;
}

bool xs_push(xs_scan *x, const char *name, size_t n)
{
	if (x->depth >= VS_XLSX_MAX_DEPTH)
		return false;
	x->stack[x->depth++] = name_hash(name, n);
	return true;
}

bool xs_pop(xs_scan *x, const char *name, size_t n)
{
	if (!x->depth || x->stack[x->depth - 1] != name_hash(name, n))
		return false;
	x->depth--;
	return true;
}

/* A start or end tag s[0..n) (without < and >). */
static int do_tag(xs_scan *x, char *s, size_t n)
{
	if (s[0] == '/') {
		size_t k = 1;
		while (k < n && !is_space(s[k]))
			k++;
		if (k == 1 || memchr(s, 0, k) || !x->depth ||
		    x->stack[x->depth - 1] != name_hash(s + 1, k - 1))
			return fail(x, XS_ERROR, "an end tag that does not match its start tag");
		s[k < n ? k : n] = 0;
		x->depth--;
		x->end(x->ud, s + 1);
		return XS_MORE;
	}
	bool empty = n && s[n - 1] == '/';
	if (empty)
		n--;
	size_t k = 0;
	while (k < n && !is_space(s[k]))
		k++;
	if (!k || memchr(s, 0, k))
		return fail(x, XS_ERROR, "a tag without a name");
	if (x->depth >= VS_XLSX_MAX_DEPTH)
		return fail(x, XS_DEPTH, "nesting deeper than 64 levels");
	x->stack[x->depth++] = name_hash(s, k);
	const char *atts[2 * MAX_ATTS + 2];
	size_t na = 0;
	char *name = s;
	char *p = s + k, *end = s + n;
	while (p < end) {
		while (p < end && is_space(*p))
			p++;
		if (p >= end)
			break;
		char *an = p;
		while (p < end && *p != '=' && !is_space(*p))
			p++;
		char *an_end = p;
		while (p < end && is_space(*p))
			p++;
		if (p >= end || *p != '=' || an_end == an)
			return fail(x, XS_ERROR, "an attribute without a value");
		p++;
		while (p < end && is_space(*p))
			p++;
		if (p >= end || (*p != '"' && *p != '\''))
			return fail(x, XS_ERROR, "an attribute value without quotes");
		char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
		if (!q)
			return fail(x, XS_ERROR, "an attribute value without its closing quote");
		long vl = decode(p + 1, (size_t)(q - p - 1));
		if (vl < 0)
			return fail(x, XS_ERROR, "a bad entity or character reference");
		if (!good_text(p + 1, (size_t)vl) || memchr(an, 0, (size_t)(an_end - an)))
			return fail(x, XS_ERROR,
			            "an attribute that is not UTF-8 or holds a control character");
		*an_end = 0;
		p[1 + vl] = 0;
		if (na < 2 * MAX_ATTS) {
			atts[na++] = an;
			atts[na++] = p + 1;
		}
		p = q + 1;
	}
	atts[na] = NULL;
	name[k] = 0;
	x->start(x->ud, name, atts);
	if (empty) {
		x->depth--;
		x->end(x->ud, name);
	}
	return XS_MORE;
}

/* The encoding the part declares, when it is one this scanner does not read
 * (a UTF-16 byte-order mark, or encoding="..." other than UTF-8). */
static bool foreign_encoding(const char *s, size_t n)
{
	if (n >= 2 && ((unsigned char)s[0] == 0xfe || (unsigned char)s[0] == 0xff))
		return true;
	if (n < 5 || memcmp(s, "<?xml", 5))
		return false;
	const char *e = memchr(s, '>', n);
	size_t m = e ? (size_t)(e - s) : n;
	for (size_t i = 0; i + 9 < m; i++)
		if (!memcmp(s + i, "encoding", 8)) {
			size_t j = i + 8;
			while (j < m && (is_space(s[j]) || s[j] == '='))
				j++;
			if (j < m && (s[j] == '"' || s[j] == '\''))
				j++;
			return !(j + 5 <= m && (!strncmp(s + j, "UTF-8", 5) || !strncmp(s + j, "utf-8", 5)));
		}
	return false;
}

int xs_run(xs_scan *x)
{
	if (x->status != XS_MORE && x->status != XS_PAUSE)
		return x->status;
	x->status = XS_MORE;
	if (!x->started) {
		if (x->len - x->pos < 64 && !x->final)
			return XS_MORE;
		x->started = true;
		if (x->len - x->pos >= 3 && !memcmp(x->buf + x->pos, "\xef\xbb\xbf", 3))
			x->pos += 3;
		if (foreign_encoding(x->buf + x->pos, x->len - x->pos))
			return fail(x, XS_ENCODING, "an encoding other than UTF-8");
	}
	while (x->pos < x->len) {
		char *s = x->buf + x->pos, *end = x->buf + x->len;
		int rc;
		if (*s != '<') {
			char *lt = memchr(s, '<', (size_t)(end - s));
			char *stop = lt ? lt : end;
			if (!lt && !x->final) { /* keep a reference cut by the chunk's end */
				char *amp = stop - (stop - s > 12 ? 12 : stop - s);
				amp = memchr(amp, '&', (size_t)(stop - amp));
				if (amp && !memchr(amp, ';', (size_t)(stop - amp)))
					stop = amp;
				/* and a character cut by it: its bytes wait for the next chunk */
				if (stop > s && ((unsigned char)stop[-1] & 0x80)) {
					char *lead = stop - 1;
					while (lead > s && lead > stop - 4 &&
					       ((unsigned char)*lead & 0xc0) == 0x80)
						lead--;
					stop = lead;
				}
			}
			if (x->depth == 0) { /* between the root and nothing: only spaces */
				for (char *p = s; p < stop; p++)
					if (!is_space(*p))
						return fail(x, XS_ERROR, "text outside the root element");
			} else if ((rc = emit_text(x, s, (size_t)(stop - s))) != XS_MORE) {
				return rc;
			}
			x->pos += (size_t)(stop - s);
			if (x->pause(x->ud))
				return x->status = XS_PAUSE;
			if (!lt)
				break;
			continue;
		}
		char *gt;
		size_t fast;
		if (x->fast && x->depth && end - s >= 2 && s[1] != '!' && s[1] != '?' &&
		    (fast = x->fast(x->ud, s, end))) {
			/* tags the caller read itself (xs_push, xs_pop for those left open) */
			x->pos += fast;
			if (x->pause(x->ud))
				return x->status = XS_PAUSE;
			continue;
		}
		if (end - s >= 4 && !memcmp(s, "<!--", 4)) {
			char *e = find(s + 4, end, "-->");
			if (!e)
				goto need_more;
			gt = e + 2;
		} else if (end - s >= 9 && !memcmp(s, "<![CDATA[", 9)) {
			char *e = find(s + 9, end, "]]>");
			if (!e)
				goto need_more;
			if (!x->depth)
				return fail(x, XS_ERROR, "CDATA outside the root element");
			if (!good_text(s + 9, (size_t)(e - s - 9)))
				return fail(x, XS_ERROR,
				            "text that is not UTF-8 or holds a control character");
			if (e > s + 9)
				x->text(x->ud, s + 9, (int)(e - s - 9));
			gt = e + 2;
		} else if (end - s >= 2 && s[1] == '!') {
			if (end - s < 9 && !x->final)
				goto need_more;
			return fail(x, XS_DTD, "a DTD");
		} else if (end - s >= 2 && s[1] == '?') {
			char *e = find(s + 2, end, "?>");
			if (!e)
				goto need_more;
			gt = e + 1;
		} else {
			if (!(gt = tag_end(s + 1, end)))
				goto need_more;
			if ((rc = do_tag(x, s + 1, (size_t)(gt - s - 1))) != XS_MORE)
				return rc;
		}
		x->pos += (size_t)(gt + 1 - s);
		if (x->pause(x->ud))
			return x->status = XS_PAUSE;
		continue;
	need_more:
		if (x->final)
			return fail(x, XS_ERROR, "the part ends inside a tag");
		if ((size_t)(end - s) > x->max_token)
			return fail(x, XS_ERROR, "a tag longer than any spreadsheet writes");
		return XS_MORE;
	}
	if (x->final) {
		if (x->depth || !x->started)
			return fail(x, XS_ERROR, "the part ends before its elements are closed");
		return x->status = XS_DONE;
	}
	return XS_MORE;
}

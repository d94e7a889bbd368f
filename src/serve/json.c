/* json.c - request bodies as JSON objects, with a depth cap checked before
 * jansson parses (its own limit is 2048 levels) and the body cap the server
 * already applied; and small helpers for answers. */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "serve/serve_internal.h"

/* Deepest nesting of arrays and objects in text (strings skipped). */
static int depth_of(const char *s, size_t n)
{
	int depth = 0, max = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return max;
}

json_t *sv_json_body(const sv_req *q, sv_resp *r, int max_depth)
{
	json_error_t jerr;
	const char *ct = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Content-Type");
	if (!ct || strncmp(ct, "application/json", 16)) {
		sv_problem(r, 415, "BODY_NOT_JSON", "Send the body as application/json.");
		return NULL;
	}
	if (depth_of(q->body, q->body_len) > max_depth) {
		sv_problem(r, 400, "JSON_TOO_DEEP", "The JSON body is nested too deeply.");
		return NULL;
	}
	json_t *j = json_loadb(q->body ? q->body : "", q->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		sv_problem(r, 400, "JSON_MALFORMED", "The body is not well-formed JSON.");
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		sv_problem(r, 400, "JSON_NOT_OBJECT", "The body must be a JSON object.");
		return NULL;
	}
	return j;
}

const char *sv_json_str(json_t *obj, const char *key, size_t max_len, sv_resp *r, bool *bad)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || json_string_length(v) > max_len ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		char title[128];
		snprintf(title, sizeof(title), "The member \"%.40s\" must be a string of at most %zu bytes.",
		         key, max_len);
		sv_problem(r, 400, "JSON_FIELD_INVALID", title);
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

void sv_json_reasons(json_t *arr, const char *list)
{
	char one[64];
	for (const char *p = list; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			json_array_append_new(arr, json_string(one));
		}
		if (!bar)
			break;
		p = bar + 1;
	}
}

/* ---- JSON text written directly (hot answers: worklist pages) ---- */

vs_rc sv_json_put_str(vs_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = s ? strlen(s) : 0;
	vs_rc rc = vs_buf_reserve(b, n + 2);
	if (!rc)
		rc = vs_buf_putc(b, '"');
	for (size_t i = 0; !rc && i < n;) {
		/* the longest run that needs no escape, copied at once */
		size_t j = i;
		while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x80 && s[j] != '"' &&
		       s[j] != '\\')
			j++;
		if (j > i) {
			rc = vs_buf_append(b, s + i, j - i);
			i = j;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80) {
			uint32_t cp;
			size_t k = vs_utf8_decode(s + i, n - i, &cp);
			/* invalid UTF-8 becomes U+FFFD (jansson refused the whole value) */
			rc = k ? vs_buf_append(b, s + i, k) : vs_buf_append(b, "\xef\xbf\xbd", 3);
			i += k ? k : 1;
			continue;
		}
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		size_t len = 2;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			len = 6;
		}
		rc = vs_buf_append(b, esc, len);
		i++;
	}
	return rc ? rc : vs_buf_putc(b, '"');
}

vs_rc sv_json_put_member(vs_buf *b, bool first, const char *key, const char *value)
{
	vs_rc rc = first ? VS_OK : vs_buf_putc(b, ',');
	if (!rc)
		rc = sv_json_put_str(b, key);
	if (!rc)
		rc = vs_buf_putc(b, ':');
	return rc ? rc : sv_json_put_str(b, value);
}

vs_rc sv_json_put_reasons(vs_buf *b, const char *list)
{
	vs_rc rc = vs_buf_putc(b, '[');
	bool first = true;
	char one[64];
	for (const char *p = list; !rc && p && *p;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			if (!first)
				rc = vs_buf_putc(b, ',');
			if (!rc)
				rc = sv_json_put_str(b, one);
			first = false;
		}
		if (!bar)
			break;
		p = bar + 1;
	}
	return rc ? rc : vs_buf_putc(b, ']');
}

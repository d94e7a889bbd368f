/* buf.c - growable byte buffer with a hard cap. */
#include <string.h>

#include "vaxsync/core.h"

void vs_buf_init(vs_buf *b, size_t max_len)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max_len = max_len ? max_len : SIZE_MAX / 2;
}

vs_rc vs_buf_reserve(vs_buf *b, size_t extra)
{
	if (extra > b->max_len - b->len)
		return VS_ERR_LIMIT;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return VS_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = vs_realloc(b->data, cap);
	if (!p)
		return VS_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return VS_OK;
}

vs_rc vs_buf_append(vs_buf *b, const void *data, size_t len)
{
	vs_rc rc = vs_buf_reserve(b, len);
	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return VS_OK;
}

vs_rc vs_buf_putc(vs_buf *b, char c)
{
	if (b->len + 1 < b->cap && b->len < b->max_len) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return VS_OK;
	}
	return vs_buf_append(b, &c, 1);
}

vs_rc vs_buf_puts(vs_buf *b, const char *s)
{
	return vs_buf_append(b, s, strlen(s));
}

vs_rc vs_buf_cell(vs_buf *b, const char *s, size_t width, bool right)
{
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		chars += (*p & 0xC0) != 0x80;
	size_t pad = chars < width ? width - chars : 0;
	vs_rc rc = VS_OK;
	if (right)
		rc = vs_buf_printf(b, "%*s", (int)pad, "");
	if (!rc)
		rc = vs_buf_puts(b, s);
	if (!rc && !right)
		rc = vs_buf_printf(b, "%*s", (int)pad, "");
	return rc;
}

vs_rc vs_buf_printf(vs_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return VS_ERR_INTERNAL;
	vs_rc rc = vs_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return VS_OK;
}

void vs_buf_reset(vs_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void vs_buf_free(vs_buf *b)
{
	vs_free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

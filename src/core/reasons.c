/* reasons.c - the reason-code table and small reason sets. */
#include <string.h>

#include "vaxsync/reasons.h"

static const vs_reason_info table[VS_R_COUNT] = {
    [VS_R_NONE] = {"", "", ""},
#define VS_REASON(name, meaning, action) [VS_R_##name] = {#name, meaning, action},
#include "vaxsync/reasons.def"
#undef VS_REASON
};

const vs_reason_info *vs_reason_get(vs_reason r)
{
	if ((unsigned)r == 0 || (unsigned)r >= VS_R_COUNT)
		return NULL;
	return &table[r];
}

const char *vs_reason_name(vs_reason r)
{
	const vs_reason_info *i = vs_reason_get(r);
	return i ? i->name : "";
}

vs_reason vs_reason_from_name(const char *name, size_t len)
{
	for (unsigned r = 1; r < VS_R_COUNT; r++)
		if (strlen(table[r].name) == len && memcmp(table[r].name, name, len) == 0)
			return (vs_reason)r;
	return VS_R_NONE;
}

bool vs_reason_has(const vs_reason_set *s, vs_reason r)
{
	for (unsigned i = 0; i < s->count; i++)
		if (s->codes[i] == r)
			return true;
	return false;
}

void vs_reason_add(vs_reason_set *s, vs_reason r)
{
	if (r == VS_R_NONE || s->count >= VS_REASON_SET_MAX || vs_reason_has(s, r))
		return;
	s->codes[s->count++] = (uint16_t)r;
}

size_t vs_reason_join(const vs_reason_set *s, char *out, size_t out_len)
{
	size_t o = 0;
	if (!out_len)
		return 0;
	out[0] = '\0';
	for (unsigned i = 0; i < s->count; i++) {
		const char *n = vs_reason_name((vs_reason)s->codes[i]);
		size_t nl = strlen(n);
		if (o + nl + (i ? 1 : 0) + 1 > out_len)
			break;
		if (i)
			out[o++] = '|';
		memcpy(out + o, n, nl);
		o += nl;
		out[o] = '\0';
	}
	return o;
}

void vs_reason_parse(vs_reason_set *s, const char *text, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || text[i] == '|') {
			vs_reason r = vs_reason_from_name(text + start, i - start);
			vs_reason_add(s, r);
			start = i + 1;
		}
	}
}

/* reasons.c - the reason-code table and small reason sets. */
#include <string.h>

#include "vaxsync/reasons.h"

/* A line of reasons.def with only NAME, meaning and action leaves the title
 * and the Vietnamese NULL: the padding fills the missing arguments and the
 * trailing ~ keeps the variadic part non-empty (ISO C). */
#define ROW(name, meaning, action, title, title_vi, meaning_vi, action_vi, ...)                              \
	[VS_R_##name] = {#name, meaning, action, title, title_vi, meaning_vi, action_vi},
static const vs_reason_info table[VS_R_COUNT] = {
    [VS_R_NONE] = {"", "", "", "", "", "", ""},
#define VS_REASON(...) ROW(__VA_ARGS__, NULL, NULL, NULL, NULL, ~)
#include "vaxsync/reasons.def"
#undef VS_REASON
};
#undef ROW

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

const char *vs_reason_title(vs_reason r, vs_lang lang)
{
	const vs_reason_info *i = vs_reason_get(r);
	if (!i)
		return "";
	const char *t = lang == VS_LANG_VI && i->title_vi ? i->title_vi : i->title;
	return t ? t : i->name;
}

const char *vs_reason_meaning(vs_reason r, vs_lang lang)
{
	const vs_reason_info *i = vs_reason_get(r);
	return !i ? "" : lang == VS_LANG_VI && i->meaning_vi ? i->meaning_vi : i->meaning;
}

const char *vs_reason_action(vs_reason r, vs_lang lang)
{
	const vs_reason_info *i = vs_reason_get(r);
	return !i ? "" : lang == VS_LANG_VI && i->action_vi ? i->action_vi : i->action;
}

bool vs_reason_informational(vs_reason r)
{
	const char *name = vs_reason_name(r);
	size_t n = strlen(name);
	return (n > 6 && !strcmp(name + n - 6, "_FIXED")) || (n > 8 && !strcmp(name + n - 8, "_REMOVED")) ||
	       strstr(name, "NO_DIACRITICS") || !strcmp(name, "NAME_ALL_CAPS") || r == VS_R_LINK_CONFIRMED;
}

size_t vs_reason_actions_text(const char *reasons, vs_lang lang, char *out, size_t out_len)
{
	vs_reason_set set = {0};
	size_t off = 0;
	if (!out_len)
		return 0;
	out[0] = '\0';
	vs_reason_parse(&set, reasons, strlen(reasons));
	for (unsigned i = 0; i < set.count; i++) {
		vs_reason r = (vs_reason)set.codes[i];
		const char *a = vs_reason_action(r, lang);
		bool seen = vs_reason_informational(r) || !a[0];
		for (unsigned k = 0; k < i && !seen; k++)
			seen = !vs_reason_informational((vs_reason)set.codes[k]) &&
			       !strcmp(vs_reason_action((vs_reason)set.codes[k], lang), a);
		size_t al = strlen(a);
		if (seen)
			continue;
		if (off + (off ? 2 : 0) + al + 1 > out_len)
			break;
		if (off) {
			memcpy(out + off, "; ", 2);
			off += 2;
		}
		memcpy(out + off, a, al + 1);
		off += al;
	}
	return off;
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

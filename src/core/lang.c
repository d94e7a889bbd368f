/* lang.c - the language for people: --lang, else the locale, else Vietnamese. */
#include <stdlib.h>
#include <strings.h>

#include "vaxsync/lang.h"

static int chosen = -1; /* -1: not set, follow the locale */

bool vs_lang_parse(const char *s, vs_lang *out)
{
	if (s && !strcasecmp(s, "vi")) {
		*out = VS_LANG_VI;
		return true;
	}
	if (s && !strcasecmp(s, "en")) {
		*out = VS_LANG_EN;
		return true;
	}
	return false;
}

const char *vs_lang_code(vs_lang lang)
{
	return lang == VS_LANG_EN ? "en" : "vi";
}

vs_lang vs_lang_from_locale(const char *lc_all, const char *lc_messages, const char *lang)
{
	const char *v = lc_all && *lc_all ? lc_all : lc_messages && *lc_messages ? lc_messages : lang;
	return v && !strncasecmp(v, "en", 2) ? VS_LANG_EN : VS_LANG_VI;
}

vs_lang vs_lang_default(void)
{
	if (chosen >= 0)
		return (vs_lang)chosen;
	return vs_lang_from_locale(getenv("LC_ALL"), getenv("LC_MESSAGES"), getenv("LANG"));
}

void vs_lang_set_default(vs_lang lang)
{
	chosen = (int)lang;
}

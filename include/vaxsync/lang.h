/* lang.h - the language of text meant for people: Vietnamese first, English
 * too. Library functions that write for people take a vs_lang; front ends
 * pick it from --lang or the locale (vs_lang_default). */
#ifndef VAXSYNC_LANG_H
#define VAXSYNC_LANG_H

#include <stdbool.h>

typedef enum vs_lang {
	VS_LANG_VI = 0, /* Vietnamese: the default */
	VS_LANG_EN = 1
} vs_lang;

/* "vi" or "en" (case-insensitive) into *out; false (and *out unchanged) otherwise. */
bool vs_lang_parse(const char *s, vs_lang *out);
/* "vi" or "en". */
const char *vs_lang_code(vs_lang lang);
/* The language a locale asks for: the first set and non-empty of lc_all,
 * lc_messages, lang (POSIX order; each may be NULL) decides; "en..." gives
 * English; "vi...", any other locale, or none (unset, C, POSIX) gives
 * Vietnamese: vaxsync's readers are Vietnamese clerks and officers. */
vs_lang vs_lang_from_locale(const char *lc_all, const char *lc_messages, const char *lang);
/* The process's language for people: the one set by vs_lang_set_default
 * (a front end's --lang), else vs_lang_from_locale of LC_ALL, LC_MESSAGES
 * and LANG. Not thread-safe against a concurrent set; set it at startup. */
vs_lang vs_lang_default(void);
void vs_lang_set_default(vs_lang lang);

#endif

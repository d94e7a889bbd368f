/* reasons.h - stable reason codes for every problem found or repaired.
 * The list lives in reasons.def; this header turns it into an enum and a
 * table. A record carries its reasons as a small set (vs_reason_set). */
#ifndef VAXSYNC_REASONS_H
#define VAXSYNC_REASONS_H

#include "vaxsync/core.h"
#include "vaxsync/lang.h"

typedef enum vs_reason {
	VS_R_NONE = 0,
#define VS_REASON(name, ...) VS_R_##name,
#include "vaxsync/reasons.def"
#undef VS_REASON
	VS_R_COUNT
} vs_reason;

typedef struct vs_reason_info {
	const char *name; /* "ID_MISSING" */
	const char *meaning;
	const char *action;
	/* NULL where reasons.def does not give them (test_reasons_vi fails then) */
	const char *title;
	const char *title_vi, *meaning_vi, *action_vi;
} vs_reason_info;

/* Table entry for r, or NULL when r is out of range. */
const vs_reason_info *vs_reason_get(vs_reason r);
/* The texts of r for people in lang: a missing title is the code, missing
 * Vietnamese falls back to English; "" for VS_R_NONE or out of range. */
const char *vs_reason_title(vs_reason r, vs_lang lang);
const char *vs_reason_meaning(vs_reason r, vs_lang lang);
const char *vs_reason_action(vs_reason r, vs_lang lang);
/* True for reasons that only report a repair, a style or a settled link:
 * nothing for a person to do (the rule of src/engine/convert.c). */
bool vs_reason_informational(vs_reason r);
/* Every actionable reason's action of the |-separated list in lang, "; "-
 * separated, each text once (as the engine writes a worklist's suggestion;
 * informational codes, whose action is "No action...", are left out). Writes
 * at most out_len-1 bytes and a NUL, whole texts only; returns the length. */
size_t vs_reason_actions_text(const char *reasons, vs_lang lang, char *out, size_t out_len);
/* Name of r ("" for VS_R_NONE or out of range). */
const char *vs_reason_name(vs_reason r);
/* Looks up a name; returns VS_R_NONE when unknown. */
vs_reason vs_reason_from_name(const char *name, size_t len);

#define VS_REASON_SET_MAX 24
/* An ordered set of reasons (insertion order, no duplicates, capped). */
typedef struct vs_reason_set {
	uint16_t count;
	uint16_t codes[VS_REASON_SET_MAX];
} vs_reason_set;
void vs_reason_add(vs_reason_set *s, vs_reason r);
bool vs_reason_has(const vs_reason_set *s, vs_reason r);
/* Writes the names |-separated (NUL-terminated, truncated to out_len). Returns length. */
size_t vs_reason_join(const vs_reason_set *s, char *out, size_t out_len);
/* Parses a |-separated list; unknown names are skipped. */
void vs_reason_parse(vs_reason_set *s, const char *text, size_t len);

#endif

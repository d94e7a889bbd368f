/* textsniff.h - names what the first bytes of a file are: text in UTF-8 or a
 * single-byte code page, UTF-16/32, a binary format, or Vietnamese text in an
 * old font encoding (TCVN3, VNI-Windows). Internal to the readers; pure (no
 * I/O, no allocation). */
#ifndef VAXSYNC_CORE_TEXTSNIFF_H
#define VAXSYNC_CORE_TEXTSNIFF_H

#include <stdbool.h>
#include <stddef.h>

#define VS_SNIFF_LEN ((size_t)64 << 10) /* bytes looked at */

typedef enum vs_sniff_kind {
	VS_SNIFF_TEXT = 0, /* UTF-8 (maybe with rows in Windows-1258): read as is */
	VS_SNIFF_UTF16LE,
	VS_SNIFF_UTF16BE,
	VS_SNIFF_UTF32LE,
	VS_SNIFF_UTF32BE,
	VS_SNIFF_BINARY, /* not text; what names the format */
	VS_SNIFF_TCVN3,  /* the whole file is TCVN3 (ABC) */
	VS_SNIFF_VNI     /* the whole file is VNI-Windows */
} vs_sniff_kind;

typedef struct vs_sniff {
	vs_sniff_kind kind;
	size_t bom_len;   /* byte-order mark bytes to skip at the start */
	const char *what; /* static text: the encoding or the format ("an Excel workbook (.xlsx)") */
} vs_sniff;

/* Looks at s[0..min(len, VS_SNIFF_LEN)). whole is true when s holds the whole
 * file (a sequence cut at the end of the sample is then not forgiven). */
void vs_sniff_text(const unsigned char *s, size_t len, bool whole, vs_sniff *out);

#endif

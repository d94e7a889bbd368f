/* generic.c - the generic standardizer (settings "standardizer": "generic"):
 * for records that are not Vietnamese, so no reference data, no legacy
 * repairs and no reasons. Plain copies with a few splits; never fails. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vaxsync/norm.h"

static const char *nz(const char *s)
{
	return s ? s : "";
}

static void copy_str(char *dst, size_t n, const char *s)
{
	size_t l = strlen(s);
	if (l >= n)
		l = n - 1;
	memcpy(dst, s, l);
	dst[l] = 0;
}

static void copy_trim(char *dst, size_t n, const char *s)
{
	while (*s == ' ')
		s++;
	copy_str(dst, n, s);
	size_t l = strlen(dst);
	while (l && dst[l - 1] == ' ')
		dst[--l] = 0;
}

static vs_date parse_date(const char *s)
{
	vs_date d = {0};
	int a = 0, b = 0, c = 0;
	char x;
	if (sscanf(s, "%4d-%2d-%2d%c", &a, &b, &c, &x) == 3 ||
	    sscanf(s, "%4d/%2d/%2d%c", &a, &b, &c, &x) == 3) {
		d.year = (int16_t)a, d.month = (int8_t)b, d.day = (int8_t)c, d.precision = VS_DATE_DAY;
	} else if (sscanf(s, "%2d/%2d/%4d%c", &c, &b, &a, &x) == 3 ||
	           sscanf(s, "%2d-%2d-%4d%c", &c, &b, &a, &x) == 3 ||
	           sscanf(s, "%2d.%2d.%4d%c", &c, &b, &a, &x) == 3) {
		d.year = (int16_t)a, d.month = (int8_t)b, d.day = (int8_t)c, d.precision = VS_DATE_DAY;
	} else if (sscanf(s, "%4d-%2d%c", &a, &b, &x) == 2) {
		d.year = (int16_t)a, d.month = (int8_t)b, d.precision = VS_DATE_MONTH;
	} else if (sscanf(s, "%4d%c", &a, &x) == 1 && strlen(s) == 4) {
		d.year = (int16_t)a, d.precision = VS_DATE_YEAR;
	}
	if (d.year < 1800 || d.year > 2200 || d.month < 0 || d.month > 12 || d.day < 0 || d.day > 31)
		memset(&d, 0, sizeof d);
	return d;
}

/* parts given: copied as they are; else the full name's first word is the family name, its last
 * the given name and the words between the middle name (one word: the given name) */
static void names(const char *full_name, const char *family, const char *middle, const char *given,
                  vs_norm_record *out)
{
	char full[256];
	copy_trim(full, sizeof full, full_name);
	if (*family || *given) {
		copy_trim(out->family, sizeof out->family, family);
		copy_trim(out->middle, sizeof out->middle, middle);
		copy_trim(out->given, sizeof out->given, given);
	} else if (*full) {
		char *first = strchr(full, ' '), *last = strrchr(full, ' ');
		if (!first) {
			copy_str(out->given, sizeof out->given, full);
		} else {
			*first = 0;
			copy_str(out->family, sizeof out->family, full);
			copy_str(out->given, sizeof out->given, last + 1);
			if (last > first) {
				*last = 0;
				copy_trim(out->middle, sizeof out->middle, first + 1);
			}
		}
	}
}

static void id_number(const char *s, vs_norm_record *out)
{
	size_t o = 0;
	bool digits = true;
	for (const char *p = s; *p && o + 1 < sizeof out->id_number; p++) {
		if (isalnum((unsigned char)*p)) {
			out->id_number[o++] = (char)toupper((unsigned char)*p);
			digits &= isdigit((unsigned char)*p) != 0;
		}
	}
	out->id_number[o] = 0;
	out->id_type = o == 0              ? VS_ID_NONE
	               : digits && o == 12 ? VS_ID_CCCD
	               : digits && o == 9  ? VS_ID_CMND
	                                   : VS_ID_OTHER;
}

void vs_norm_record_generic(const vs_norm_input *in, const char *family, const char *middle,
                            const char *given, vs_norm_record *out)
{
	memset(out, 0, sizeof *out);
	names(nz(in->full_name), nz(family), nz(middle), nz(given), out);
	out->dob = parse_date(nz(in->dob));
	char sx = (char)tolower((unsigned char)nz(in->sex)[0]);
	out->sex = sx == 'm' || sx == '1' ? VS_SEX_M : sx == 'f' || sx == 'w' || sx == '2' ? VS_SEX_F : 0;
	id_number(nz(in->id_number), out);
	size_t o = 0;
	for (const char *p = nz(in->phone); *p && o + 1 < sizeof out->phone; p++)
		if (isdigit((unsigned char)*p))
			out->phone[o++] = *p;
	out->phone[o] = 0;
	copy_trim(out->province_code, sizeof out->province_code, nz(in->province_code));
	copy_trim(out->district_code, sizeof out->district_code, nz(in->district_code));
	copy_trim(out->commune_code, sizeof out->commune_code, nz(in->commune_code));
}

/* generic.c - the generic standardizer (settings "standardizer": "generic"):
 * for records that are not Vietnamese, so no reference data, no legacy
 * repairs and no reasons. Plain copies with a few splits; never fails. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/* a real day of a real month: round trip through the day count */
static bool real_date(int y, int m, int d)
{
	int yy, mm, dd;
	vs_civil_from_days(vs_days_from_civil(y, m, d), &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

static const char *const month_names[12] = {"january",   "february", "march",    "april",
                                            "may",       "june",     "july",     "august",
                                            "september", "october",  "november", "december"};

/* reads 1..width digits (exactly width when exact) at *p */
static bool digits(const char **p, int width, bool exact, int *out)
{
	int v = 0, n = 0;
	while (n < width && isdigit((unsigned char)(*p)[n]))
		v = v * 10 + ((*p)[n++] - '0');
	if (n == 0 || (exact && n != width))
		return false;
	*p += n;
	*out = v;
	return true;
}

/* an English month name or its first three letters, any case */
static bool month_name(const char **p, int *out)
{
	for (int m = 0; m < 12; m++) {
		size_t full = strlen(month_names[m]);
		if (!strncasecmp(*p, month_names[m], full)) {
			*p += full;
			*out = m + 1;
			return true;
		}
	}
	for (int m = 0; m < 12; m++)
		if (!strncasecmp(*p, month_names[m], 3)) {
			*p += 3;
			*out = m + 1;
			return true;
		}
	return false;
}

bool vs_norm_date_format_valid(const char *fmt)
{
	int seen[128] = {0};
	size_t n = 0;
	for (const char *f = fmt; *f; f++, n++) {
		if (*f != '%')
			continue;
		char c = *++f;
		if (c != 'Y' && c != 'y' && c != 'm' && c != 'd' && c != 'b' && c != '%')
			return false;
		if (c != '%' && seen[(int)c]++)
			return false;
	}
	if (n >= 64 || seen['Y'] + seen['y'] != 1 || seen['m'] + seen['b'] > 1)
		return false;
	return !seen['d'] || seen['m'] || seen['b'];
}

/* the numbers of s read by fmt (no check that they make a date); false when s is not in the form */
static bool scan_format(const char *s, const char *fmt, int pivot_yy, int *y, int *m, int *day, bool *have_m,
                        bool *have_d)
{
	*y = *m = *day = 0;
	*have_m = *have_d = false;
	while (*s == ' ')
		s++;
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			if (*s++ != *f)
				return false;
			continue;
		}
		char c = *++f;
		/* a directive next to another (as in %Y%m%d) takes its full width */
		bool exact = f[1] == '%' || (f - fmt >= 3 && f[-3] == '%' && f[-2] != '%');
		bool ok = true;
		if (c == 'Y')
			ok = digits(&s, 4, true, y);
		else if (c == 'y') {
			ok = digits(&s, 2, true, y);
			*y += *y > pivot_yy ? 1900 : 2000;
		} else if (c == 'm')
			ok = *have_m = digits(&s, 2, exact, m);
		else if (c == 'd')
			ok = *have_d = digits(&s, 2, exact, day);
		else if (c == 'b')
			ok = *have_m = month_name(&s, m);
		else
			ok = *s++ == '%';
		if (!ok)
			return false;
	}
	while (*s == ' ')
		s++;
	return *s == 0;
}

vs_date vs_norm_date_by_format(const char *s, const char *fmt, int pivot_yy)
{
	vs_date d = {0};
	int y, m, day;
	bool have_m, have_d;
	if (!scan_format(s, fmt, pivot_yy, &y, &m, &day, &have_m, &have_d))
		return d;
	if (y < 1800 || y > 2200 || (have_m && (m < 1 || m > 12)))
		return d;
	if (have_d && !real_date(y, m, day))
		return d;
	d.year = (int16_t)y;
	d.month = (int8_t)(have_m ? m : 0);
	d.day = (int8_t)(have_d ? day : 0);
	d.precision = have_d ? VS_DATE_DAY : have_m ? VS_DATE_MONTH : VS_DATE_YEAR;
	return d;
}

/* A full date in the form but no day of the calendar (month 13, day 71, month 00) or of an odd
 * year (9185, 1680: a typing error in the year, whose month and day still tell): its numbers as
 * yyyymmdd, kept for comparison only; 0 when not such a date */
static uint32_t typed_date(const char *s, const char *fmt)
{
	int y, m, day;
	bool have_m, have_d;
	if (!scan_format(s, fmt, 30, &y, &m, &day, &have_m, &have_d) || !have_d || !have_m)
		return 0;
	if (y < 1000 || y > 9999 || m > 99 || day > 99 || (m == 0 && day == 0))
		return 0;
	return (uint32_t)y * 10000u + (uint32_t)m * 100u + (uint32_t)day;
}

/* the forms read when the settings name none, tried in this order */
static const char *const builtin_forms[] = {"%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y",
                                            "%d.%m.%Y", "%Y%m%d",   "%Y-%m",    "%Y"};

/* s by format (or the built-in forms); *typed: a date in a form whose day cannot be (typed_date),
 * when no form gives a real one */
static vs_date parse_date(const char *s, const char *format, uint32_t *typed)
{
	vs_date d = {0};
	char t[64];
	copy_trim(t, sizeof t, s);
	size_t n = format ? 1 : sizeof builtin_forms / sizeof builtin_forms[0];
	*typed = 0;
	for (size_t i = 0; i < n; i++) {
		d = vs_norm_date_by_format(t, format ? format : builtin_forms[i], 30);
		if (d.precision != VS_DATE_NONE)
			return d;
	}
	for (size_t i = 0; i < n && !*typed; i++)
		*typed = typed_date(t, format ? format : builtin_forms[i]);
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
                            const char *given, const char *dob_format, vs_norm_record *out)
{
	memset(out, 0, sizeof *out);
	names(nz(in->full_name), nz(family), nz(middle), nz(given), out);
	out->dob = parse_date(nz(in->dob), dob_format, &out->dob_typed);
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
	out->household = vs_norm_household(in->household);
}

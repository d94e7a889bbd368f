/* date.c - dates as typed by facilities (birth dates and shot dates).
 *
 * Vietnamese order is day/month/year. A typed date is folded to words and
 * numbers first (separators do not matter), then read by shape. The result
 * keeps its precision (day, month, year); problems become DOB_* or
 * SHOT_DATE_* reasons. The rules are listed in docs/standardize.md. */
#include <string.h>

#include "norm/norm_internal.h"
#include "norm/text.h"

#define DATE_MAX_LEN 64
#define DATE_MAX_TOKENS 8

/* The vaccination programme began on 8 March 2021. */
static const vs_date programme_start = {2021, 3, 8, VS_DATE_DAY};

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

static bool valid_ymd(int y, int m, int d)
{
	return y >= 1000 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

int32_t vs_date_days(vs_date d)
{
	return vs_days_from_civil(d.year, d.month ? d.month : 1, d.day ? d.day : 1);
}

vs_date vs_date_from_days(int32_t z)
{
	vs_date r;
	int y, m, d;
	vs_civil_from_days(z, &y, &m, &d);
	r.year = (int16_t)y;
	r.month = (int8_t)m;
	r.day = (int8_t)d;
	r.precision = VS_DATE_DAY;
	return r;
}

size_t vs_date_format(vs_date d, char *out, size_t out_len)
{
	int n = 0;
	if (!out_len)
		return 0;
	if (d.precision == VS_DATE_DAY)
		n = snprintf(out, out_len, "%04d-%02d-%02d", d.year, d.month, d.day);
	else if (d.precision == VS_DATE_MONTH)
		n = snprintf(out, out_len, "%04d-%02d", d.year, d.month);
	else if (d.precision == VS_DATE_YEAR)
		n = snprintf(out, out_len, "%04d", d.year);
	else
		out[0] = '\0';
	if (n < 0)
		n = 0;
	return (size_t)n < out_len ? (size_t)n : out_len - 1;
}

/* Compares a (possibly partial) date with a full one at a's precision. */
static int cmp_partial(vs_date a, vs_date full)
{
	if (a.year != full.year)
		return a.year < full.year ? -1 : 1;
	if (a.precision < VS_DATE_MONTH)
		return 0;
	if (a.month != full.month)
		return a.month < full.month ? -1 : 1;
	if (a.precision < VS_DATE_DAY)
		return 0;
	return a.day < full.day ? -1 : a.day > full.day;
}

typedef struct dtok {
	const char *s;
	size_t len;
	bool num;
	long val;
} dtok;

/* Per-kind reason codes. */
typedef struct kind_reasons {
	vs_reason missing, unparseable, year_only, month_year, ambiguous, serial, two_digit, future, early;
} kind_reasons;

static const kind_reasons dob_reasons = {
    VS_R_DOB_MISSING,         VS_R_DOB_UNPARSEABLE,         VS_R_DOB_YEAR_ONLY,
    VS_R_DOB_MONTH_YEAR_ONLY, VS_R_DOB_DAY_MONTH_AMBIGUOUS, VS_R_DOB_EXCEL_SERIAL,
    VS_R_DOB_TWO_DIGIT_YEAR,  VS_R_DOB_IN_FUTURE,           VS_R_DOB_IMPLAUSIBLE};
static const kind_reasons shot_reasons = {VS_R_SHOT_DATE_MISSING,
                                          VS_R_SHOT_DATE_UNPARSEABLE,
                                          VS_R_SHOT_DATE_IMPRECISE,
                                          VS_R_SHOT_DATE_IMPRECISE,
                                          VS_R_SHOT_DATE_DAY_MONTH_AMBIGUOUS,
                                          VS_R_SHOT_DATE_EXCEL_SERIAL,
                                          VS_R_NONE,
                                          VS_R_SHOT_DATE_IN_FUTURE,
                                          VS_R_SHOT_DATE_BEFORE_PROGRAMME};

typedef struct parse_state {
	int kind;
	vs_date today;
	bool serial, two_digit, ambiguous;
} parse_state;

static vs_date mk(int y, int m, int d)
{
	vs_date r = {(int16_t)y, (int8_t)m, (int8_t)d, VS_DATE_NONE};
	if (y < 1000 || y > 2999 || m < 0 || m > 12 || (m == 0 && d))
		return (vs_date){0, 0, 0, VS_DATE_NONE};
	if (m && d && !valid_ymd(y, m, d))
		return (vs_date){0, 0, 0, VS_DATE_NONE};
	r.precision = d ? VS_DATE_DAY : m ? VS_DATE_MONTH : VS_DATE_YEAR;
	return r;
}

static bool have_today(const parse_state *st)
{
	return st->today.precision == VS_DATE_DAY;
}

/* True when the reading is plausible in context (not in the future; a shot
 * not before the programme). */
static bool plausible(const parse_state *st, vs_date d)
{
	if (d.precision == VS_DATE_NONE)
		return false;
	if (have_today(st) && cmp_partial(d, st->today) > 0)
		return false;
	if (st->kind == VS_NORM_DATE_SHOT && cmp_partial(d, programme_start) < 0)
		return false;
	return true;
}

/* Full year of a typed year with ndigits digits. */
static int full_year(parse_state *st, long y, size_t ndigits)
{
	if (ndigits != 2)
		return (int)y;
	st->two_digit = true;
	if (st->kind == VS_NORM_DATE_SHOT)
		return 2000 + (int)y;
	/* a birth date is not in the future */
	if (have_today(st) && 2000 + y <= st->today.year)
		return 2000 + (int)y;
	return 1900 + (int)y;
}

/* A birth date with a two-digit year resolved to 20yy that still lies in
 * the future goes back a century. */
static vs_date century_fix(parse_state *st, vs_date d, size_t ydigits)
{
	if (ydigits == 2 && st->kind == VS_NORM_DATE_DOB && d.precision == VS_DATE_DAY && have_today(st) &&
	    d.year >= 2000 && cmp_partial(d, st->today) > 0)
		return mk(d.year - 100, d.month, d.day);
	return d;
}

static vs_date from_serial(parse_state *st, long serial)
{
	if (serial == 60 || serial < 1)
		return (vs_date){0, 0, 0, VS_DATE_NONE};
	st->serial = true;
	/* 1900 date system: serial 1 = 1900-01-01; Excel counts a 29 Feb 1900 */
	return vs_date_from_days((int32_t)(serial < 60 ? serial - 25568 : serial - 25569));
}

/* Three numbers a b c (c the year): Vietnamese d/m, or US m/d when only that
 * reading is valid or plausible. */
static vs_date read_dmy(parse_state *st, const dtok *t, bool slash)
{
	int y = full_year(st, t[2].val, t[2].len);
	long a = t[0].val, b = t[1].val;
	vs_date dm = century_fix(st, mk(y, (int)b, (int)a), t[2].len);
	vs_date md = century_fix(st, mk(y, (int)a, (int)b), t[2].len);
	if (a < 1 || b < 1)
		return (vs_date){0, 0, 0, VS_DATE_NONE};
	if (dm.precision && !md.precision)
		return dm;
	if (!dm.precision)
		return md;
	if (a == b)
		return dm;
	/* Both readings are dates. The US reading is only considered for the
	 * shape Excel's US locale writes (m/d/yyyy: slashes, no zero padding);
	 * a zero-padded dd/mm/yyyy is Vietnamese and stays so. For that shape,
	 * context decides (not in the future; a shot not before the
	 * programme), else the Vietnamese reading is kept and flagged. */
	if (!slash || t[0].s[0] == '0' || t[1].s[0] == '0')
		return dm;
	bool pdm = plausible(st, dm), pmd = plausible(st, md);
	if (pdm != pmd)
		return pdm ? dm : md;
	st->ambiguous = true;
	return dm;
}

/* English month name or abbreviation (Excel's d-mmm-yy: 5-Mar-80); 0 if none. */
static int month_name(const char *s, size_t len)
{
	static const char *const names[12] = {"january",   "february", "march",    "april",
	                                      "may",       "june",     "july",     "august",
	                                      "september", "october",  "november", "december"};
	if (len < 3)
		return 0;
	for (int m = 0; m < 12; m++)
		if (len <= strlen(names[m]) && !memcmp(s, names[m], len) &&
		    (len == 3 || len == strlen(names[m]) || (m == 8 && len == 4)))
			return m + 1; /* "sep", "sept", "september" */
	return 0;
}

/* Dates with words: "ngày 5 tháng 3 năm 1980", "tháng 9/2021", "5-Mar-80", "5 thg 3, 1980" (a
 * Vietnamese locale's medium date), "Thứ Tư, 5 tháng 3, 1980" (its long date: the weekday skipped).
 * A number after ngày/tháng/năm fills that part; a month name is the month;
 * a four-digit number is the year; the other numbers fill the day and then
 * the year (a lone number beside a month name is the year: Mar-80). */
static vs_date read_words(parse_state *st, const dtok *t, size_t n)
{
	long v[3] = {-1, -1, -1};
	size_t ylen = 4, free_count = 0, free_idx[DATE_MAX_TOKENS];
	int slot = -1;
	for (size_t i = 0; i < n; i++) {
		/* a weekday before the date, as a Vietnamese long date writes it: Thứ Ba, Thứ 3, Chủ Nhật,
		 * CN (its word after Thứ may be "Năm", Thursday, not the year's word) */
		if (!t[i].num && t[i].len == 3 && !memcmp(t[i].s, "thu", 3) && i + 1 < n && v[0] < 0 &&
		    v[1] < 0 && v[2] < 0 && free_count == 0) {
			i++;
			continue;
		}
		if (!t[i].num && ((t[i].len == 3 && !memcmp(t[i].s, "chu", 3) && i + 1 < n && !t[i + 1].num &&
		                   t[i + 1].len == 4 && !memcmp(t[i + 1].s, "nhat", 4)) ||
		                  (t[i].len == 2 && !memcmp(t[i].s, "cn", 2)))) {
			i += t[i].len == 3;
			continue;
		}
		if (!t[i].num) {
			int m = month_name(t[i].s, t[i].len);
			if (t[i].len == 4 && !memcmp(t[i].s, "ngay", 4))
				slot = 0;
			else if ((t[i].len == 5 && !memcmp(t[i].s, "thang", 5)) ||
			         (t[i].len == 3 && !memcmp(t[i].s, "thg", 3))) /* thg: Vietnamese locales */
				slot = 1;
			else if (t[i].len == 3 && !memcmp(t[i].s, "nam", 3))
				slot = 2;
			else if (m && v[1] < 0)
				v[1] = m;
			else if (!((t[i].len == 4 && !memcmp(t[i].s, "sinh", 4)) ||
			           (t[i].len == 2 && !memcmp(t[i].s, "ns", 2))))
				return (vs_date){0, 0, 0, VS_DATE_NONE};
			continue;
		}
		int k = slot;
		slot = -1;
		if ((k < 0 || v[k] >= 0) && t[i].len == 4 && v[2] < 0)
			k = 2; /* a four-digit number without a word before it is the year */
		if (k >= 0 && v[k] < 0) {
			v[k] = t[i].val;
			if (k == 2)
				ylen = t[i].len;
			continue;
		}
		free_idx[free_count++] = i;
	}
	for (size_t f = 0; f < free_count; f++) {
		const dtok *d = &t[free_idx[f]];
		int k = free_count == 1 && v[1] >= 0 && v[0] < 0 && v[2] < 0 ? 2 /* Mar-80 */
		        : v[0] < 0                                           ? 0
		        : v[1] < 0                                           ? 1
		                                                             : 2;
		if (v[k] >= 0)
			return (vs_date){0, 0, 0, VS_DATE_NONE};
		v[k] = d->val;
		if (k == 2)
			ylen = d->len;
	}
	if (v[2] < 0 || (v[0] >= 0 && v[1] < 0) || (ylen != 2 && ylen != 4))
		return (vs_date){0, 0, 0, VS_DATE_NONE};
	int y = full_year(st, v[2], ylen);
	return century_fix(st, mk(y, v[1] < 0 ? 0 : (int)v[1], v[0] < 0 ? 0 : (int)v[0]), ylen);
}

static vs_date read_numbers(parse_state *st, const dtok *t, size_t n, bool slash)
{
	if (n == 1) {
		switch (t[0].len) {
		case 4:
			return mk((int)t[0].val, 0, 0);
		case 5:
			return from_serial(st, t[0].val);
		case 6: { /* ddmmyy */
			long v = t[0].val;
			int y = full_year(st, v % 100, 2);
			return century_fix(st, mk(y, (int)(v / 100 % 100), (int)(v / 10000)), 2);
		}
		case 8: { /* ddmmyyyy, else yyyymmdd */
			long v = t[0].val;
			vs_date r = mk((int)(v % 10000), (int)(v / 10000 % 100), (int)(v / 1000000));
			if (r.precision == VS_DATE_DAY && r.year >= 1900)
				return r;
			return mk((int)(v / 10000), (int)(v / 100 % 100), (int)(v % 100));
		}
		default:
			return (vs_date){0, 0, 0, VS_DATE_NONE};
		}
	}
	if (n == 2) {
		if (t[1].len == 4 && t[0].len <= 2)
			return mk((int)t[1].val, (int)t[0].val, 0);
		if (t[0].len == 4 && t[1].len <= 2)
			return mk((int)t[0].val, (int)t[1].val, 0);
		return (vs_date){0, 0, 0, VS_DATE_NONE};
	}
	if (n == 3) {
		if (t[0].len == 4 && t[1].len <= 2 && t[2].len <= 2)
			return mk((int)t[0].val, (int)t[1].val, (int)t[2].val);
		if (t[0].len <= 2 && t[1].len <= 2 && (t[2].len == 4 || t[2].len == 2))
			return read_dmy(st, t, slash);
	}
	return (vs_date){0, 0, 0, VS_DATE_NONE};
}

/* Splits the folded text into number and word tokens; false on a mixed token. */
static bool split_tokens(const char *f, size_t fl, dtok *t, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < fl;) {
		if (f[i] == ' ') {
			i++;
			continue;
		}
		size_t start = i;
		bool digits = true, alpha = true;
		while (i < fl && f[i] != ' ') {
			if (f[i] >= '0' && f[i] <= '9')
				alpha = false;
			else
				digits = false;
			i++;
		}
		if ((!digits && !alpha) || *n == DATE_MAX_TOKENS || (digits && i - start > 9))
			return false;
		dtok *k = &t[(*n)++];
		k->s = f + start;
		k->len = i - start;
		k->num = digits;
		k->val = 0;
		for (size_t j = start; digits && j < i; j++)
			k->val = k->val * 10 + (f[j] - '0');
	}
	return true;
}

/* "29221" or "29221.5" (an Excel serial with a time fraction). */
static bool serial_shape(const char *s, size_t len, long *serial)
{
	size_t i = 0;
	long v = 0;
	while (i < len && i < 6 && s[i] >= '0' && s[i] <= '9') /* 6: enough to reject, no overflow */
		v = v * 10 + (s[i++] - '0');
	if (i != 5)
		return false;
	if (i < len) {
		if (s[i] != '.' && s[i] != ',')
			return false;
		for (i++; i < len; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
	}
	*serial = v;
	return true;
}

vs_date vs_norm_date(const char *s, size_t len, int kind, vs_date today, vs_reason_set *reasons)
{
	const kind_reasons *kr = kind == VS_NORM_DATE_SHOT ? &shot_reasons : &dob_reasons;
	parse_state st = {kind, today, false, false, false};
	char buf[DATE_MAX_LEN + 1], folded[DATE_MAX_LEN + 1];
	dtok t[DATE_MAX_TOKENS];
	size_t n = 0;
	vs_date d = {0, 0, 0, VS_DATE_NONE};
	long serial;

	if (!s)
		len = 0;
	while (len && (*s == ' ' || *s == '\t' || *s == '\'' || *s == '"'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (!len) {
		vs_reason_add(reasons, kr->missing);
		return d;
	}
	if (len > DATE_MAX_LEN)
		goto bad;
	/* a signed date ("-2021-11-22", "+1990") is not a date with its sign dropped */
	if ((s[0] == '-' || s[0] == '+' || (len > 3 && !memcmp(s, "\xe2\x88\x92", 3))) && len > 1)
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* Drop a time of day: "05/03/1980 0:00", "1980-03-05T00:00:00". */
	char *colon = strchr(buf, ':');
	if (colon) {
		char *cut = colon;
		while (cut > buf && cut[-1] != ' ' && cut[-1] != 'T')
			cut--;
		if (cut == buf)
			goto bad;
		cut[-1] = '\0';
		len = strlen(buf);
	}
	if (serial_shape(buf, len, &serial)) {
		d = from_serial(&st, serial);
	} else {
		size_t fl = vs_text_fold(buf, len, folded, sizeof(folded));
		bool words = false, slash = strchr(buf, '/') != NULL;
		if (!split_tokens(folded, fl, t, &n) || n == 0)
			goto bad;
		for (size_t i = 0; i < n; i++)
			words |= !t[i].num;
		d = words ? read_words(&st, t, n) : read_numbers(&st, t, n, slash);
	}
	if (d.precision == VS_DATE_NONE)
		goto bad;

	if (st.serial)
		vs_reason_add(reasons, kr->serial);
	if (st.two_digit && kr->two_digit)
		vs_reason_add(reasons, kr->two_digit);
	if (d.precision == VS_DATE_YEAR)
		vs_reason_add(reasons, kr->year_only);
	else if (d.precision == VS_DATE_MONTH)
		vs_reason_add(reasons, kr->month_year);
	if (st.ambiguous)
		vs_reason_add(reasons, kr->ambiguous);
	if (have_today(&st) && cmp_partial(d, today) > 0)
		vs_reason_add(reasons, kr->future);
	if (kind == VS_NORM_DATE_SHOT ? cmp_partial(d, programme_start) < 0 : d.year < 1900)
		vs_reason_add(reasons, kr->early);
	return d;
bad:
	vs_reason_add(reasons, kr->unparseable);
	return (vs_date){0, 0, 0, VS_DATE_NONE};
}

/* id.c - standardizes personal ID numbers (CCCD 12 digits, CMND 9 digits, others).
 *
 * Separators are removed, damage done by Excel is repaired only when the
 * repaired value is a well-formed number (never invented), and the facts a
 * CCCD implies (province of birth, sex/century, birth year) are checked
 * against the record: each disagreement is its own reason, the ID is kept. */
#include <string.h>

#include "norm/norm_internal.h"
#include "vaxsync/idnum.h"

#define ID_SCRATCH 64 /* longer input is not an ID: ID_BAD_LENGTH */

bool vs_idnum_is_cccd(const char *s)
{
	size_t i = 0;
	if (!s)
		return false;
	for (; s[i]; i++)
		if (s[i] < '0' || s[i] > '9' || i >= 12)
			return false;
	return i == 12;
}

bool vs_idnum_is_cmnd(const char *s)
{
	size_t i = 0;
	if (!s)
		return false;
	for (; s[i]; i++)
		if (s[i] < '0' || s[i] > '9' || i >= 9)
			return false;
	return i == 9;
}

bool vs_idnum_cccd_decode(const char *id12, int *province_code, int *sex, int *birth_year)
{
	if (!vs_idnum_is_cccd(id12))
		return false;
	int d4 = id12[3] - '0';
	if (province_code)
		*province_code = (id12[0] - '0') * 100 + (id12[1] - '0') * 10 + (id12[2] - '0');
	if (sex)
		*sex = (d4 % 2 == 0) ? VS_SEX_M : VS_SEX_F;
	if (birth_year)
		*birth_year = 1900 + (d4 / 2) * 100 + (id12[4] - '0') * 10 + (id12[5] - '0');
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static bool cccd_province_known(const vs_ref *ref, const char *id)
{
	if (!ref)
		return true; /* without the table, do not accuse */
	for (size_t i = 0; i < ref->cccd_count; i++)
		if (memcmp(ref->cccd[i].code, id, 3) == 0)
			return true;
	return false;
}

/* Parses Excel scientific notation ("1.23457E+11", "3,5E+11", "1E+11").
 * On a match returns true; *exact tells whether every digit survived, and then
 * digits[] holds the integer (NUL-terminated); when digits were lost, *sig holds the
 * significant digits shown (trailing zeros dropped, at most 18) and *sig_len the number of
 * digits of the whole number (0 when it cannot be told). */
static bool parse_scientific(const char *s, size_t len, bool *exact, char *digits, size_t digits_len,
                             uint64_t *sig, uint8_t *sig_len)
{
	char mant[32];
	size_t m = 0, i = 0, int_digits = 0;
	bool seen_point = false;
	*exact = false;
	*sig = 0;
	*sig_len = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\''))
		i++;
	for (; i < len && (is_digit(s[i]) || s[i] == '.' || s[i] == ','); i++) {
		if (s[i] == '.' || s[i] == ',') {
			if (seen_point)
				return false;
			seen_point = true;
			continue;
		}
		if (m + 1 >= sizeof mant)
			return false;
		mant[m++] = s[i];
		if (!seen_point)
			int_digits++;
	}
	if (m == 0 || int_digits == 0 || i >= len || (s[i] != 'E' && s[i] != 'e'))
		return false;
	i++;
	if (i >= len || s[i] != '+') /* Excel always writes "E+11"; "12E11" is just letters and digits */
		return false;
	i++;
	int exp = 0;
	size_t exp_digits = 0;
	for (; i < len && is_digit(s[i]) && exp_digits < 3; i++, exp_digits++)
		exp = exp * 10 + (s[i] - '0');
	while (i < len && s[i] == ' ')
		i++;
	if (exp_digits == 0 || i != len)
		return false;
	/* value = mant[0..m) * 10^(exp - (m - int_digits)) */
	long shift = (long)exp - (long)(m - int_digits);
	while (m > 1 && mant[m - 1] == '0' && shift < 0) {
		m--;
		shift++;
	}
	if (shift < 0 || (size_t)shift + m + 1 > digits_len)
		return true;
	/* Excel shows 15 significant digits at most; trailing zeros it pads are
	 * indistinguishable from lost digits, so only a full mantissa is exact. */
	if (shift > 0) {
		size_t k = 0, e = m;
		while (k < m && mant[k] == '0')
			k++;
		while (e > k && mant[e - 1] == '0')
			e--;
		if (k < e && e - k <= 18) {
			uint64_t v = 0;
			for (size_t j = k; j < e; j++)
				v = v * 10 + (uint64_t)(mant[j] - '0');
			*sig = v;
			*sig_len = (uint8_t)(m - k + (size_t)shift);
		}
		return true;
	}
	size_t o = 0, k = 0;
	while (k < m && mant[k] == '0')
		k++;
	for (; k < m; k++)
		digits[o++] = mant[k];
	digits[o] = '\0';
	*exact = o > 0;
	return true;
}

static bool is_none_word(const char *s, size_t len)
{
	static const char *const words[] = {"khong", "khong co", "ko", "k",       "none",
	                                    "n a",   "na",       "x",  "chua co", "null"};
	char key[24];
	size_t n = vs_utf8_fold_key(s, len, key, sizeof key);
	if (n == 0)
		return true;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(key, words[i]) == 0)
			return true;
	return false;
}

/* Length of a leading label such as "CCCD:", "CMND số", "Số CCCD" (only label
 * words before the first digit), or 0. */
static size_t skip_label(const char *s, size_t len)
{
	static const char *const words[] = {"cccd", "cmnd", "cmt",  "can",  "cuoc", "cong", "dan",
	                                    "so",   "id",   "dinh", "danh", "ca",   "nhan", "the"};
	char key[48];
	size_t j = 0;
	while (j < len && !is_digit(s[j]))
		j++;
	if (j == 0 || j == len || j > 40 || is_alpha(s[j - 1])) /* "CCCD: 0..", not "CONG781" */
		return 0;
	size_t kl = vs_utf8_fold_key(s, j, key, sizeof key);
	if (kl == 0)
		return 0;
	for (char *w = key; *w;) {
		char *e = strchr(w, ' ');
		size_t wl = e ? (size_t)(e - w) : strlen(w);
		bool ok = false;
		for (size_t k = 0; k < sizeof words / sizeof words[0] && !ok; k++)
			ok = strlen(words[k]) == wl && memcmp(words[k], w, wl) == 0;
		if (!ok)
			return 0;
		w += wl;
		while (*w == ' ')
			w++;
	}
	return j;
}

/* Checks the facts a CCCD implies against dob and sex. */
static void check_cccd(const vs_norm_ctx *ctx, const char *id, vs_date dob, uint8_t sex, vs_norm_record *out)
{
	int sex_code = 0, year = 0;
	if (!cccd_province_known(ctx ? ctx->ref : NULL, id))
		vs_reason_add(&out->reasons, VS_R_ID_PROVINCE_UNKNOWN);
	(void)vs_idnum_cccd_decode(id, NULL, &sex_code, &year);
	bool mismatch = false;
	if ((sex == VS_SEX_M || sex == VS_SEX_F) && sex != sex_code)
		mismatch = true;
	if (dob.precision >= VS_DATE_YEAR && dob.year > 0 && dob.year / 100 != year / 100)
		mismatch = true;
	if (mismatch)
		vs_reason_add(&out->reasons, VS_R_ID_SEX_CENTURY_MISMATCH);
	if (dob.precision >= VS_DATE_YEAR && dob.year > 0 && dob.year % 100 != year % 100)
		vs_reason_add(&out->reasons, VS_R_ID_BIRTH_YEAR_MISMATCH);
}

/* Restores leading zeros lost by Excel when the padded number is well formed. */
static bool restore_zeros(const vs_norm_ctx *ctx, char *d, size_t *len, vs_date dob)
{
	char tmp[16];
	if (*len == 10 || *len == 11) {
		size_t pad = 12 - *len;
		int year = 0;
		memset(tmp, '0', pad);
		memcpy(tmp + pad, d, *len);
		tmp[12] = '\0';
		(void)vs_idnum_cccd_decode(tmp, NULL, NULL, &year);
		/* a known date of birth must agree, or this is some other 10-11 digit
		 * number (a social-insurance code) that merely looks repairable */
		bool dob_agrees = dob.precision < VS_DATE_YEAR || dob.year <= 0 || dob.year == year;
		if (tmp[3] <= '3' && dob_agrees && cccd_province_known(ctx ? ctx->ref : NULL, tmp)) {
			memcpy(d, tmp, 13);
			*len = 12;
			return true;
		}
	} else if (*len == 8 && d[0] != '0') {
		tmp[0] = '0';
		memcpy(tmp + 1, d, 9);
		memcpy(d, tmp, 10);
		*len = 9;
		return true;
	}
	return false;
}

void vs_norm_id(const vs_norm_ctx *ctx, const char *s, vs_date dob, uint8_t sex, vs_norm_record *out)
{
	char buf[ID_SCRATCH];
	size_t len = s ? strlen(s) : 0, n = 0, digits = 0, alphas = 0;
	bool separators = false, other_chars = false;

	out->id_number[0] = '\0';
	out->id_type = VS_ID_NONE;
	out->id_sci = 0;
	out->id_sci_len = 0;
	while (len > 0 &&
	       (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\'' || *s == '"')) {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == '"')
		len--;
	if (len == 0 || is_none_word(s, len)) {
		vs_reason_add(&out->reasons, VS_R_ID_MISSING);
		return;
	}

	bool exact = false;
	uint64_t sig;
	uint8_t sig_len;
	if (parse_scientific(s, len, &exact, buf, sizeof buf, &sig, &sig_len)) {
		if (!exact) {
			/* no ID, but what Excel left of it can still agree with a citizen's */
			vs_reason_add(&out->reasons, VS_R_ID_EXCEL_SCIENTIFIC);
			out->id_sci = sig;
			out->id_sci_len = sig_len;
			return;
		}
		n = strlen(buf);
		digits = n;
		vs_reason_add(&out->reasons, VS_R_ID_EXCEL_DAMAGE_FIXED);
		goto classify;
	}

	/* "1089012345.0": a number-formatted Excel cell written with its decimals */
	size_t dot = 0;
	while (dot < len && is_digit(s[dot]))
		dot++;
	if (dot >= 8 && dot + 1 < len && s[dot] == '.' && strspn(s + dot + 1, "0") == len - dot - 1) {
		len = dot;
		vs_reason_add(&out->reasons, VS_R_ID_EXCEL_DAMAGE_FIXED);
	}

	size_t start = skip_label(s, len);
	for (size_t i = start; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '.' || c == '-' || c == '\t' || c == '_' || c == ',' || c == '/') {
			separators = n > 0 ? true : separators;
			continue;
		}
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) { /* NBSP */
			i++;
			separators = true;
			continue;
		}
		if (is_digit((char)c) || is_alpha((char)c)) {
			if (n + 1 >= sizeof buf) {
				vs_reason_add(&out->reasons, VS_R_ID_BAD_LENGTH);
				return;
			}
			buf[n++] = upper((char)c);
			if (is_digit((char)c))
				digits++;
			else
				alphas++;
			continue;
		}
		other_chars = true;
	}
	buf[n] = '\0';
	if (n == 0) {
		vs_reason_add(&out->reasons, VS_R_ID_MISSING);
		return;
	}
	/* a letter O typed for a zero, I or l for a one, in a number of a CCCD's or CMND's length
	 * ("00104401234O"): read as the digit and flagged (no other document has that shape) */
	if (alphas && alphas <= 2 && (n == 12 || n == 9)) {
		size_t lookalikes = 0;
		for (size_t i = 0; i < n; i++)
			lookalikes += buf[i] == 'O' || buf[i] == 'I' || buf[i] == 'L';
		if (lookalikes == alphas) {
			for (size_t i = 0; i < n; i++)
				buf[i] = buf[i] == 'O' ? '0' : buf[i] == 'I' || buf[i] == 'L' ? '1' : buf[i];
			digits = n;
			alphas = 0;
			other_chars = true;
		}
	}
	if (separators && digits > 0)
		vs_reason_add(&out->reasons, VS_R_ID_SEPARATORS_REMOVED);

classify:
	if (digits == n) {
		/* Stray symbols among digits ("001089*012345") are dropped and flagged. */
		if (other_chars)
			vs_reason_add(&out->reasons, VS_R_ID_NON_DIGIT);
		bool all_zero = true;
		for (size_t i = 0; i < n; i++)
			all_zero = all_zero && buf[i] == '0';
		if (all_zero) {
			vs_reason_add(&out->reasons, VS_R_ID_MISSING);
			return;
		}
		if (restore_zeros(ctx, buf, &n, dob))
			vs_reason_add(&out->reasons, VS_R_ID_EXCEL_DAMAGE_FIXED);
		if (n == 12) {
			memcpy(out->id_number, buf, 13);
			out->id_type = VS_ID_CCCD;
			check_cccd(ctx, buf, dob, sex, out);
			return;
		}
		if (n == 9) {
			memcpy(out->id_number, buf, 10);
			out->id_type = VS_ID_CMND;
			vs_reason_add(&out->reasons, VS_R_ID_OLD_CMND);
			return;
		}
		/* Wrong length: kept as OTHER so linking may still use it as weak
		 * evidence, but never presented as a CCCD or CMND. */
		vs_reason_add(&out->reasons, VS_R_ID_BAD_LENGTH);
		if (n < sizeof out->id_number) {
			memcpy(out->id_number, buf, n + 1);
			out->id_type = VS_ID_OTHER;
		}
		return;
	}
	/* Letters or stray symbols. Passport (B1234567, C12345678) and
	 * health-insurance cards (GD4010123456789) are recognised as such. */
	bool passport = n >= 8 && n <= 9 && alphas == 1 && is_alpha(buf[0]);
	bool insurance = n == 15 && alphas == 2 && is_alpha(buf[0]) && is_alpha(buf[1]);
	if (other_chars || !(passport || insurance))
		vs_reason_add(&out->reasons, VS_R_ID_NON_DIGIT);
	if (digits == 0) /* words, not a number: nothing worth keeping */
		return;
	if (n < 5 || n >= sizeof out->id_number) {
		vs_reason_add(&out->reasons, VS_R_ID_BAD_LENGTH);
		return;
	}
	memcpy(out->id_number, buf, n + 1);
	out->id_type = VS_ID_OTHER;
	if (passport || insurance)
		vs_reason_add(&out->reasons, VS_R_ID_OTHER_TYPE);
}

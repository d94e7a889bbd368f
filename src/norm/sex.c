/* sex.c - sex as typed (Nam/Nữ and the many ways facilities write them).
 *
 * The text is folded (no diacritics, lower case) and matched against a small
 * word list. Numeric codes: 1 = male in both conventions in use (1/2 of the
 * statistics office, 1/0 of boolean "GioiTinh" columns), so 0 and 2 are
 * female. A lone "N" is both Nam and Nữ and stays unrecognized. */
#include <string.h>

#include "norm/norm_internal.h"
#include "norm/text.h"

static const char *const male_words[] = {"nam",      "m",       "male",     "man",           "trai",
                                         "con trai", "be trai", "nam gioi", "gioi tinh nam", "ong",
                                         "1",        "boy",     NULL};
static const char *const female_words[] = {
    "nu",           "f",  "female", "woman", "gai",  "con gai", "be gai", "nu gioi",
    "gioi tinh nu", "ba", "0",      "2",     "girl", "w",       NULL};

static bool in_words(const char *s, size_t len, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == len && !memcmp(list[i], s, len))
			return true;
	return false;
}

uint8_t vs_norm_sex(const char *s, size_t len, vs_reason_set *reasons)
{
	char f[48];
	size_t fl;
	if (!s)
		len = 0;
	if (len > 40) {
		vs_reason_add(reasons, VS_R_SEX_UNRECOGNIZED);
		return VS_SEX_UNKNOWN;
	}
	fl = vs_text_fold(s ? s : "", len, f, sizeof(f));
	if (fl == 0) {
		vs_reason_add(reasons, VS_R_SEX_MISSING);
		return VS_SEX_UNKNOWN;
	}
	/* "Nữ" folds to "nu"; but "nư" and "nũ" too, which are typos of the same word. */
	if (in_words(f, fl, male_words))
		return VS_SEX_M;
	if (in_words(f, fl, female_words))
		return VS_SEX_F;
	vs_reason_add(reasons, VS_R_SEX_UNRECOGNIZED);
	return VS_SEX_UNKNOWN;
}

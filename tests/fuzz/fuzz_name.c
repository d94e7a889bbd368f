/* fuzz_name.c - libFuzzer target for the name standardizer (src/norm/name.c
 * and text.c: NFC, legacy-encoding repair, UTF-8 read in a Western code
 * page, syllables, keys). Checks on top of memory safety: every output is
 * NUL-terminated valid UTF-8 within its member, keys are plain ASCII, and
 * standardizing the display form again gives the same display form and keys
 * (idempotence; with a legacy-encoding reason involved, convergence by the
 * third pass). */
#include <stdlib.h>
#include <string.h>

#include "norm/norm_internal.h"
#include "norm/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vs_norm_ctx *ctx(void)
{
	static vs_norm_ctx *c;
	static bool ready;
	if (!ready) {
		vs_error err = {0};
		const char *dir = getenv("VAXSYNC_REFDATA");
		ready = true;
		if (vs_norm_ctx_load(&c, dir ? dir : "../shared/data", (vs_date){2025, 6, 1, VS_DATE_DAY},
		                     &err))
			c = NULL; /* without reference data: no legacy repair or order check */
	}
	return c;
}

static void check_str(const char *s, size_t cap, bool ascii)
{
	size_t n = strnlen(s, cap);
	if (n == cap || !vs_utf8_valid(s, n, NULL))
		abort();
	for (size_t i = 0; ascii && i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || (s[i] >= 'A' && s[i] <= 'Z'))
			abort();
}

static bool legacy(const vs_norm_record *r)
{
	return vs_reason_has(&r->reasons, VS_R_NAME_LEGACY_ENCODING_SUSPECT) ||
	       vs_reason_has(&r->reasons, VS_R_NAME_LEGACY_ENCODING_FIXED) ||
	       vs_reason_has(&r->reasons, VS_R_NAME_LEGACY_ENCODING_TYPO);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vs_norm_record r, again;
	char buf[1024];
	if (size > sizeof(buf) - 1)
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* UTF-8 read in a Western code page: the repair fits its buffer and is UTF-8 */
	char fixed[512];
	size_t fl = vs_text_misread_repair(ctx() ? ctx()->text : NULL, buf, size, fixed, sizeof(fixed));
	if (fl && (fl >= sizeof(fixed) || strlen(fixed) != fl || !vs_utf8_valid(fixed, fl, NULL)))
		abort();
	memset(&r, 0, sizeof(r));
	vs_norm_name(ctx(), buf, size, &r);
	check_str(r.full_name, sizeof(r.full_name), false);
	check_str(r.family, sizeof(r.family), false);
	check_str(r.middle, sizeof(r.middle), false);
	check_str(r.given, sizeof(r.given), false);
	check_str(r.name_key, sizeof(r.name_key), true);
	check_str(r.family_key, sizeof(r.family_key), true);
	check_str(r.given_key, sizeof(r.given_key), true);
	check_str(r.name_sorted_key, sizeof(r.name_sorted_key), true);
	check_str(r.name_accent_key, sizeof(r.name_accent_key), false);
	if ((r.full_name[0] == '\0') != vs_reason_has(&r.reasons, VS_R_NAME_MISSING))
		abort();
	/* A display form cut at the member size may end inside a word; only
	 * forms well inside the member are required to be stable. Legacy
	 * decoding depends on the letters' case (TCVN3 Ô and ô are different
	 * letters), and the display form changes case; so when a legacy-encoding
	 * reason is involved (real text is then repaired in one pass), the
	 * display form must converge by the third pass instead. */
	if (strlen(r.full_name) < sizeof(r.full_name) - 40 && strlen(r.middle) < sizeof(r.middle) - 20 &&
	    strlen(r.family) < sizeof(r.family) - 8 && strlen(r.given) < sizeof(r.given) - 8) {
		memset(&again, 0, sizeof(again));
		vs_norm_name(ctx(), r.full_name, strlen(r.full_name), &again);
		if (legacy(&r) || legacy(&again)) {
			vs_norm_record third;
			memset(&third, 0, sizeof(third));
			vs_norm_name(ctx(), again.full_name, strlen(again.full_name), &third);
			if (!legacy(&third) && strlen(again.full_name) < sizeof(again.full_name) - 40 &&
			    strcmp(third.full_name, again.full_name) != 0)
				abort();
		} else if (strcmp(again.full_name, r.full_name) != 0 ||
		           strcmp(again.name_key, r.name_key) != 0) {
			abort();
		}
	}
	return 0;
}

/* test_norm.c - unit tests of src/norm text, names, dates, sex and whole records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "norm/norm_internal.h"
#include "norm/text.h"

static vs_norm_ctx *ctx;
static const vs_date today = {2025, 6, 1, VS_DATE_DAY};

static int setup(void **state)
{
	vs_error err = {0};
	const char *dir = getenv("VAXSYNC_REFDATA");
	(void)state;
	if (!dir)
		return -1;
	if (vs_norm_ctx_load(&ctx, dir, today, &err)) {
		fprintf(stderr, "ctx load: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vs_norm_ctx_free(ctx);
	return 0;
}

/* ---- text ---- */

static void test_syllables(void **state)
{
	(void)state;
	const char *ok[] = {"Nguyễn", "nguyen", "hoà",    "hòa",   "Quý",  "giữ",    "gì",
	                    "Thị",    "người",  "khuỷu",  "Huỳnh", "Đặng", "yến",    "oanh",
	                    "xoong",  "khuya",  "Phượng", "Hoàng", "quốc", "Trương", NULL};
	const char *bad[] = {"NguyÔn", "Ph¹m", "xyz", "hàá", "Nguyeãn", "bc", "Smith", "tàc", NULL};
	size_t wrong = 0;
	for (size_t i = 0; ok[i]; i++)
		if (!vs_text_syllable_valid(ok[i], strlen(ok[i]))) {
			fprintf(stderr, "should be a syllable: %s\n", ok[i]);
			wrong++;
		}
	for (size_t i = 0; bad[i]; i++)
		if (vs_text_syllable_valid(bad[i], strlen(bad[i]))) {
			fprintf(stderr, "should not be a syllable: %s\n", bad[i]);
			wrong++;
		}
	assert_int_equal(wrong, 0);
}

/* Every name in the reference name tables must read as Vietnamese syllables,
 * or the legacy detector would flag ordinary names. */
static void test_reference_names_are_syllables(void **state)
{
	(void)state;
	const vs_ref *ref = ctx->ref;
	const vs_ref_name *sets[3] = {ref->family, ref->middle, ref->given};
	size_t counts[3] = {ref->family_count, ref->middle_count, ref->given_count};
	size_t bad = 0;
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < counts[k]; i++) {
			const char *p = sets[k][i].name;
			while (*p) {
				size_t n = strcspn(p, "/ ");
				/* The forum-derived rows hold a few names that are
				 * themselves VNI mojibake: they must be repaired or flagged. */
				char fixed[64];
				if (n && !vs_text_syllable_valid(p, n) &&
				    vs_text_legacy_repair(ctx->text, p, n, fixed, sizeof(fixed)) ==
				        VS_TEXT_LEGACY_NONE) {
					fprintf(stderr, "not a syllable: %.*s\n", (int)n, p);
					bad++;
				}
				p += n;
				while (*p == '/' || *p == ' ')
					p++;
			}
		}
	assert_int_equal(bad, 0);
}

static void test_nfc_and_keys(void **state)
{
	char out[128];
	bool changed;
	(void)state;
	/* "Nguyễn" decomposed: e + circumflex + tilde */
	vs_text_nfc("Nguye\xcc\x82\xcc\x83n", 10, out, sizeof(out), &changed);
	assert_true(changed);
	assert_string_equal(out, "Nguyễn");
	vs_text_nfc("Nguyễn", strlen("Nguyễn"), out, sizeof(out), &changed);
	assert_false(changed);
	vs_text_fold("Đặng Thị Ánh", strlen("Đặng Thị Ánh"), out, sizeof(out));
	assert_string_equal(out, "dang thi anh");
	vs_text_accent_key("Hòa Thúy Khỏe", strlen("Hòa Thúy Khỏe"), out, sizeof(out));
	assert_string_equal(out, "hoà thuý khoẻ");
	vs_text_accent_key("hoà thuý khoẻ", strlen("hoà thuý khoẻ"), out, sizeof(out));
	assert_string_equal(out, "hoà thuý khoẻ");
	vs_text_accent_key("HOÀNG Quý", strlen("HOÀNG Quý"), out, sizeof(out));
	assert_string_equal(out, "hoàng quý");
	vs_text_proper_word("ĐẶNG", strlen("ĐẶNG"), out, sizeof(out));
	assert_string_equal(out, "Đặng");
}

static void test_legacy(void **state)
{
	char out[128];
	(void)state;
	/* TCVN3 bytes read as Windows-1252: "Nguyễn Văn Phạm" */
	const char *tcvn = "NguyÔn V¨n Ph¹m";
	assert_int_equal(vs_text_legacy_repair(ctx->text, tcvn, strlen(tcvn), out, sizeof(out)),
	                 VS_TEXT_LEGACY_FIXED);
	assert_string_equal(out, "Nguyễn Văn Phạm");
	/* VNI-Windows read as Windows-1252: "Nguyễn Thị Hồng" */
	const char *vni = "Nguyeãn Thò Hoàng"; /* o + à is VNI for ồ */
	assert_int_equal(vs_text_legacy_repair(ctx->text, vni, strlen(vni), out, sizeof(out)),
	                 VS_TEXT_LEGACY_FIXED);
	assert_string_equal(out, "Nguyễn Thị Hồng");
	/* valid Unicode is left alone */
	const char *uni = "Nguyễn Thị Hồng";
	assert_int_equal(vs_text_legacy_repair(ctx->text, uni, strlen(uni), out, sizeof(out)),
	                 VS_TEXT_LEGACY_NONE);
	/* damaged beyond repair: flagged */
	const char *junk = "Ng¤y¥n V¨n";
	assert_int_equal(vs_text_legacy_repair(ctx->text, junk, strlen(junk), out, sizeof(out)),
	                 VS_TEXT_LEGACY_SUSPECT);
	/* a typo typed in the old font leaves one word no reading makes a syllable: the others
	 * decode (before, the whole name stayed as typed, SUSPECT) */
	static const char *const typo[][2] = {
	    {"TRÇN THÞ QIúNH", "TRầN THị QIỳNH"}, /* TCVN3 (no capitals with marks), U typed as I */
	    {"NguyÔn H÷u Thannh Tr­êng", "Nguyễn Hữu Thannh Trường"}, /* TCVN3, an ASCII word */
	    {"NguyÔb Minh QuyÒn", "Nguyễb Minh Quyền"},               /* TCVN3, the family name */
	    {"Löu uTaán Ñaïi", "Lưu uTấn Đại"},                       /* VNI, letters swapped */
	    {"Phqm Leâ Haûi Ñoâng", "Phqm Lê Hải Đông"},              /* VNI */
	};
	for (size_t i = 0; i < sizeof(typo) / sizeof(typo[0]); i++) {
		assert_int_equal(
		    vs_text_legacy_repair(ctx->text, typo[i][0], strlen(typo[i][0]), out, sizeof(out)),
		    VS_TEXT_LEGACY_FIXED_TYPO);
		assert_string_equal(out, typo[i][1]);
	}
	/* but not two such words, nor one beside a single syllable, nor where no decoded word is a
	 * known name (Unicode with a stray sign) */
	static const char *const still[] = {"TRÇN THÞ QIúNHH XYZQ", "Ng¤y¥n V¨n", "Nguyễn Văn An©"};
	for (size_t i = 0; i < sizeof(still) / sizeof(still[0]); i++)
		assert_int_equal(
		    vs_text_legacy_repair(ctx->text, still[i], strlen(still[i]), out, sizeof(out)),
		    VS_TEXT_LEGACY_SUSPECT);
}

/* UTF-8 whose bytes were read as Windows-1252 (or Latin-1) and saved again as UTF-8, as a CSV
 * UTF-8 file opened in Excel in a Western locale comes back (TEXT_UTF8_MISREAD_DECODED) */
static void test_utf8_misread(void **state)
{
	char out[256];
	(void)state;
	static const struct {
		const char *in, *want;
	} fixed[] = {
	    {"Nguyá»…n VÄƒn HÃ²a", "Nguyễn Văn Hòa"},               /* Windows-1252 */
	    {"Nguyá»\xc2\x85n VÄ\xc2\x83n HÃ²a", "Nguyễn Văn Hòa"}, /* Latin-1: C1 controls */
	    {"LÃª Ä\xef\xbf\xbdá»©c Anh", "Lê Đức Anh"},            /* 0x90 lost as U+FFFD: only Đ fits */
	    {"Tráº§n Thá»‹ Ngá»\xef\xbf\xbd"
	     "c",
	     "Trần Thị Ngọc"},                           /* 0x8D lost: ọ, not ề ỏ Ố ờ */
	    {"HoÃ ng Thá»‹ Æ\xc2\xa0n", "Hoàng Thị Ơn"}, /* à's 0xA0 made a plain space */
	    {"Sá»‘ 12, PhÆ°á»\xc2\x9dng 5, Quáº­n 3, TP.HCM", "Số 12, Phường 5, Quận 3, TP.HCM"},
	    {"MÅ©i 1", "Mũi 1"},
	    {"Ã\xef\xbf\xbdnh", "Ánh"}, /* 0x81 lost: Á and Í both make a syllable, Ánh is a name */
	    {"NGUYá»„N VÄ‚N QUá»\xef\xbf\xbd"
	     "C BÃŒNH",
	     "NGUYỄN VĂN QUỐC BÌNH"},                 /* not QUọC */
	    {"NguyeÌ‚Ìƒn", "Nguye\xcc\x82\xcc\x83n"}, /* decomposed before: NFC comes after */
	    {"PhÂ¹m", "Ph¹m"},                        /* TCVN3 before: repaired after */
	    {"NÆ°Ìƒ", "Nư\xcc\x83"},                  /* decomposed Nữ */
	    {"HA\xcc\x80 LINH", NULL}, /* decomposed, not misread: a mark guessed from a space */
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		size_t n =
		    vs_text_misread_repair(ctx->text, fixed[i].in, strlen(fixed[i].in), out, sizeof out);
		if (!fixed[i].want) {
			assert_int_equal(n, 0);
			continue;
		}
		if (n == 0 || strcmp(out, fixed[i].want) != 0)
			fail_msg("%s: got %s", fixed[i].in, n ? out : "(none)");
		assert_int_equal(n, strlen(fixed[i].want));
	}
	/* text typed right, and the other damages, are left alone: Vietnamese letters no Western code
	 * page has, Latin-1 letters followed by letters (no UTF-8), TCVN3 and VNI bytes, decomposed
	 * marks before a space, a VNI Â before a space (which a no-break space would read as NBSP) */
	static const char *const alone[] = {"Nguyễn Văn Hòa",
	                                    "Hoàng Thị Ánh",
	                                    "ÂU CƠ",
	                                    "Hòa",
	                                    "Lê",
	                                    "Võ Ôn",
	                                    "NguyÔn V¨n Ph¹m",
	                                    "Nguyeãn Thò Hoàng",
	                                    "LEÂ THANH LAN",
	                                    "HA\xcc\x80 LINH",
	                                    "NGOÂ MINH",
	                                    "abc",
	                                    "",
	                                    "Đắk Lắk",
	                                    "Café",
	                                    "Ã",
	                                    "Ã¢ \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"};
	for (size_t i = 0; i < sizeof alone / sizeof alone[0]; i++)
		if (vs_text_misread_repair(ctx->text, alone[i], strlen(alone[i]), out, sizeof out))
			fail_msg("repaired %s into %s", alone[i], out);
	/* a NUL inside (fuzz_name: the repair's length then passed its strlen) */
	static const char nul[] = "Nguy\xc3\xa1\xc2\xbb\xe2\x80\xa6n\0\xc3\x83\xc2\xa0";
	assert_int_equal(vs_text_misread_repair(ctx->text, nul, sizeof nul - 1, out, sizeof out), 0);
	/* an output that does not fit, and text over 1,024 characters, are not repaired */
	assert_int_equal(vs_text_misread_repair(ctx->text, "Nguyá»…n", strlen("Nguyá»…n"), out, 4), 0);
	char big[2100];
	memset(big, 'a', sizeof big);
	memcpy(big + 2000, "á»…", strlen("á»…"));
	assert_int_equal(vs_text_misread_repair(ctx->text, big, 2000 + strlen("á»…"), out, sizeof out), 0);

	/* the record: name, sex, address, vaccine and dose read again, one reason */
	vs_norm_record r;
	vs_norm_input in = {0};
	in.full_name = "NGUYá»„N THá»Š THU";
	in.dob = "05/03/1980";
	in.sex = "Ná»¯";
	in.address = "PhÆ°á»\xc2\x9d"
	             "ng PhÃºc XÃ¡, Quáº­n Ba Ä\xc2\x90"
	             "Ã¬nh, HÃ\xc2\xa0"
	             " Ná»™i";
	in.vaccine = "Pfizer";
	in.dose = "MÅ©i 2";
	in.shot_date = "15/08/2021";
	vs_norm_record_std(ctx, &in, &r);
	assert_string_equal(r.full_name, "Nguyễn Thị Thu");
	assert_int_equal(r.sex, VS_SEX_F);
	assert_string_equal(r.commune_code, "00001");
	assert_int_equal(r.dose, 2);
	assert_true(vs_reason_has(&r.reasons, VS_R_TEXT_UTF8_MISREAD_DECODED));
	assert_false(vs_reason_has(&r.reasons, VS_R_NAME_LEGACY_ENCODING_SUSPECT));
	/* two damages: a name in TCVN3, then the file misread */
	in.full_name = "PhÂ¹m Quang HÃ·u HÃ¯ng";
	vs_norm_record_std(ctx, &in, &r);
	assert_string_equal(r.full_name, "Phạm Quang Hữu Hùng");
	assert_true(vs_reason_has(&r.reasons, VS_R_TEXT_UTF8_MISREAD_DECODED));
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_LEGACY_ENCODING_FIXED));
	in.full_name = "Nguyễn Thị Thu";
	in.sex = "Nữ";
	in.address = "Phường Phúc Xá, Quận Ba Đình, Hà Nội";
	in.dose = "Mũi 2";
	vs_norm_record_std(ctx, &in, &r);
	assert_false(vs_reason_has(&r.reasons, VS_R_TEXT_UTF8_MISREAD_DECODED));
}

/* ---- names ---- */

static void name(const char *s, vs_norm_record *r)
{
	memset(r, 0, sizeof(*r));
	vs_norm_name(ctx, s, strlen(s), r);
}

static void test_names(void **state)
{
	vs_norm_record r;
	(void)state;
	name("  NGUYỄN   VĂN  AN ", &r);
	assert_string_equal(r.full_name, "Nguyễn Văn An");
	assert_string_equal(r.family, "Nguyễn");
	assert_string_equal(r.middle, "Văn");
	assert_string_equal(r.given, "An");
	assert_string_equal(r.name_key, "nguyen van an");
	assert_string_equal(r.family_key, "nguyen");
	assert_string_equal(r.given_key, "an");
	assert_string_equal(r.name_sorted_key, "an nguyen van");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_ALL_CAPS));
	assert_false(vs_reason_has(&r.reasons, VS_R_NAME_NO_DIACRITICS));

	name("nguyen thi thu ha", &r);
	assert_string_equal(r.full_name, "Nguyen Thi Thu Ha");
	assert_string_equal(r.middle, "Thi Thu");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_NO_DIACRITICS));

	name("Nguyễn T. Hà", &r);
	assert_string_equal(r.full_name, "Nguyễn T. Hà");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_INITIAL));
	assert_false(vs_reason_has(&r.reasons, VS_R_NAME_PUNCT_REMOVED));

	/* regression (fuzz_name): a lone long s (U+017F) is shown as "S": it must be
	 * an initial on the first pass too, so standardizing twice changes nothing */
	name("Lê \xC5\xBF Hà", &r);
	assert_string_equal(r.full_name, "Lê S. Hà");
	vs_norm_record again;
	name(r.full_name, &again);
	assert_string_equal(again.full_name, r.full_name);

	/* regression (fuzz_name): an eth after punctuation is a word-initial Đ at once */
	name("Lê @Ðức", &r);
	assert_string_equal(r.full_name, "Lê Đức");
	name(r.full_name, &again);
	assert_string_equal(again.full_name, r.full_name);
	name("Lê \xEE\xB4\xB6Ðức", &r); /* after a private-use character, dropped later */
	assert_string_equal(r.full_name, "Lê Đức");

	name("Văn An Nguyễn", &r);
	assert_string_equal(r.full_name, "Nguyễn Văn An");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_ORDER_SWAPPED));
	name("Lan Thị Trần", &r); /* Western order looks like family Lan: not moved */
	assert_string_equal(r.full_name, "Lan Thị Trần");
	name("Lê Thị Trần", &r); /* Lê is a major family name: nothing decides, order kept */
	assert_string_equal(r.full_name, "Lê Thị Trần");
	name("Trung Trần Huy", &r); /* given name typed before family and middle */
	assert_string_equal(r.full_name, "Trần Huy Trung");
	name("Ly Nguyễn Thị Mỹ", &r); /* "Ly" is not "Lý" */
	assert_string_equal(r.full_name, "Nguyễn Thị Mỹ Ly");
	name("Văn Văn Thái", &r); /* Văn is a (rare) family name here: no major family name, kept */
	assert_string_equal(r.full_name, "Văn Văn Thái");
	name("Lan Nguyen", &r);
	assert_string_equal(r.full_name, "Nguyen Lan");
	name("Thanh Mai", &r); /* Mai is a family name, but not a major one: a two-word name stays */
	assert_string_equal(r.full_name, "Thanh Mai");
	assert_false(vs_reason_has(&r.reasons, VS_R_NAME_ORDER_SWAPPED));
	/* two words, the second a major family name nobody is given: the first is the given name even
	 * when a rare family name is spelt the same (before, "Phương Trần" was family Phương) */
	name("Phương Trần", &r);
	assert_string_equal(r.full_name, "Trần Phương");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_ORDER_SWAPPED));
	name("Thái Nguyễn", &r);
	assert_string_equal(r.full_name, "Nguyễn Thái");
	name("Thái Vũ", &r); /* Vũ is a given name too: kept */
	assert_string_equal(r.full_name, "Thái Vũ");
	name("Lê Trần", &r); /* Lê is no given name: kept */
	assert_string_equal(r.full_name, "Lê Trần");
	name("Thai Nguyen", &r); /* without marks Nguyen may be the given name Nguyên: kept */
	assert_string_equal(r.full_name, "Thai Nguyen");

	name("Lê Văn Tám 2", &r);
	assert_string_equal(r.full_name, "Lê Văn Tám");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_PUNCT_REMOVED));

	name("Hoa", &r);
	assert_string_equal(r.given, "Hoa");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_SINGLE_TOKEN));

	name("   ", &r);
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_MISSING));
	assert_string_equal(r.full_name, "");

	name("Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Lan", &r);
	assert_string_equal(r.full_name, "Nguyễn Thị Lan");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_NFD_FIXED));

	name("TrÇn ThÞ Thu", &r);
	assert_string_equal(r.full_name, "Trần Thị Thu");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_LEGACY_ENCODING_FIXED));

	name("H'Hen Niê", &r);
	assert_string_equal(r.full_name, "H'Hen Niê");
	assert_int_equal(r.reasons.count, 0);

	name("Hoàng Thị Hoà", &r);
	vs_norm_record r2;
	name("Hoàng Thị Hòa", &r2);
	assert_string_equal(r.name_accent_key, r2.name_accent_key);
	assert_string_equal(r.name_key, r2.name_key);
}

/* ---- keystrokes typed with the input method off (Telex, VNI) ---- */

/* Types Vietnamese text the way a clerk does on an English keyboard layout
 * with the input method off: every modified letter as its keys (Telex aa aw
 * ee oo ow uw dd; VNI a6 a8 e6 o6 o7 u7 d9) and the word's tone key at the
 * end of the word (Telex s f r x j; VNI 1-5). This is the encoder the rule
 * was measured with (docs/standardize.md, tests/norm/keys_measure.py). */
static void keys_type(const char *name, bool vni, char *out, size_t cap)
{
	static const char *const telex_mod[] = {"", "aw", "aa", "ee", "oo", "ow", "uw", "dd"};
	static const char *const vni_mod[] = {"", "a8", "a6", "e6", "o6", "o7", "u7", "d9"};
	static const char telex_tone[] = " frxsj", vni_tone[] = " 23415";
	size_t o = 0, len = strlen(name);
	int tone = 0;
	bool caps = false; /* the word is in capitals: "NGUYEENX", but "Ddinhf" */
	for (size_t i = 0; i <= len && o + 4 < cap;) {
		if (i == 0 || name[i - 1] == ' ') {
			size_t e = i, letters = 0, upper = 0;
			while (e < len && name[e] != ' ') {
				uint32_t c;
				vs_text_letter x;
				size_t k = vs_text_dec(name + e, len - e, &c);
				e += k ? k : 1;
				if (vs_text_letter_of(c, &x)) {
					letters++;
					upper += x.upper;
				}
			}
			caps = letters > 1 && upper == letters;
		}
		uint32_t cp = ' ';
		size_t k = i < len ? vs_text_dec(name + i, len - i, &cp) : 1;
		vs_text_letter l;
		i += k ? k : 1;
		if (i > len || cp == ' ') { /* end of a word: its tone key */
			if (tone)
				out[o++] = vni    ? vni_tone[tone]
				           : caps ? (char)(telex_tone[tone] - 'a' + 'A')
				                  : telex_tone[tone];
			tone = 0;
			if (i <= len)
				out[o++] = ' ';
			continue;
		}
		if (!vs_text_letter_of(cp, &l)) {
			out[o++] = (char)cp;
			continue;
		}
		if (l.tone)
			tone = l.tone;
		const char *m = l.base <= VS_VN_D ? (vni ? vni_mod : telex_mod)[l.base] : NULL;
		char first = m ? m[0] : (char)l.base;
		out[o++] = l.upper ? (char)(first - 'a' + 'A') : first;
		if (m)
			out[o++] = caps && !vni ? (char)(m[1] - 'a' + 'A') : m[1];
	}
	out[o] = '\0';
}

/* Real names and their Telex typing, written out by hand. */
static const char *const telex_names[][2] = {
    {"Nguyễn Văn Hòa", "Nguyeenx Vawn Hoaf"},
    {"Trần Thị Lanh", "Traanf Thij Lanh"},
    {"Phạm Đình Tuấn", "Phamj Ddinhf Tuaans"},
    {"Lê Thị Nga", "Lee Thij Nga"},
    {"Hoàng Văn Thụ", "Hoangf Vawn Thuj"},
    {"Huỳnh Tấn Phát", "Huynhf Taans Phats"},
    {"Võ Nguyên Giáp", "Vox Nguyeen Giaps"},
    {"Đặng Thùy Trâm", "Ddawngj Thuyf Traam"},
    {"Bùi Thị Xuân", "Buif Thij Xuaan"},
    {"Đỗ Mười", "Ddoox Muwowif"},
    {"Ngô Bảo Châu", "Ngoo Baor Chaau"},
    {"Dương Quốc Bảo", "Duwowng Quoocs Baor"},
    {"Trương Công Định", "Truwowng Coong Ddinhj"},
    {"Lý Thị Thanh Thủy", "Lys Thij Thanh Thuyr"},
    {"Đinh Thị Hồng Nhung", "Ddinh Thij Hoongf Nhung"},
    {"Mai Xuân Trường", "Mai Xuaan Truwowngf"},
    {"Lương Thị Nguyệt", "Luwowng Thij Nguyeetj"},
    {"Phan Thanh Tùng", "Phan Thanh Tungf"},
    {"Vũ Thị Hằng", "Vux Thij Hawngf"},
    {"Hồ Văn Phước", "Hoof Vawn Phuwowcs"},
    {"Đặng Thị Mỹ Duyên", "Ddawngj Thij Myx Duyeen"},
    {"Huỳnh Ngọc Ánh", "Huynhf Ngocj Anhs"},
    {"Võ Minh Quân", "Vox Minh Quaan"},
    {"Đỗ Thị Ngọc Trâm", "Ddoox Thij Ngocj Traam"},
    {"Ngô Thị Lan", "Ngoo Thij Lan"},
    {"Nguyễn Thị Thúy", "Nguyeenx Thij Thuys"},
    {"Trần Quốc Việt", "Traanf Quoocs Vieetj"},
    {"Lê Hoàng Long", "Lee Hoangf Long"},
    {"Phạm Thị Thu Hà", "Phamj Thij Thu Haf"},
    {"Hoàng Đức Minh", "Hoangf Dduwcs Minh"},
    {"Bùi Quang Huy", "Buif Quang Huy"},
    {"Nguyễn Thị Hương", "Nguyeenx Thij Huwowng"},
    {"Trần Văn Khải", "Traanf Vawn Khair"},
    {"Lê Thị Kiều Oanh", "Lee Thij Kieeuf Oanh"},
    {"Phạm Văn Đồng", "Phamj Vawn Ddoongf"},
    {"Đoàn Thị Điểm", "Ddoanf Thij Ddieemr"},
    {"NGUYỄN VĂN HÒA", "NGUYEENX VAWN HOAF"},
};

static void expect_name(const char *typed, const char *want, vs_reason reason)
{
	vs_norm_record r;
	name(typed, &r);
	if (strcmp(r.full_name, want) != 0)
		fail_msg("'%s' -> '%s', want '%s'", typed, r.full_name, want);
	bool has = vs_reason_has(&r.reasons, VS_R_NAME_TELEX_DECODED) ||
	           vs_reason_has(&r.reasons, VS_R_NAME_VNI_KEYS_DECODED);
	if (reason ? !vs_reason_has(&r.reasons, reason) : has)
		fail_msg("'%s': reasons wrong", typed);
}

/* A title in a name without marks is judged on the name's words as shown, not on the bytes typed:
 * a mark-carrying character dropped as punctuation ("Ong • Nguyen Van Hung") once kept the title in
 * the first pass and removed it in the second (fuzz_name: the display form did not read the same
 * again) */
static void test_title_unmarked_idempotent(void **state)
{
	vs_norm_record r, again;
	(void)state;
	name("Ong \xe2\x80\xa2 Nguyen Van Hung", &r);
	assert_string_equal(r.full_name, "Nguyen Van Hung");
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_TITLE_REMOVED));
	name(r.full_name, &again);
	assert_string_equal(again.full_name, r.full_name);
	/* a letter shown otherwise than typed: the long s is shown as the initial S. (fuzz_name again) */
	name("Ong Nguyen \xc5\xbf Hung", &r);
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_TITLE_REMOVED));
	name(r.full_name, &again);
	assert_string_equal(again.full_name, r.full_name);
	/* a mark in a word keeps the unmarked title (the rule is for names typed without marks) */
	name("Ba Nguyễn Thị Lan", &r);
	assert_string_equal(r.full_name, "Ba Nguyễn Thị Lan");
	assert_false(vs_reason_has(&r.reasons, VS_R_NAME_TITLE_REMOVED));
}

static void test_keys_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(telex_names) / sizeof(telex_names[0]); i++) {
		char typed[128], want[128];
		keys_type(telex_names[i][0], false, typed, sizeof(typed));
		if (strcmp(typed, telex_names[i][1]) != 0) /* the encoder types as a person does */
			fail_msg("encoder: '%s' typed '%s', want '%s'", telex_names[i][0], typed,
			         telex_names[i][1]);
		vs_norm_record clean;
		name(telex_names[i][0], &clean);
		snprintf(want, sizeof(want), "%s", clean.full_name);
		expect_name(telex_names[i][1], want, VS_R_NAME_TELEX_DECODED);
		keys_type(telex_names[i][0], true, typed, sizeof(typed));
		expect_name(typed, want, VS_R_NAME_VNI_KEYS_DECODED);
	}
}

static void test_keys_cases(void **state)
{
	(void)state;
	/* other ways of typing the same keys */
	expect_name("Truowngf Vanw Taam", "Trường Văn Tâm", VS_R_NAME_TELEX_DECODED); /* uow, a deferred w */
	expect_name("Hoafng Thij Nhw", "Hoàng Thị Như", VS_R_NAME_TELEX_DECODED); /* tone mid-word, w = ư */
	expect_name("Luwu Thij Nhw", "Lưu Thị Như", VS_R_NAME_TELEX_DECODED);
	expect_name("Nguwowif Tw", "Nguwowif Tw", VS_R_NONE); /* Người, Tư: no name word decided it */
	expect_name("Nguyễn Vawn Hoaf", "Nguyễn Văn Hòa", VS_R_NAME_TELEX_DECODED); /* input method half on */
	expect_name("Hoaf", "Hòa", VS_R_NAME_TELEX_DECODED);
	expect_name("Lee", "Lê", VS_R_NAME_TELEX_DECODED); /* "lee" is no name of the tables, Lê is */
	expect_name("Leex Vawn Nam", "Lễ Văn Nam",
	            VS_R_NAME_TELEX_DECODED); /* x is the tilde: Lễ, as typed */
	expect_name("Nguye64n Thi5 Hu7o7ng", "Nguyễn Thị Hương", VS_R_NAME_VNI_KEYS_DECODED);
	expect_name("D9o64 Va8n Hu7o7ng", "Đỗ Văn Hương", VS_R_NAME_VNI_KEYS_DECODED);
	expect_name("Nguyen64 Thi5 Lan", "Nguyễn Thị Lan", VS_R_NAME_VNI_KEYS_DECODED); /* marks at the end */
	expect_name("Hoa Nguyễn Thij", "Nguyễn Thị Hoa", VS_R_NAME_TELEX_DECODED);      /* given name first */
	expect_name("Nguyeenx Thij Hoa", "Nguyễn Thị Hoa", VS_R_NAME_TELEX_DECODED); /* Hoa: a given name */
	expect_name("Nguyeenx Thij Ly", "Nguyễn Thị Ly", VS_R_NAME_TELEX_DECODED);   /* Ly, not Lý */
	/* a clerk who leaves marks out of family or middle names: "ee" is a typo there */
	expect_name("Nguyeen Van Viet", "Nguyeen Van Viet", VS_R_NONE);
	expect_name("Nguyeen Thi Linh", "Nguyeen Thi Linh", VS_R_NONE);
	expect_name("Nguyễn Thị AAn", "Nguyễn Thị Aan", VS_R_NONE); /* input method on: a typo */
	expect_name("Max Nguyen", "Max Nguyen", VS_R_NONE);
	/* a typing error on top of the keys: one garbled word is kept as typed when two others decode
	 * to name words; with only one (Max: Mã), or two garbled words, nothing is decoded */
	expect_name("Nguyeenx Hoangf Ah", "Nguyễn Hoàng Ah", VS_R_NAME_TELEX_DECODED);
	expect_name("Vux Tiieens Sown", "Vũ Tiieens Sơn", VS_R_NAME_TELEX_DECODED);
	expect_name("Nguyeenx Trongj Kieeeen", "Nguyễn Trọng Kieeeen", VS_R_NAME_TELEX_DECODED);
	expect_name("Max Mustermann", "Max Mustermann", VS_R_NONE);
	expect_name("Nguyeenx Hoangf Ahh Bzz", "Nguyeenx Hoangf Ahh Bzz", VS_R_NONE);
	expect_name("Nguyeenx Vawn Van", "Nguyeenx Vawn Van", VS_R_NONE); /* Van: marks left out */
	/* regressions (fuzz_name): a second pass must judge the words the first judged */
	static const char *const twice[] = {
	    "Nguyeenx Vawn Hoa\xb0\xb0"
	    "0\xb9j\xc0\xff\x7f f",                                 /* digits part a word: Hoa, j */
	    "Nguyeenx Vawn Hoaf0",                                  /* the digit is dropped: Hoaf is a word */
	    "Hoa Nguyễn Thij",                                      /* the order is fixed after decoding */
	    "Nguy Y N N Vawn U J N N Vaw N Vawn U J N N Vawn Hoaf", /* more words than the tokenizer keeps */
	    "NUYS IJN|\xc5\xbf"
	    "af THUYS", /* a long s is shown as S: Saf */
	    "77777777777777777777777777777777777777777777777777777777777777777777 Lee T", /* a number */
	    "gu\x01Loo2", /* no VNI word: its piece Loo is Telex for Lô */
	};
	for (size_t i = 0; i < sizeof(twice) / sizeof(twice[0]); i++) {
		vs_norm_record r, again;
		name(twice[i], &r);
		name(r.full_name, &again);
		if (strcmp(r.full_name, again.full_name) != 0)
			fail_msg("'%s' -> '%s' -> '%s'", twice[i], r.full_name, again.full_name);
	}
	/* never touched: names as they stand, with or without diacritics */
	static const char *const keep[] = {"Thuy",
	                                   "Nga",
	                                   "Nguyen Thi Thuy",
	                                   "Le Thi Nga",
	                                   "Tran Van Hoa",
	                                   "Nguyễn Văn Hòa",
	                                   "Lê Văn Tám 2",
	                                   "H'Hen Niê",
	                                   "Xoong",
	                                   "Max Mustermann",
	                                   "John Smith",
	                                   "Lewis Hamilton",
	                                   "Ross Taylor",
	                                   "Nguyen Van A1",
	                                   "Nguyeenxx Vawn Hoaf", /* xx types x */
	                                   "Tw",
	                                   "Hans"};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		vs_norm_record r, plain;
		name(keep[i], &r);
		memset(&plain, 0, sizeof(plain));
		vs_norm_name(NULL, keep[i], strlen(keep[i]), &plain); /* no tables: no keystroke rule */
		if (strcmp(r.full_name, plain.full_name) != 0 &&
		    !vs_reason_has(&r.reasons, VS_R_NAME_ORDER_SWAPPED))
			fail_msg("'%s' changed to '%s'", keep[i], r.full_name);
		if (vs_reason_has(&r.reasons, VS_R_NAME_TELEX_DECODED) ||
		    vs_reason_has(&r.reasons, VS_R_NAME_VNI_KEYS_DECODED))
			fail_msg("'%s' flagged as keystrokes", keep[i]);
	}
}

/* Every word of the reference name tables, with and without diacritics, is
 * left alone; typed as Telex or VNI in a name (family Nguyễn, middle Văn or
 * Thị) it comes back. */
static void test_keys_reference(void **state)
{
	(void)state;
	const vs_ref *ref = ctx->ref;
	const vs_ref_name *sets[3] = {ref->family, ref->middle, ref->given};
	size_t counts[3] = {ref->family_count, ref->middle_count, ref->given_count};
	size_t words = 0, touched = 0, names = 0, recovered = 0;
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < counts[k]; i++) {
			const char *w = sets[k][i].name;
			char folded[64], full[160], typed[160];
			if (strchr(w, '/') || !vs_text_syllable_valid(w, strlen(w)))
				continue; /* "A/B" rows and the forum's own mojibake rows */
			vs_text_fold(w, strlen(w), folded, sizeof(folded));
			const char *forms[2] = {w, folded};
			for (int f = 0; f < 2; f++) {
				vs_norm_record r;
				name(forms[f], &r);
				words++;
				if (vs_reason_has(&r.reasons, VS_R_NAME_TELEX_DECODED) ||
				    vs_reason_has(&r.reasons, VS_R_NAME_VNI_KEYS_DECODED)) {
					fprintf(stderr, "touched: %s\n", forms[f]);
					touched++;
				}
			}
			snprintf(full, sizeof(full),
			         k == 0   ? "%s Văn Minh"
			         : k == 1 ? "Nguyễn %s Anh"
			                  : "Nguyễn Thị %s",
			         w);
			vs_norm_record clean;
			name(full, &clean);
			for (int vni = 0; vni < 2; vni++) {
				vs_norm_record r;
				keys_type(full, vni, typed, sizeof(typed));
				name(typed, &r);
				names++;
				if (!strcmp(r.name_accent_key, clean.name_accent_key))
					recovered++;
				else
					fprintf(stderr, "not recovered: %s -> %s -> %s\n", full, typed,
					        r.full_name);
			}
		}
	fprintf(stderr, "  keystrokes: %zu name words, %zu touched; %zu typed names, %zu recovered\n", words,
	        touched, names, recovered);
	assert_int_equal(touched, 0);
	/* the misses: Mông typed "Moong", itself a family name (Nghệ An), and the forum rows "Le"
	 * and "Thi" (Lê, Thị without their marks: the name is not taken for keystrokes) */
	assert_true(recovered * 100 >= names * 99);
}

/* ---- dates ---- */

static vs_date date(const char *s, int kind, vs_reason_set *rs)
{
	memset(rs, 0, sizeof(*rs));
	return vs_norm_date(s, strlen(s), kind, today, rs);
}

static void expect_date(const char *s, int kind, const char *want, vs_reason r)
{
	vs_reason_set rs;
	char out[16];
	vs_date d = date(s, kind, &rs);
	vs_date_format(d, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fprintf(stderr, "date '%s': got '%s', want '%s'\n", s, out, want);
	assert_string_equal(out, want);
	if (r != VS_R_NONE) {
		if (!vs_reason_has(&rs, r))
			fprintf(stderr, "date '%s': missing reason %s\n", s, vs_reason_name(r));
		assert_true(vs_reason_has(&rs, r));
	} else {
		if (rs.count)
			fprintf(stderr, "date '%s': unexpected reason %s\n", s, vs_reason_name(rs.codes[0]));
		assert_int_equal(rs.count, 0);
	}
}

static void test_dates(void **state)
{
	const int B = VS_NORM_DATE_DOB, S = VS_NORM_DATE_SHOT;
	(void)state;
	expect_date("05/03/1980", B, "1980-03-05", VS_R_NONE);
	expect_date("5/3/1980", B, "1980-03-05", VS_R_DOB_DAY_MONTH_AMBIGUOUS);
	expect_date("25/12/1980", B, "1980-12-25", VS_R_NONE);
	expect_date("12/25/1980", B, "1980-12-25", VS_R_NONE);
	expect_date("1980-03-05", B, "1980-03-05", VS_R_NONE);
	expect_date("05-03-1980", B, "1980-03-05", VS_R_NONE);
	expect_date("05.03.1980", B, "1980-03-05", VS_R_NONE);
	expect_date("05031980", B, "1980-03-05", VS_R_NONE);
	expect_date("19800305", B, "1980-03-05", VS_R_NONE);
	expect_date("5/3/80", B, "1980-03-05", VS_R_DOB_TWO_DIGIT_YEAR);
	expect_date("05/03/15", B, "2015-03-05", VS_R_DOB_TWO_DIGIT_YEAR);
	expect_date("05/03/30", B, "1930-03-05", VS_R_DOB_TWO_DIGIT_YEAR);
	expect_date("29221", B, "1980-01-01", VS_R_DOB_EXCEL_SERIAL);
	expect_date("29221.5", B, "1980-01-01", VS_R_DOB_EXCEL_SERIAL);
	expect_date("1980", B, "1980", VS_R_DOB_YEAR_ONLY);
	expect_date("03/1980", B, "1980-03", VS_R_DOB_MONTH_YEAR_ONLY);
	expect_date("1980-03", B, "1980-03", VS_R_DOB_MONTH_YEAR_ONLY);
	expect_date("ngày 5 tháng 3 năm 1980", B, "1980-03-05", VS_R_NONE);
	expect_date("ngay 05 thang 03 nam 1980", B, "1980-03-05", VS_R_NONE);
	expect_date("tháng 3 năm 1980", B, "1980-03", VS_R_DOB_MONTH_YEAR_ONLY);
	expect_date("năm 1980", B, "1980", VS_R_DOB_YEAR_ONLY);
	expect_date("5-Mar-80", B, "1980-03-05", VS_R_DOB_TWO_DIGIT_YEAR);
	/* Vietnamese locales' medium and long dates (a spreadsheet's date exported as its text) */
	expect_date("5 thg 3, 1980", B, "1980-03-05", VS_R_NONE);
	expect_date("Thứ Tư, 5 tháng 3, 1980", B, "1980-03-05", VS_R_NONE);
	expect_date("Thứ Năm, 12/03/1985", B, "1985-03-12", VS_R_NONE);
	expect_date("Thứ 5, 12/03/1985", B, "1985-03-12", VS_R_NONE);
	expect_date("Chủ Nhật, 12/03/1985", B, "1985-03-12", VS_R_NONE);
	expect_date("CN 12/03/1985", B, "1985-03-12", VS_R_NONE);
	expect_date("05-Mar-1980", B, "1980-03-05", VS_R_NONE);
	expect_date("March 5, 1980", B, "1980-03-05", VS_R_NONE);
	expect_date("Mar-80", B, "1980-03", VS_R_DOB_MONTH_YEAR_ONLY);
	expect_date("5 Sept 1980", B, "1980-09-05", VS_R_NONE);
	expect_date("5 tháng 3 năm 1980", B, "1980-03-05", VS_R_NONE);
	expect_date("ngày 5/3/1980", B, "1980-03-05", VS_R_NONE);
	expect_date("5 Marc 1980", B, "", VS_R_DOB_UNPARSEABLE);
	expect_date("05/03/1980 00:00:00", B, "1980-03-05", VS_R_NONE);
	expect_date("1980-03-05T00:00:00", B, "1980-03-05", VS_R_NONE);
	expect_date("", B, "", VS_R_DOB_MISSING);
	expect_date("31/02/1980", B, "", VS_R_DOB_UNPARSEABLE);
	expect_date("không rõ", B, "", VS_R_DOB_UNPARSEABLE);
	expect_date("05/03/2030", B, "2030-03-05", VS_R_DOB_IN_FUTURE);
	expect_date("05/03/1890", B, "1890-03-05", VS_R_DOB_IMPLAUSIBLE);
	expect_date("29/02/2000", B, "2000-02-29", VS_R_NONE);
	expect_date("29/02/1900", B, "", VS_R_DOB_UNPARSEABLE);
	expect_date("60", B, "", VS_R_DOB_UNPARSEABLE);
	/* regression (fuzz): a long run of digits overflowed the Excel-serial reader */
	expect_date("222222222222222222222\r\r", B, "", VS_R_DOB_UNPARSEABLE);
	expect_date("2222222222222222222222", B, "", VS_R_DOB_UNPARSEABLE);
	/* shots: a reading before the programme or in the future is rejected for the other */
	expect_date("15/08/2021", S, "2021-08-15", VS_R_NONE);
	expect_date("8/15/2021", S, "2021-08-15", VS_R_NONE);
	expect_date("3/8/2021", S, "2021-08-03",
	            VS_R_SHOT_DATE_DAY_MONTH_AMBIGUOUS);      /* 8 Mar 2021 is day one */
	expect_date("3/7/2021", S, "2021-07-03", VS_R_NONE);  /* 7 Mar 2021 is before day one */
	expect_date("12/1/2021", S, "2021-12-01", VS_R_NONE); /* 12 Jan 2021 is before day one */
	expect_date("5/9/2021", S, "2021-09-05", VS_R_SHOT_DATE_DAY_MONTH_AMBIGUOUS);
	expect_date("05/09/21", S, "2021-09-05", VS_R_NONE);
	expect_date("44440", S, "2021-09-01", VS_R_SHOT_DATE_EXCEL_SERIAL);
	expect_date("09/2021", S, "2021-09", VS_R_SHOT_DATE_IMPRECISE);
	expect_date("01/01/2020", S, "2020-01-01", VS_R_SHOT_DATE_BEFORE_PROGRAMME);
	expect_date("01/01/2027", S, "2027-01-01", VS_R_SHOT_DATE_IN_FUTURE);
	expect_date("", S, "", VS_R_SHOT_DATE_MISSING);
	expect_date("abc", S, "", VS_R_SHOT_DATE_UNPARSEABLE);
}

static void test_date_days(void **state)
{
	(void)state;
	vs_date d = {1970, 1, 1, VS_DATE_DAY};
	assert_int_equal(vs_date_days(d), 0);
	d = (vs_date){2000, 3, 1, VS_DATE_DAY};
	assert_int_equal(vs_date_days(d), 11017);
	for (int32_t z = -30000; z < 40000; z += 7) {
		vs_date r = vs_date_from_days(z);
		assert_int_equal(vs_date_days(r), z);
	}
	char out[16];
	assert_int_equal(vs_date_format((vs_date){1980, 3, 0, VS_DATE_MONTH}, out, sizeof(out)), 7);
	assert_string_equal(out, "1980-03");
	assert_int_equal(vs_date_format((vs_date){0, 0, 0, VS_DATE_NONE}, out, sizeof(out)), 0);
}

/* ---- sex ---- */

static void test_sex(void **state)
{
	vs_reason_set rs = {0};
	(void)state;
	const char *m[] = {"Nam",  "nam", "NAM",  "M",        "m",       "male",
	                   "Male", "1",   "trai", "Nam giới", "Bé trai", NULL};
	const char *f[] = {"Nữ", "nữ", "NỮ",  "nu", "Nu",     "F", "female",
	                   "0",  "2",  "gái", "Nư", "Bé gái", NULL};
	for (size_t i = 0; m[i]; i++)
		assert_int_equal(vs_norm_sex(m[i], strlen(m[i]), &rs), VS_SEX_M);
	for (size_t i = 0; f[i]; i++)
		assert_int_equal(vs_norm_sex(f[i], strlen(f[i]), &rs), VS_SEX_F);
	assert_int_equal(rs.count, 0);
	assert_int_equal(vs_norm_sex("", 0, &rs), VS_SEX_UNKNOWN);
	assert_true(vs_reason_has(&rs, VS_R_SEX_MISSING));
	assert_int_equal(vs_norm_sex("N", 1, &rs), VS_SEX_UNKNOWN);
	assert_true(vs_reason_has(&rs, VS_R_SEX_UNRECOGNIZED));
	assert_int_equal(vs_norm_sex(NULL, 0, &rs), VS_SEX_UNKNOWN);
}

/* ---- records ---- */

static void test_record(void **state)
{
	vs_norm_record r;
	vs_norm_input in = {0};
	(void)state;
	in.full_name = "NGUYEN VAN AN";
	in.dob = "5/3/80";
	in.sex = "Nam";
	in.id_number = "001080012345";
	in.phone = "0912345678";
	in.address = "Phường Phúc Xá, Quận Ba Đình, Hà Nội";
	in.vaccine = "Pfizer";
	in.dose = "Mũi 1";
	in.shot_date = "15/08/2021";
	vs_norm_record_std(ctx, &in, &r);
	assert_string_equal(r.full_name, "Nguyen Van An");
	assert_int_equal(r.dob.year, 1980);
	assert_int_equal(r.sex, VS_SEX_M);
	assert_int_equal(r.shot_date.month, 8);
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_ALL_CAPS));
	assert_true(vs_reason_has(&r.reasons, VS_R_DOB_TWO_DIGIT_YEAR));

	/* registry rows: codes given directly, no shot-field reasons */
	vs_norm_input reg = {0};
	reg.full_name = "Trần Thị Bình";
	reg.dob = "1990-01-02";
	reg.sex = "F";
	reg.province_code = "1";
	reg.district_code = "1";
	reg.commune_code = "4";
	reg.kind = VS_NORM_KIND_REGISTRY;
	vs_norm_record_std(ctx, &reg, &r);
	assert_string_equal(r.province_code, "01");
	assert_string_equal(r.district_code, "001");
	assert_string_equal(r.commune_code, "00004");
	assert_false(vs_reason_has(&r.reasons, VS_R_SHOT_DATE_MISSING));
	assert_false(vs_reason_has(&r.reasons, VS_R_VACCINE_MISSING));

	/* no allocation per record */
	uint64_t before = vs_alloc_count();
	for (int i = 0; i < 1000; i++)
		vs_norm_record_std(ctx, &in, &r);
	assert_int_equal(vs_alloc_count(), before);

	/* all-NULL input must not crash */
	vs_norm_input empty = {0};
	vs_norm_record_std(ctx, &empty, &r);
	assert_true(vs_reason_has(&r.reasons, VS_R_NAME_MISSING));
	assert_true(vs_reason_has(&r.reasons, VS_R_DOB_MISSING));
}

/* Loading the context under allocation failures: every failure is reported
 * as an error, never a crash or a leak (ASan checks the leaks). */
static void test_ctx_alloc_failures(void **state)
{
	const char *dir = getenv("VAXSYNC_REFDATA");
	int failures = 0;
	(void)state;
	for (uint64_t n = 1;; n = n < 8 ? n + 1 : n * 3 / 2) {
		vs_norm_ctx *c = NULL;
		vs_error err = {0};
		vs_alloc_fail_nth(n);
		vs_rc rc = vs_norm_ctx_load(&c, dir, today, &err);
		vs_alloc_fail_nth(0);
		if (rc == VS_OK) {
			vs_norm_ctx_free(c);
			break;
		}
		assert_null(c);
		assert_int_not_equal(rc, VS_OK);
		failures++;
		assert_true(n < 100000000);
	}
	assert_true(failures > 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_syllables),
	    cmocka_unit_test(test_reference_names_are_syllables),
	    cmocka_unit_test(test_nfc_and_keys),
	    cmocka_unit_test(test_legacy),
	    cmocka_unit_test(test_utf8_misread),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_title_unmarked_idempotent),
	    cmocka_unit_test(test_keys_table),
	    cmocka_unit_test(test_keys_cases),
	    cmocka_unit_test(test_keys_reference),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_date_days),
	    cmocka_unit_test(test_sex),
	    cmocka_unit_test(test_record),
	    cmocka_unit_test(test_ctx_alloc_failures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

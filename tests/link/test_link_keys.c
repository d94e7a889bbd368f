/* test_link_keys.c - key transforms of blocking rules ("family:soundex", "given:prefix:3",
 * "extra0:prefix:2"): the codes, the settings that name them, and the blocks they make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "link/link_internal.h"
#include "norm/norm_internal.h"

static const char *xform(uint8_t kind, uint8_t n, const char *s, size_t cap)
{
	static char out[80];
	memset(out, 'x', sizeof out);
	size_t len = lk_key_transform((lk_xform){kind, n}, s, strlen(s), out, cap);
	assert_int_equal(strlen(out), len);
	return out;
}

/* American Soundex: a letter and three digits; h and w do not separate two letters of one code,
 * a vowel does; bytes other than a-z are skipped */
static void test_soundex(void **state)
{
	(void)state;
	assert_string_equal(xform(LX_SOUNDEX, 0, "robert", 80), "r163");
	assert_string_equal(xform(LX_SOUNDEX, 0, "rupert", 80), "r163");
	assert_string_equal(xform(LX_SOUNDEX, 0, "ashcraft", 80), "a261");
	assert_string_equal(xform(LX_SOUNDEX, 0, "tymczak", 80), "t522");
	assert_string_equal(xform(LX_SOUNDEX, 0, "pfister", 80), "p236");
	assert_string_equal(xform(LX_SOUNDEX, 0, "lee", 80), "l000");
	/* RLdata's typos: one letter added or changed */
	assert_string_equal(xform(LX_SOUNDEX, 0, "schmidt", 80), xform(LX_SOUNDEX, 0, "schmitt", 80));
	assert_string_equal(xform(LX_SOUNDEX, 0, "friedrisch", 80), "f636");
	assert_string_equal(xform(LX_SOUNDEX, 0, "friedrich", 80), "f636");
	assert_string_equal(xform(LX_SOUNDEX, 0, "sabeine", 80), xform(LX_SOUNDEX, 0, "sabine", 80));
	/* Vietnamese names folded without diacritics: a dropped or doubled vowel keeps the code */
	assert_string_equal(xform(LX_SOUNDEX, 0, "nguyen", 80), "n250");
	assert_string_equal(xform(LX_SOUNDEX, 0, "nguyn", 80), "n250");
	assert_string_equal(xform(LX_SOUNDEX, 0, "nguyeen", 80), "n250");
	assert_string_equal(xform(LX_SOUNDEX, 0, "van der berg", 80), xform(LX_SOUNDEX, 0, "vanderberg", 80));
	/* no letter: no key; a buffer too small: no key */
	assert_int_equal(lk_key_transform((lk_xform){LX_SOUNDEX, 0}, "12-3", 4, (char[8]){0}, 8), 0);
	assert_int_equal(lk_key_transform((lk_xform){LX_SOUNDEX, 0}, "", 0, (char[8]){0}, 8), 0);
	assert_int_equal(lk_key_transform((lk_xform){LX_SOUNDEX, 0}, "abc", 3, (char[4]){0}, 4), 0);
}

/* prefix:N keeps N characters, a UTF-8 sequence whole, never past the buffer */
static void test_prefix(void **state)
{
	(void)state;
	assert_string_equal(xform(LX_PREFIX, 3, "mueller", 80), "mue");
	assert_string_equal(xform(LX_PREFIX, 3, "li", 80), "li");
	assert_string_equal(xform(LX_PREFIX, 2, "n\xc3\xa9ron", 80), "n\xc3\xa9");
	assert_string_equal(xform(LX_PREFIX, 1, "\xc3\xa9", 80), "\xc3\xa9");
	assert_string_equal(xform(LX_PREFIX, 2, "n\xc3\xa9ron", 3), "n"); /* "né" needs 3 bytes + NUL */
	assert_string_equal(xform(LX_PREFIX, 16, "abcdefghijklmnopqrstuvwxyz", 80), "abcdefghijklmnop");
	assert_string_equal(xform(LX_PREFIX, 16, "abcdefghijklmnopqrstuvwxyz", 5), "abcd");
}

static const char settings_head[] =
    "{\"standardizer\": \"generic\","
    " \"left\": {\"id_columns\": [\"id\"], \"columns\": {\"family\": \"surname\", \"given\": \"given\"},"
    " \"extra\": [\"postcode\"]},"
    " \"right\": {\"id_columns\": [\"id\"], \"columns\": {\"family\": \"surname\", \"given\": \"given\"},"
    " \"extra\": [\"postcode\"]},"
    " \"comparisons\": [{\"name\": \"family\", \"kind\": \"family\"}, {\"name\": \"given\", \"kind\": "
    "\"given\"}],"
    " \"blocking\": [";

static vs_rc parse(const char *rules, vs_link_settings **s, vs_error *err)
{
	static char js[2048];
	snprintf(js, sizeof js, "%s%s]}", settings_head, rules);
	*s = NULL;
	return vs_link_settings_parse(s, js, strlen(js), "t", err);
}

/* the settings name a transform after a text key part; anything else is refused with the cause */
static void test_transform_settings(void **state)
{
	(void)state;
	static const struct {
		const char *keys, *says;
	} bad[] = {
	    {"\"dob:soundex\"", "family, given, name_sorted and extra0..extra15 only"},
	    {"\"extra16\"", "unknown blocking key"},
	    {"\"extra01\"", "unknown blocking key"},
	    {"\"extra1x\"", "unknown blocking key"},
	    {"\"family:metaphone\"", "unknown key transform"},
	    {"\"given:prefix:0\"", "unknown key transform"},
	    {"\"given:prefix:17\"", "unknown key transform"},
	    {"\"given:prefix:3x\"", "unknown key transform"},
	    {"\"given:prefix:\"", "unknown key transform"},
	    {"\"given:prefix:-2\"", "unknown key transform"},
	    {"\"family\", \"family:soundex\"", "repeated"},
	    {"\"famil:soundex\"", "unknown blocking key"},
	    {"\"a_very_long_key_part_name_indeed:soundex\"", "unknown blocking key"},
	    {"\"house:soundex\"", "(and house:number)"},
	    {"\"family:number\"", "unknown key transform"},
	    {"\"house\", \"house:number\"", "repeated"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char rule[256];
		snprintf(rule, sizeof rule, "{\"name\": \"r\", \"keys\": [%s]}", bad[i].keys);
		vs_error err = {0};
		vs_link_settings *s = NULL;
		assert_int_equal(parse(rule, &s, &err), VS_ERR_PARSE);
		assert_non_null(strstr(err.message, bad[i].says));
		vs_link_settings_free(s);
	}
	vs_error err = {0};
	vs_link_settings *s = NULL;
	assert_int_equal(parse("{\"name\": \"r\", \"keys\": [\"family:soundex\", \"given:prefix:16\", "
	                       "\"extra0:prefix:2\"]}, {\"name\": \"q\", \"keys\": [\"given\"], \"refine\": "
	                       "[\"family\"]}",
	                       &s, &err),
	                 VS_OK);
	assert_int_equal(s->rule[0].parts, LP_FAMILY | LP_GIVEN | LP_EXTRA0);
	assert_int_equal(s->rule[0].xf[0].kind, LX_SOUNDEX);
	assert_int_equal(s->rule[0].xf[1].kind, LX_PREFIX);
	assert_int_equal(s->rule[0].xf[1].n, 16);
	assert_int_equal(s->rule[0].xf[2].kind, LX_PREFIX);
	assert_int_equal(s->rule[0].xf[2].n, 2);
	assert_int_equal(s->rule[1].xf[0].kind, LX_NONE);
	vs_link_settings_free(s);
	/* house:number: the house key where it names a house, none for a hamlet */
	assert_int_equal(parse("{\"name\": \"h\", \"keys\": [\"house:number\", \"commune\"]}, "
	                       "{\"name\": \"a\", \"keys\": [\"house\", \"commune\"]}",
	                       &s, &err),
	                 VS_OK);
	assert_int_equal(s->rule[0].parts, LP_HOUSE | LP_COMMUNE);
	assert_true(s->rule[0].house_number);
	assert_false(s->rule[1].house_number);
	lk_view hv = {.commune = 46, .house = vs_norm_house("Số 27, Tổ 23")};
	uint64_t keys[3];
	assert_true(hv.house & VS_HOUSE_NUMBER);
	assert_int_equal(lk_rule_keys(s, 0, &hv, 1, keys), 1);
	assert_int_equal(lk_rule_keys(s, 1, &hv, 1, keys), 1);
	hv.house = vs_norm_house("Thôn 9");
	assert_true(hv.house && !(hv.house & VS_HOUSE_NUMBER));
	assert_int_equal(lk_rule_keys(s, 0, &hv, 1, keys), 0);
	assert_int_equal(lk_rule_keys(s, 1, &hv, 1, keys), 1);
	vs_link_settings_free(s);
	/* a transformed part cannot refine (refinement compares the interned values) */
	assert_int_equal(
	    parse("{\"name\": \"q\", \"keys\": [\"given\"], \"refine\": [\"family:soundex\"]}", &s, &err),
	    VS_ERR_PARSE);
	vs_link_settings_free(s);
}

static void rec(vs_norm_record *r, const char *fam, const char *giv)
{
	memset(r, 0, sizeof *r);
	snprintf(r->family, sizeof r->family, "%s", fam);
	snprintf(r->given, sizeof r->given, "%s", giv);
}

/* the candidates a record meets under the settings' rules (left rows, ascending), -1 after them */
static void candidates(const char *rules, const vs_norm_record *left, size_t n, const vs_norm_record *right,
                       int64_t *out)
{
	vs_error err = {0};
	vs_link_settings *s = NULL;
	vs_link_index *ix = NULL;
	assert_int_equal(parse(rules, &s, &err), VS_OK);
	assert_int_equal(vs_link_index_new(&ix, s, &err), VS_OK);
	vs_link_side side = {left, n, NULL, NULL, NULL, NULL};
	assert_int_equal(vs_link_index_add(ix, &side, &err), VS_OK);
	assert_int_equal(vs_link_index_finish(ix, 1, &err), VS_OK);
	lk_view v;
	lk_view_from_norm(s, right, NULL, NULL, &v);
	lk_view_resolve(ix, &v);
	lk_scratch sc = {0};
	assert_int_equal(lk_candidates(ix, &v, -1, &sc, NULL), VS_OK);
	size_t k = 0;
	for (; k < sc.cand_count; k++)
		out[k] = sc.cand[k];
	out[k] = -1;
	lk_scratch_free(&sc);
	vs_link_index_free(ix);
	vs_link_settings_free(s);
}

/* a record whose two names both carry a typo meets its match under soundex or prefix keys, and
 * only there; the transforms are the same on both sides (the left keys are made from the index's
 * copy of the names) */
static void test_transform_blocks(void **state)
{
	(void)state;
	vs_norm_record left[4], r;
	rec(&left[0], "Schmidt", "Rudolf");
	rec(&left[1], "Meyer", "Anna");
	rec(&left[2], "Nguyễn", "Hùng");
	rec(&left[3], "Schulz", "Rudi");
	int64_t c[8];
	rec(&r, "SCHMITT", "RUDOALF");
	candidates("{\"keys\": [\"family\", \"given\"]}", left, 4, &r, c);
	assert_int_equal(c[0], -1);
	candidates("{\"keys\": [\"family:soundex\", \"given:soundex\"]}", left, 4, &r, c);
	assert_int_equal(c[0], 0);
	assert_int_equal(c[1], -1);
	candidates("{\"keys\": [\"family:prefix:2\", \"given:prefix:3\"]}", left, 4, &r, c);
	assert_int_equal(c[0], 0);
	assert_int_equal(c[1], 3); /* Schulz Rudi: sc + rud */
	assert_int_equal(c[2], -1);
	/* a Vietnamese name typed without its marks and with a vowel dropped */
	rec(&r, "Nguyn", "Hung");
	candidates("{\"keys\": [\"family:soundex\", \"given\"]}", left, 4, &r, c);
	assert_int_equal(c[0], 2);
	assert_int_equal(c[1], -1);
	/* name_sorted:soundex: the words' codes sorted, so a name typed given name first meets too;
	 * one word with a code is not enough */
	rec(&r, "rudolph", "schmit");
	candidates("{\"keys\": [\"family:soundex\", \"given:soundex\"]}", left, 4, &r, c);
	assert_int_equal(c[0], -1);
	candidates("{\"keys\": [\"name_sorted:soundex\"]}", left, 4, &r, c);
	assert_int_equal(c[0], 0);
	assert_int_equal(c[1], -1);
	candidates("{\"keys\": [\"name_sorted\"]}", left, 4, &r, c);
	assert_int_equal(c[0], -1);
	rec(&r, "rudolph", "123");
	candidates("{\"keys\": [\"name_sorted:soundex\"]}", left, 4, &r, c);
	assert_int_equal(c[0], -1);
	/* a name without a letter a-z has no soundex key, so no candidate */
	rec(&r, "123", "Hung");
	candidates("{\"keys\": [\"family:soundex\", \"given\"]}", left, 4, &r, c);
	assert_int_equal(c[0], -1);
}

/* an extra column's transform: postcodes that share their first two digits share a key */
static void test_transform_extra(void **state)
{
	(void)state;
	vs_error err = {0};
	vs_link_settings *s = NULL;
	assert_int_equal(parse("{\"keys\": [\"extra0:prefix:2\"]}, {\"keys\": [\"extra0\"]}", &s, &err),
	                 VS_OK);
	vs_norm_record r;
	rec(&r, "a", "b");
	const char *e1[] = {"2000"}, *e2[] = {"2017"}, *e3[] = {"3000"};
	lk_view a, b, c;
	lk_view_from_norm(s, &r, NULL, e1, &a);
	lk_view_from_norm(s, &r, NULL, e2, &b);
	lk_view_from_norm(s, &r, NULL, e3, &c);
	uint64_t ka[3], kb[3], kc[3];
	for (size_t ri = 0; ri < 2; ri++) {
		assert_int_equal(lk_rule_keys(s, ri, &a, 0, ka), 1);
		assert_int_equal(lk_rule_keys(s, ri, &b, 1, kb), 1);
		assert_int_equal(lk_rule_keys(s, ri, &c, 1, kc), 1);
		assert_true(ka[0] != kc[0]);
		assert_true(ri == 0 ? ka[0] == kb[0] : ka[0] != kb[0]);
	}
	vs_link_settings_free(s);
}

/* "right" left out: the right side is laid out as the left (a deduplicated file described once) */
static void test_right_defaults_to_left(void **state)
{
	(void)state;
	static const char js[] =
	    "{\"standardizer\": \"generic\","
	    " \"left\": {\"id_columns\": [\"id\"], \"columns\": {\"family\": \"surname\", \"given\": "
	    "\"first\"}, \"extra\": [\"postcode\"]},"
	    " \"comparisons\": [{\"name\": \"family\", \"kind\": \"family\"}, {\"name\": \"pc\", "
	    "\"kind\": \"text\", \"extra\": 0}],"
	    " \"blocking\": [{\"name\": \"f\", \"keys\": [\"family\"]}]}";
	vs_error err = {0};
	vs_link_settings *s = NULL;
	assert_int_equal(vs_link_settings_parse(&s, js, strlen(js), "t", &err), VS_OK);
	assert_string_equal(vs_link_settings_role_column(s, 1, VS_LINK_ROLE_FAMILY), "surname");
	assert_string_equal(vs_link_settings_role_column(s, 1, VS_LINK_ROLE_GIVEN), "first");
	assert_string_equal(vs_link_settings_id_column(s, 1, 0), "id");
	assert_string_equal(vs_link_settings_extra_column(s, 1, 0), "postcode");
	vs_link_settings_free(s);
	/* no left either: still refused */
	static const char none[] = "{\"comparisons\": [{\"name\": \"family\", \"kind\": \"family\"}]}";
	assert_int_equal(vs_link_settings_parse(&s, none, strlen(none), "t", &err), VS_ERR_PARSE);
	assert_non_null(strstr(err.message, "'left' and 'right' must be objects"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_soundex),
	    cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_transform_settings),
	    cmocka_unit_test(test_transform_blocks),
	    cmocka_unit_test(test_transform_extra),
	    cmocka_unit_test(test_right_defaults_to_left),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

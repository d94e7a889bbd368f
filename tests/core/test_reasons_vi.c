/* test_reasons_vi.c - every reason code has a title and Vietnamese title,
 * meaning and action: present, not a copy of the English, valid UTF-8 in
 * NFC; the language from --lang and the locale. A line appended to
 * reasons.def with only NAME, meaning and action builds, and fails here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "vaxsync/reasons.h"

/* Texts that may be the same in both languages (product names, codes). */
static const char *const same_ok[] = {"Unikey", NULL};

static bool allowed_same(const char *s)
{
	for (size_t i = 0; same_ok[i]; i++)
		if (!strcmp(same_ok[i], s))
			return true;
	return false;
}

static int check_text(const char *code, const char *what, const char *vi, const char *en)
{
	int bad = 0;
	if (!vi || !vi[0]) {
		fprintf(stderr, "%s: no %s (add it in reasons.def)\n", code, what);
		return 1;
	}
	if (en && !strcmp(vi, en) && !allowed_same(vi)) {
		fprintf(stderr, "%s: %s is the English text: \"%s\"\n", code, what, vi);
		bad++;
	}
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)vi, 0, &nfc,
	                                  UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0) {
		fprintf(stderr, "%s: %s is not valid UTF-8\n", code, what);
		bad++;
	} else if (strcmp((const char *)nfc, vi)) {
		fprintf(stderr, "%s: %s is not in NFC\n", code, what);
		bad++;
	}
	free(nfc);
	size_t len = strlen(vi);
	if (vi[0] == ' ' || vi[len - 1] == ' ' || vi[len - 1] == '.' || strstr(vi, "  ")) {
		fprintf(stderr, "%s: %s has stray spaces or a final period\n", code, what);
		bad++;
	}
	return bad;
}

static void test_every_code_in_vietnamese(void **state)
{
	(void)state;
	int bad = 0;
	for (unsigned r = 1; r < VS_R_COUNT; r++) {
		const vs_reason_info *i = vs_reason_get((vs_reason)r);
		assert_non_null(i);
		if (!i->title || !i->title[0] || !strcmp(i->title, i->name)) {
			fprintf(stderr, "%s: no English title\n", i->name);
			bad++;
		}
		bad += check_text(i->name, "Vietnamese title", i->title_vi, i->title);
		bad += check_text(i->name, "Vietnamese meaning", i->meaning_vi, i->meaning);
		bad += check_text(i->name, "Vietnamese action", i->action_vi, i->action);
	}
	assert_int_equal(bad, 0);
}

static void test_accessors(void **state)
{
	(void)state;
	assert_string_equal(vs_reason_title(VS_R_DOB_MISSING, VS_LANG_VI), "Thiếu ngày sinh");
	assert_string_equal(vs_reason_title(VS_R_DOB_MISSING, VS_LANG_EN), "Date of birth missing");
	assert_string_equal(vs_reason_action(VS_R_SEX_MISSING, VS_LANG_VI), "Nhập Nam hoặc Nữ");
	assert_string_equal(vs_reason_meaning(VS_R_SEX_MISSING, VS_LANG_EN), "Sex is empty");
	assert_string_equal(vs_reason_title(VS_R_NONE, VS_LANG_VI), "");
	assert_string_equal(vs_reason_action(VS_R_COUNT, VS_LANG_EN), "");
	char buf[512];
	/* informational codes left out, one text once */
	vs_reason_actions_text("ID_EXCEL_DAMAGE_FIXED|DOB_UNPARSEABLE|SHOT_DATE_UNPARSEABLE|SEX_MISSING",
	                       VS_LANG_VI, buf, sizeof(buf));
	assert_string_equal(buf, "Nhập ngày theo dạng ngày/tháng/năm (dd/mm/yyyy); Nhập Nam hoặc Nữ");
	vs_reason_actions_text("SEX_MISSING|DOB_MISSING", VS_LANG_EN, buf, sizeof(buf));
	assert_string_equal(buf, "Enter Nam or Nữ; Enter the date of birth");
	/* cut on whole texts */
	vs_reason_actions_text("SEX_MISSING|DOB_MISSING", VS_LANG_EN, buf, 20);
	assert_string_equal(buf, "Enter Nam or Nữ");
}

static void test_lang(void **state)
{
	(void)state;
	assert_int_equal(vs_lang_from_locale(NULL, NULL, NULL), VS_LANG_VI);
	assert_int_equal(vs_lang_from_locale(NULL, NULL, "C.UTF-8"), VS_LANG_VI);
	assert_int_equal(vs_lang_from_locale(NULL, NULL, "POSIX"), VS_LANG_VI);
	assert_int_equal(vs_lang_from_locale(NULL, NULL, "vi_VN.UTF-8"), VS_LANG_VI);
	assert_int_equal(vs_lang_from_locale(NULL, NULL, "en_US.UTF-8"), VS_LANG_EN);
	assert_int_equal(vs_lang_from_locale("", "en_GB", "vi_VN"), VS_LANG_EN);
	assert_int_equal(vs_lang_from_locale("vi_VN", "en_GB", "en_US"), VS_LANG_VI);
	vs_lang l = VS_LANG_VI;
	assert_true(vs_lang_parse("EN", &l));
	assert_int_equal(l, VS_LANG_EN);
	assert_false(vs_lang_parse("fr", &l));
	assert_int_equal(l, VS_LANG_EN);
	vs_lang_set_default(VS_LANG_VI);
	assert_int_equal(vs_lang_default(), VS_LANG_VI);
	assert_string_equal(vs_lang_code(VS_LANG_EN), "en");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_code_in_vietnamese),
	    cmocka_unit_test(test_accessors),
	    cmocka_unit_test(test_lang),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

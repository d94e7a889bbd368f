/* test_serve_json.c - the JSON text the service writes straight into a
 * buffer (json.c, worklist pages): every string reads back through jansson
 * as the same string, escapes as jansson writes them, invalid UTF-8 as
 * U+FFFD, reason lists as arrays, the buffer's cap honoured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "serve/serve_internal.h"

/* s written by sv_json_put_str, parsed back by jansson */
static json_t *round_trip(const char *s, vs_buf *b)
{
	vs_buf_init(b, 1 << 20);
	assert_int_equal(vs_buf_puts(b, "["), VS_OK);
	assert_int_equal(sv_json_put_str(b, s), VS_OK);
	assert_int_equal(vs_buf_puts(b, "]"), VS_OK);
	json_error_t je;
	json_t *j = json_loads(b->data, 0, &je);
	if (!j)
		fail_msg("not JSON: %s (%s)", b->data, je.text);
	return j;
}

static void test_strings_read_back(void **state)
{
	(void)state;
	const char *cases[] = {"",
	                       "plain",
	                       "quote \" and backslash \\ and slash /",
	                       "tab\tnew\nline\rfeed\f back\b",
	                       "\x01\x1f\x7f",
	                       "Nguyễn Thị Ánh – đường 3/2 ✓ 😀",
	                       "line\xe2\x80\xa8sep",
	                       "record: A, born 1990-01-02, id 079090001234; candidate -: levels 3.2.1"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vs_buf b;
		json_t *j = round_trip(cases[i], &b);
		assert_string_equal(json_string_value(json_array_get(j, 0)), cases[i]);
		/* the same text jansson writes */
		json_t *mine = json_pack("[s]", cases[i]);
		char *theirs = json_dumps(mine, JSON_COMPACT);
		assert_string_equal(b.data, theirs);
		free(theirs);
		json_decref(mine);
		json_decref(j);
		vs_buf_free(&b);
	}
}

static void test_invalid_utf8_replaced(void **state)
{
	(void)state;
	vs_buf b;
	json_t *j = round_trip("ab\xff"
	                       "cd\xc3",
	                       &b);
	assert_string_equal(json_string_value(json_array_get(j, 0)), "ab\xef\xbf\xbd"
	                                                             "cd\xef\xbf\xbd");
	json_decref(j);
	vs_buf_free(&b);
	/* NULL is the empty string */
	j = round_trip(NULL, &b);
	assert_string_equal(json_string_value(json_array_get(j, 0)), "");
	json_decref(j);
	vs_buf_free(&b);
}

static void test_members_and_reasons(void **state)
{
	(void)state;
	vs_buf b;
	vs_buf_init(&b, 4096);
	assert_int_equal(vs_buf_putc(&b, '{'), VS_OK);
	assert_int_equal(sv_json_put_member(&b, true, "a", "x\"y"), VS_OK);
	assert_int_equal(vs_buf_puts(&b, ",\"r\":"), VS_OK);
	assert_int_equal(sv_json_put_reasons(&b, "ID_MISSING||LINK_NO_CANDIDATE|"), VS_OK);
	assert_int_equal(vs_buf_puts(&b, ",\"e\":"), VS_OK);
	assert_int_equal(sv_json_put_reasons(&b, ""), VS_OK);
	assert_int_equal(vs_buf_putc(&b, '}'), VS_OK);
	assert_string_equal(b.data,
	                    "{\"a\":\"x\\\"y\",\"r\":[\"ID_MISSING\",\"LINK_NO_CANDIDATE\"],\"e\":[]}");
	vs_buf_free(&b);
	/* past the cap: an error, never a cut string */
	vs_buf_init(&b, 8);
	assert_int_not_equal(sv_json_put_str(&b, "0123456789"), VS_OK);
	vs_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strings_read_back),
	    cmocka_unit_test(test_invalid_utf8_replaced),
	    cmocka_unit_test(test_members_and_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_units2025.c - the 2025 provinces and communes of the reference data
 * (src/report/units2025.c): the allocation rule of a 2022 commune to one 2025
 * commune, split communes, communes not placed, and the provinces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vaxsync/report.h"

static const vs_report_commune2025 *target(const vs_report_units2025 *u, const char *code2022)
{
	int32_t t = vs_report_units2025_target(u, code2022);
	return t < 0 ? NULL : vs_report_units2025_commune(u, (size_t)t);
}

static void test_communes(void **state)
{
	(void)state;
	const char *dir = getenv("VAXSYNC_REFDATA");
	assert_non_null(dir);
	vs_report_units2025 *u = NULL;
	vs_error err = {0};
	assert_int_equal(vs_report_units2025_load(&u, dir, &err), VS_OK);
	/* every 2025 commune in one province's range, 3,321 in all */
	size_t all = 0;
	for (int p = 0; p < 100; p++) {
		char prov[3] = {(char)('0' + p / 10), (char)('0' + p % 10), 0};
		size_t first = 0, count = 0;
		vs_report_units2025_province(u, prov, &first, &count);
		for (size_t i = first; i < first + count; i++)
			assert_string_equal(vs_report_units2025_commune(u, i)->prov, prov);
		all += count;
	}
	assert_int_equal(all, 3321);
	/* one target: that one (Phúc Xá -> Hồng Hà); one with its own code */
	assert_string_equal(target(u, "00001")->code, "00097");
	assert_string_equal(target(u, "00001")->prov, "01");
	assert_string_equal(target(u, "00004")->code, "00004");
	/* split: the target with the 2022 code, else the first in the file's order; each target of
	 * a split commune is approximate */
	assert_string_equal(target(u, "00007")->code, "00008");
	assert_string_equal(target(u, "00016")->code, "00004");
	assert_true(target(u, "00007")->split >= 1);
	assert_true(target(u, "00016")->split >= 1);
	/* no target (method unresolved), no such commune: not placed */
	assert_null(target(u, "00010"));
	assert_null(target(u, "99999"));
	vs_report_units2025_free(u);
	/* a folder without the files: an error, nothing kept */
	u = NULL;
	assert_int_not_equal(vs_report_units2025_load(&u, "/nonexistent-refdata", &err), VS_OK);
	assert_null(u);
	assert_int_equal(vs_report_units2025_load(&u, NULL, &err), VS_ERR_ARG);
}

static void test_provinces(void **state)
{
	(void)state;
	const char *dir = getenv("VAXSYNC_REFDATA");
	assert_non_null(dir);
	static vs_report_provinces2025 m;
	vs_error err = {0};
	assert_int_equal(vs_report_provinces_2025(dir, &m, &err), VS_OK);
	assert_int_equal(m.of[1], 1); /* Hà Nội */
	assert_true(strlen(m.name[1]) > 0);
	int merged = 0;
	for (int p = 1; p < 100; p++)
		merged += m.of[p] && m.of[p] != p;
	assert_true(merged > 0); /* 63 provinces became 34 */
	assert_int_equal(vs_report_provinces_2025(NULL, &m, &err), VS_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_communes),
	    cmocka_unit_test(test_provinces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

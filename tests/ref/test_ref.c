/* test_ref.c - the reference tables load with the expected sizes and facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vaxsync/ref.h"

static void test_load(void **state)
{
	(void)state;
	const char *dir = getenv("VAXSYNC_REFDATA");
	assert_non_null(dir);
	vs_ref *ref = NULL;
	vs_error err = {0};
	assert_int_equal(vs_ref_load(&ref, dir, &err), VS_OK);
	assert_int_equal(ref->commune_count, 10599);
	assert_int_equal(ref->district_count, 705);
	assert_int_equal(ref->cccd_count, 63);
	assert_int_equal(ref->vaccine_count, 15);
	assert_int_equal(ref->mobile_prefix_count, 21);
	assert_int_equal(ref->landline_count, 63);
	assert_int_equal(ref->tcvn3_count, 74);
	assert_int_equal(ref->vni_count, 134);
	assert_true(ref->family_count > 100);
	assert_true(ref->given_count > 100);
	assert_true(ref->middle_count > 50);
	assert_string_equal(ref->communes[0].commune_code, "00001");
	assert_string_equal(ref->communes[0].commune_name, "Phường Phúc Xá");
	const vs_ref_vaccine *az = vs_ref_vaccine_by_code(ref, "EU/1/21/1529");
	assert_non_null(az);
	assert_int_equal(az->primary_doses, 2);
	assert_int_equal(az->min_interval_days, 28);
	assert_int_equal(az->min_age_years, 18);
	assert_true(az->alias_count >= 5);
	assert_string_equal(az->aliases[1], "AZ");
	const vs_ref_cccd *hn = vs_ref_cccd_by_code(ref, "001");
	assert_non_null(hn);
	assert_string_equal(hn->gso_province_code, "01");
	assert_ptr_equal(vs_ref_cccd_by_province(ref, "01"), hn);
	assert_null(vs_ref_vaccine_by_code(ref, "nope"));
	assert_string_equal(ref->family[0].name, "Nguyễn");
	assert_true(ref->family[0].share > 0.3);
	bool two_byte = false;
	for (size_t i = 0; i < ref->vni_count; i++)
		two_byte |= ref->vni[i].byte_count == 2;
	assert_true(two_byte);
	vs_ref_free(ref);
}

/* The by-code lookups (a binary search over an index built at load) give the
 * first row of the file with that code for every code, and NULL for codes not
 * listed, empty or of the wrong length. */
static void test_lookup_by_code(void **state)
{
	(void)state;
	vs_ref *ref = NULL;
	vs_error err = {0};
	assert_int_equal(vs_ref_load(&ref, getenv("VAXSYNC_REFDATA"), &err), VS_OK);
	assert_true(ref->commune_count > 10000);
	for (size_t i = 0; i < ref->commune_count; i++) {
		size_t first = 0; /* the linear scan's answer */
		while (strcmp(ref->communes[first].commune_code, ref->communes[i].commune_code))
			first++;
		assert_ptr_equal(vs_ref_commune_by_code(ref, ref->communes[i].commune_code),
		                 &ref->communes[first]);
	}
	for (size_t i = 0; i < ref->district_count; i++) {
		const vs_ref_district *d = vs_ref_district_by_code(ref, ref->districts[i].district_code);
		assert_non_null(d);
		assert_string_equal(d->district_code, ref->districts[i].district_code);
		assert_true(d <= &ref->districts[i]);
	}
	const char *absent[] = {"", "0", "99999", "0000", "000010", "zzzzz", "00001 "};
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_null(vs_ref_commune_by_code(ref, absent[i]));
	assert_null(vs_ref_district_by_code(ref, "999"));
	assert_null(vs_ref_district_by_code(ref, ""));
	assert_null(vs_ref_commune_by_code(NULL, "00001"));
	assert_null(vs_ref_commune_by_code(ref, NULL));
	assert_string_equal(vs_ref_commune_by_code(ref, "00001")->commune_name, "Phường Phúc Xá");
	vs_ref_free(ref);
}

/* the 2025 units and the 2022 communes each was made of (admin_mapping_2022_2025.csv) */
static void test_units_2025(void **state)
{
	(void)state;
	vs_ref *ref = NULL;
	vs_error err = {0};
	assert_int_equal(vs_ref_load(&ref, getenv("VAXSYNC_REFDATA"), &err), VS_OK);
	assert_int_equal(ref->commune2025_count, 3321);
	size_t with_old = 0, old = 0;
	const vs_ref_commune2025 *tan_hai = NULL, *sai_gon = NULL;
	for (size_t i = 0; i < ref->commune2025_count; i++) {
		const vs_ref_commune2025 *c = &ref->communes2025[i];
		with_old += c->old_count > 0;
		old += c->old_count;
		assert_true(c->old_first + c->old_count <= ref->old_commune_count);
		if (!strcmp(c->commune_code, "23246"))
			tan_hai = c;
		if (!strcmp(c->commune_code, "26740"))
			sai_gon = c;
	}
	assert_int_equal(old, ref->old_commune_count);
	assert_true(with_old >= 3300); /* the island special zones of districts without communes: none */
	assert_non_null(tan_hai);
	assert_string_equal(tan_hai->commune_name, "Xã Tân Hải");
	assert_string_equal(tan_hai->province_code, "68");
	assert_int_equal(tan_hai->old_count, 2); /* Xã Tân Hải and Xã Tân Tiến of La Gi, Bình Thuận */
	assert_string_equal(ref->old_communes[tan_hai->old_first]->commune_code, "23245");
	assert_string_equal(ref->old_communes[tan_hai->old_first + 1]->commune_code, "23246");
	assert_string_equal(ref->old_communes[tan_hai->old_first]->province_code, "60");
	assert_non_null(sai_gon);
	assert_int_equal(sai_gon->old_count, 3); /* Bến Nghé, and parts of Đa Kao and Nguyễn Thái Bình */
	vs_ref_free(ref);
}

static void test_missing_dir(void **state)
{
	(void)state;
	vs_ref *ref = NULL;
	vs_error err = {0};
	assert_int_equal(vs_ref_load(&ref, "/nonexistent-refdata", &err), VS_ERR_IO);
	assert_null(ref);
	assert_non_null(strstr(err.file, "admin_units_2022.csv"));
}

static void test_alloc_failures(void **state)
{
	(void)state;
	const char *dir = getenv("VAXSYNC_REFDATA");
	/* fail each of the first allocations in turn: never a crash or a leak */
	for (uint64_t n = 1; n < 200; n += 7) {
		vs_ref *ref = NULL;
		vs_error err = {0};
		vs_alloc_fail_nth(n);
		vs_rc rc = vs_ref_load(&ref, dir, &err);
		vs_alloc_fail_nth(0);
		if (rc == VS_OK)
			vs_ref_free(ref);
		else
			assert_null(ref);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_load), cmocka_unit_test(test_missing_dir),
	                                   cmocka_unit_test(test_lookup_by_code),
	                                   cmocka_unit_test(test_units_2025),
	                                   cmocka_unit_test(test_alloc_failures)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

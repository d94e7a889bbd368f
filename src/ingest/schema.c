/* schema.c - DESIGN.md record layouts and facility header aliases. */
#include "vaxsync/schema.h"

#define A(...) ((const char *const[]){__VA_ARGS__, NULL})

const vs_csv_colspec vs_schema_shots[VS_SHOT_COL_COUNT] = {
    {"record_id", A("Mã bản ghi", "Mã hồ sơ", "Mã mũi tiêm", "STT", "Số thứ tự", "record"), true},
    {"facility_code",
     A("Mã cơ sở", "Mã cơ sở tiêm", "Mã cơ sở tiêm chủng", "Mã CSTC", "Mã đơn vị", "facility"), true},
    {"full_name", A("Họ và tên", "Họ tên", "Họ và tên người tiêm", "Tên", "name"), true},
    {"dob", A("Ngày sinh", "Ngày tháng năm sinh", "Năm sinh", "NS", "date_of_birth", "birth_date"), false},
    {"sex", A("Giới tính", "Giới", "GT", "gender"), false},
    {"id_number",
     A("Số CMND/CCCD", "CMND/CCCD", "Số CCCD", "CCCD", "CMND", "Số CMND", "Số định danh",
       "Số định danh cá nhân", "Số giấy tờ", "Số CCCD/CMND", "id"),
     false},
    {"phone", A("Số điện thoại", "SĐT", "Điện thoại", "ĐT", "phone_number", "mobile"), false},
    {"address", A("Địa chỉ", "Địa chỉ thường trú", "Địa chỉ nơi ở", "Nơi ở hiện tại", "Nơi ở"), false},
    {"vaccine", A("Tên vắc xin", "Tên vaccine", "Vắc xin", "Vaccine", "Loại vắc xin", "Loại vaccine"), false},
    {"lot", A("Số lô", "Lô", "Lô vắc xin", "lot_number"), false},
    {"dose", A("Mũi tiêm", "Mũi", "Mũi thứ", "Mũi số", "Mũi tiêm thứ", "dose_number"), false},
    {"shot_date", A("Ngày tiêm", "Ngày tiêm chủng", "vaccination_date", "date"), false},
};

const vs_csv_colspec vs_schema_registry[VS_REG_COL_COUNT] = {
    {"citizen_id", A("Số định danh cá nhân", "Số định danh", "CCCD"), true},
    {"old_id", A("CMND", "Số CMND"), false},
    {"full_name", A("Họ và tên", "Họ tên"), true},
    {"dob", A("Ngày sinh"), false},
    {"sex", A("Giới tính"), false},
    {"province_code", A("Mã tỉnh"), false},
    {"district_code", A("Mã huyện"), false},
    {"commune_code", A("Mã xã"), false},
    {"address", A("Địa chỉ"), false},
    {"phone", A("Số điện thoại"), false},
    {"household_id", A("Mã hộ", "Số hộ khẩu"), false},
    {"status", A("Trạng thái"), false},
    {"death_date", A("Ngày mất", "Ngày chết"), false},
};

const vs_csv_colspec vs_schema_truth[VS_TRUTH_COL_COUNT] = {
    {"facility_code", NULL, true}, {"record_id", NULL, true},  {"citizen_id", NULL, true},
    {"event_id", NULL, true},      {"error_tags", NULL, true},
};

static bool has(const vs_csv_row *h, const char *name)
{
	const vs_csv_colspec spec = {name, NULL, true};
	int idx;
	return vs_csv_map_header(h, &spec, 1, &idx, NULL, NULL) == VS_OK;
}

vs_schema_kind vs_schema_detect(const vs_csv_row *header)
{
	if (has(header, "event_id") && has(header, "error_tags"))
		return VS_SCHEMA_TRUTH;
	if (has(header, "citizen_id") && (has(header, "household_id") || has(header, "status")))
		return VS_SCHEMA_REGISTRY;
	int idx[VS_SHOT_COL_COUNT];
	if (vs_csv_map_header(header, vs_schema_shots, VS_SHOT_COL_COUNT, idx, NULL, NULL) == VS_OK)
		return VS_SCHEMA_SHOTS;
	return VS_SCHEMA_UNKNOWN;
}

const vs_csv_colspec *vs_schema_specs(vs_schema_kind kind, size_t *count)
{
	switch (kind) {
	case VS_SCHEMA_SHOTS:
		*count = VS_SHOT_COL_COUNT;
		return vs_schema_shots;
	case VS_SCHEMA_REGISTRY:
		*count = VS_REG_COL_COUNT;
		return vs_schema_registry;
	case VS_SCHEMA_TRUTH:
		*count = VS_TRUTH_COL_COUNT;
		return vs_schema_truth;
	default:
		*count = 0;
		return NULL;
	}
}

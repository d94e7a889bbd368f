#!/usr/bin/env python3
# Writes tests/golden/standardize/input_fields.csv and expected_fields.csv:
# golden cases for ID numbers, phones, addresses, vaccines and doses. Each row
# is a whole clean record with one field typed the way clerks type it.
# Run: python3 make_golden_fields.py tests/golden/standardize   (rewrites the two CSV files).
# The expected values are stated here by hand, not produced by vaxsync.
import csv, sys
OUT = sys.argv[1]
IN = ["case_id", "note", "record_id", "facility_code", "full_name", "dob", "sex", "id_number", "phone",
      "address", "vaccine", "lot", "dose", "shot_date"]
STD = ["case_id", "std_full_name", "std_family", "std_middle", "std_given", "std_name_key", "std_dob",
       "std_dob_precision", "std_sex", "std_id_number", "std_id_type", "std_phone", "std_province_code",
       "std_district_code", "std_commune_code", "std_vaccine_code", "std_dose", "std_shot_date", "reasons"]
BASE = dict(full_name="Nguyễn Văn An", dob="05/03/1980", sex="Nam", id_number="001080100001",
            phone="0912345678", address="Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
            vaccine="AstraZeneca", lot="LOT1", dose="1", shot_date="2021-09-20")
EXP = dict(std_full_name="Nguyễn Văn An", std_family="Nguyễn", std_middle="Văn", std_given="An",
           std_name_key="nguyen van an", std_dob="1980-03-05", std_dob_precision="day", std_sex="M",
           std_shot_date="2021-09-20", std_id_number="001080100001", std_id_type="CCCD", std_phone="0912345678",
           std_province_code="79", std_district_code="760", std_commune_code="26740",
           std_vaccine_code="EU/1/21/1529", std_dose="1", reasons="")
rows = []
def case(prefix, note, inp, exp, reasons=""):
    rows.append((prefix, note, inp, exp, reasons))

# ---- ID numbers (dob 05/03/1980, male unless stated) ----
def idc(note, typed, number, typ, reasons="", dob=None, sex=None):
    inp = {"id_number": typed}
    exp = {"std_id_number": number, "std_id_type": typ}
    if dob:
        inp["dob"] = dob
        if len(dob) == 4:
            exp.update(std_dob=dob, std_dob_precision="year")
        else:
            d, m, y = dob.split("/")
            exp.update(std_dob="%s-%s-%s" % (y, m, d))
    if sex:
        inp["sex"] = sex
        exp["std_sex"] = "F" if sex == "Nữ" else "M"
    case("I", note, inp, exp, reasons)
idc("clean CCCD", "001080100001", "001080100001", "CCCD")
idc("spaces", "001 080 100 001", "001080100001", "CCCD", "ID_SEPARATORS_REMOVED")
idc("dots", "001.080.100.001", "001080100001", "CCCD", "ID_SEPARATORS_REMOVED")
idc("dashes", "001-080-100001", "001080100001", "CCCD", "ID_SEPARATORS_REMOVED")
idc("Excel text apostrophe", "'001080100001", "001080100001", "CCCD")
idc("label before", "CCCD: 001080100001", "001080100001", "CCCD")
idc("Vietnamese label", "Số CCCD 001080100001", "001080100001", "CCCD")
idc("two zeros lost by Excel", "1080100001", "001080100001", "CCCD", "ID_EXCEL_DAMAGE_FIXED")
idc("one zero lost by Excel", "79080100001", "079080100001", "CCCD", "ID_EXCEL_DAMAGE_FIXED")
idc("zero lost, Nghe An", "40080123456", "040080123456", "CCCD", "ID_EXCEL_DAMAGE_FIXED")
idc("zero lost from CMND", "12345678", "012345678", "CMND", "ID_EXCEL_DAMAGE_FIXED|ID_OLD_CMND")
idc("Excel scientific", "1.23457E+11", "", "", "ID_EXCEL_SCIENTIFIC")
idc("Excel scientific comma", "7,9E+10", "", "", "ID_EXCEL_SCIENTIFIC")
idc("Excel scientific with all digits", "1.0801E+9", "", "", "ID_EXCEL_SCIENTIFIC")
idc("Excel scientific exact", "1.080100001E+9", "001080100001", "CCCD", "ID_EXCEL_DAMAGE_FIXED")
idc("old CMND", "023456789", "023456789", "CMND", "ID_OLD_CMND")
idc("old CMND spaced", "271 234 567", "271234567", "CMND", "ID_OLD_CMND|ID_SEPARATORS_REMOVED")
idc("passport", "B1234567", "B1234567", "OTHER", "ID_OTHER_TYPE")
idc("passport lower case", "c7654321", "C7654321", "OTHER", "ID_OTHER_TYPE")
idc("health insurance card", "DN4797912345678", "DN4797912345678", "OTHER", "ID_OTHER_TYPE")
idc("letter O for zero", "00108010000O", "00108010000O", "OTHER", "ID_NON_DIGIT")
idc("stray symbol", "0010801#00001", "001080100001", "CCCD", "ID_NON_DIGIT")
idc("words", "chưa rõ", "", "", "ID_NON_DIGIT")
idc("empty", "", "", "", "ID_MISSING")
idc("blank", "   ", "", "", "ID_MISSING")
idc("khong co", "không có", "", "", "ID_MISSING")
idc("zero", "0", "", "", "ID_MISSING")
idc("dashes only", "---", "", "", "ID_MISSING")
idc("too short", "12345", "12345", "OTHER", "ID_BAD_LENGTH")
idc("too long", "00108010000123", "00108010000123", "OTHER", "ID_BAD_LENGTH")
idc("11 digits no province", "99080100001", "99080100001", "OTHER", "ID_BAD_LENGTH")
idc("unknown province 003", "003080100001", "003080100001", "CCCD", "ID_PROVINCE_UNKNOWN")
idc("unknown province 099", "099080100001", "099080100001", "CCCD", "ID_PROVINCE_UNKNOWN")
idc("female code, male", "001180100001", "001180100001", "CCCD", "ID_SEX_CENTURY_MISMATCH")
idc("female CCCD ok", "001180100001", "001180100001", "CCCD", "", sex="Nữ")
idc("2000s code for 1980", "001280100001", "001280100001", "CCCD", "ID_SEX_CENTURY_MISMATCH")
idc("born 2003 male", "079203001234", "079203001234", "CCCD", "", dob="12/07/2003")
idc("born 2003 female", "079303001234", "079303001234", "CCCD", "", dob="12/07/2003", sex="Nữ")
idc("year digits differ", "001081100001", "001081100001", "CCCD", "ID_BIRTH_YEAR_MISMATCH")
idc("sex and year differ", "001181100001", "001181100001", "CCCD", "ID_SEX_CENTURY_MISMATCH|ID_BIRTH_YEAR_MISMATCH")
idc("year only dob", "001080100001", "001080100001", "CCCD", "DOB_YEAR_ONLY", dob="1980")
idc("Excel decimals", "1080100001.0", "001080100001", "CCCD", "ID_EXCEL_DAMAGE_FIXED")
idc("10 digits contradicting dob", "2012345678", "2012345678", "OTHER", "ID_BAD_LENGTH")
idc("year only dob mismatch", "001079100001", "001079100001", "CCCD", "DOB_YEAR_ONLY|ID_BIRTH_YEAR_MISMATCH", dob="1980")

# ---- phones ----
def ph(note, typed, phone, reasons=""):
    case("P", note, {"phone": typed}, {"std_phone": phone}, reasons)
ph("clean mobile", "0912345678", "0912345678")
ph("spaced", "0912 345 678", "0912345678")
ph("dotted", "0912.345.678", "0912345678")
ph("dashed", "0912-345-678", "0912345678")
ph("brackets", "(091) 234-5678", "0912345678")
ph("apostrophe", "'0388123456", "0388123456")
ph("+84", "+84912345678", "0912345678", "PHONE_COUNTRY_CODE_REMOVED")
ph("+84 spaced", "+84 912 345 678", "0912345678", "PHONE_COUNTRY_CODE_REMOVED")
ph("84 without plus", "84912345678", "0912345678", "PHONE_COUNTRY_CODE_REMOVED")
ph("+84 then 0", "+84 0912345678", "0912345678", "PHONE_COUNTRY_CODE_REMOVED")
ph("0084", "0084912345678", "0912345678", "PHONE_COUNTRY_CODE_REMOVED")
ph("leading zero lost", "912345678", "0912345678", "PHONE_LEADING_ZERO_FIXED")
ph("leading zero lost 03x", "388123456", "0388123456", "PHONE_LEADING_ZERO_FIXED")
ph("leading zero lost 084", "845123456", "0845123456", "PHONE_LEADING_ZERO_FIXED")
ph("old MobiFone 0121", "01212345678", "0792345678", "PHONE_OLD_PREFIX_FIXED")
ph("old Viettel 0168 spaced", "0168 234 5678", "0382345678", "PHONE_OLD_PREFIX_FIXED")
ph("old Gmobile 0199", "01992345678", "0592345678", "PHONE_OLD_PREFIX_FIXED")
ph("old VinaPhone 0123", "0123 456 7890", "0834567890", "PHONE_OLD_PREFIX_FIXED")
ph("old prefix zero lost", "1692345678", "0392345678", "PHONE_LEADING_ZERO_FIXED|PHONE_OLD_PREFIX_FIXED")
ph("old prefix +84", "+841662345678", "0362345678", "PHONE_COUNTRY_CODE_REMOVED|PHONE_OLD_PREFIX_FIXED")
ph("Hanoi landline", "02438123456", "02438123456", "PHONE_LANDLINE")
ph("Hanoi landline spaced", "024 3812 3456", "02438123456", "PHONE_LANDLINE")
ph("Da Nang landline", "0236 3812345", "02363812345", "PHONE_LANDLINE")
ph("landline zero lost", "2838123456", "02838123456", "PHONE_LEADING_ZERO_FIXED|PHONE_LANDLINE")
ph("landline +84", "+84 28 3812 3456", "02838123456", "PHONE_COUNTRY_CODE_REMOVED|PHONE_LANDLINE")
ph("old Hanoi area code", "04 38123456", "02438123456", "PHONE_OLD_AREA_CODE_FIXED|PHONE_LANDLINE")
ph("old Da Nang area code", "0511 3812345", "02363812345", "PHONE_OLD_AREA_CODE_FIXED|PHONE_LANDLINE")
ph("old Binh Duong area code", "0650 3812345", "02743812345", "PHONE_OLD_AREA_CODE_FIXED|PHONE_LANDLINE")
ph("old HCMC number reads as 083 mobile", "08 38123456", "0838123456")
ph("two numbers dash", "0912345678 - 0987654321", "0912345678")
ph("two numbers slash", "0912345678/0987654321", "0912345678")
ph("first one invalid", "12345, 0987654321", "0987654321")
ph("with words", "ĐT: 0912345678 (chồng)", "0912345678")
ph("too short", "12345", "", "PHONE_INVALID")
ph("01 prefix", "0123456789", "", "PHONE_INVALID")
ph("11 digits 09", "09123456789", "", "PHONE_INVALID")
ph("9 digits with 0", "091234567", "", "PHONE_INVALID")
ph("all zeros", "0000000000", "", "PHONE_MISSING")
ph("empty", "", "", "PHONE_MISSING")
ph("khong co", "không có", "", "PHONE_MISSING")

# ---- addresses ----
def ad(note, typed, p, d, c, reasons=""):
    case("A", note, {"address": typed}, {"std_province_code": p, "std_district_code": d, "std_commune_code": c}, reasons)
ad("full", "Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội", "01", "001", "00001")
ad("abbreviated", "P. Phúc Xá, Q. Ba Đình, TP. Hà Nội", "01", "001", "00001")
ad("no diacritics", "phuong phuc xa quan ba dinh ha noi", "01", "001", "00001", "ADDR_NO_DIACRITICS")
ad("no type words, HN", "Phúc Xá, Ba Đình, HN", "01", "001", "00001")
ad("house and lane", "Số 12 ngõ 5 Phúc Xá, Ba Đình, Hà Nội", "01", "001", "00001")
ad("reversed", "Hà Nội, Ba Đình, Phúc Xá", "01", "001", "00001")
ad("no commas", "Phường Phúc Xá Quận Ba Đình Hà Nội", "01", "001", "00001")
ad("numbered ward", "P.5, Q.3, TP.HCM", "79", "770", "27151")
ad("numbered ward glued", "P5 Q3 HCM", "79", "770", "27151")
ad("F for phuong", "F5 Q3", "79", "770", "27151")
ad("zero-padded ward", "Phường 05, Quận 3, Thành phố Hồ Chí Minh", "79", "770", "27151")
ad("Sai Gon", "Q3, Sài Gòn", "79", "770", "", "ADDR_COMMUNE_UNRESOLVED")
ad("Tan Dinh Q1", "Tân Định, Q1, TP HCM", "79", "760", "26734")
ad("Tan Dinh no diacritics", "phuong tan dinh quan 1 tp ho chi minh", "79", "760", "26734", "ADDR_NO_DIACRITICS")
ad("street name is a ward elsewhere", "123 Lê Lợi, Phường Bến Thành, Quận 1, TP.HCM", "79", "760", "26743")
ad("Viet Nam at the end", "Bến Nghé, Q.1, Sài Gòn, Việt Nam", "79", "760", "26740")
ad("Thu Duc city", "P. Linh Trung, TP. Thủ Đức, TP. HCM", "79", "769", "26800")
ad("Thu Duc short", "Linh Trung, Thủ Đức", "79", "769", "26800")
ad("city named like its province", "Phường Nam Hà, TP Hà Tĩnh, Hà Tĩnh", "42", "436", "18073")
ad("TP before a province name is the city", "TP Hà Tĩnh", "42", "436", "", "ADDR_COMMUNE_UNRESOLVED")
ad("province only", "Tỉnh Hà Tĩnh", "42", "", "", "ADDR_DISTRICT_UNRESOLVED")
ad("district and province", "Đông Hà, Quảng Trị", "45", "461", "", "ADDR_COMMUNE_UNRESOLVED")
ad("old tone placement", "Thanh Hoá", "38", "", "", "ADDR_DISTRICT_UNRESOLVED")
ad("ward named like a district", "P. Ba Đình, TP. Thanh Hóa, Thanh Hoá", "38", "380", "14776")
ad("hamlet", "Thôn 3, xã Tân Hà, huyện Lâm Hà, tỉnh Lâm Đồng", "68", "676", "24916")
ad("hamlet no commas", "Thôn 3 Xã Tân Hà Huyện Lâm Hà Lâm Đồng", "68", "676", "24916")
ad("hamlet named like the commune", "ấp Bình Hòa, xã Bình Hòa, huyện Châu Thành, An Giang", "89", "892", "30607")
ad("hamlet no diacritics", "ap binh hoa xa binh hoa huyen chau thanh an giang", "89", "892", "30607", "ADDR_NO_DIACRITICS")
ad("Thi xa vs Huyen Cai Lay", "Thị xã Cai Lậy, Tỉnh Tiền Giang", "82", "817", "", "ADDR_COMMUNE_UNRESOLVED")
ad("district name in ten provinces", "Huyện Châu Thành", "", "", "", "ADDR_PROVINCE_UNRESOLVED|ADDR_AMBIGUOUS")
ad("commune name in ten provinces", "Xã An Bình", "", "", "", "ADDR_PROVINCE_UNRESOLVED|ADDR_AMBIGUOUS")
ad("two Tan Dinh in Binh Duong", "Tân Định, Bình Dương", "74", "", "", "ADDR_DISTRICT_UNRESOLVED|ADDR_AMBIGUOUS")
ad("district, commune missing", "Châu Thành, Tiền Giang", "82", "821", "", "ADDR_COMMUNE_UNRESOLVED")
ad("commune not in that province", "Xã An Bình, Long An", "80", "", "", "ADDR_DISTRICT_UNRESOLVED")
ad("only a house number", "123", "", "", "", "ADDR_PROVINCE_UNRESOLVED")
ad("hamlet only", "Thôn 3", "", "", "", "ADDR_PROVINCE_UNRESOLVED")
ad("empty", "", "", "", "", "ADDR_MISSING")
ad("TP Hue is the city", "TP Huế", "46", "474", "", "ADDR_COMMUNE_UNRESOLVED")
ad("name without diacritics anyway", "kon tum", "62", "", "", "ADDR_DISTRICT_UNRESOLVED")
ad("DN is Da Nang here", "Q. Hải Châu, ĐN", "48", "492", "", "ADDR_COMMUNE_UNRESOLVED")
ad("DN is Dong Nai here", "Biên Hòa, ĐN", "75", "731", "", "ADDR_COMMUNE_UNRESOLVED")
ad("khu pho", "Kp3, P. Tân Phong, Biên Hòa, Đồng Nai", "75", "731", "25996")
ad("house number with slash", "123/4 Nguyễn Văn Cừ, P.An Hòa, Q.Ninh Kiều, TP.Cần Thơ", "92", "916", "31120")
ad("hamlet, no type words", "Xóm 2, Nghi Phong, Nghi Lộc, Nghệ An", "40", "429", "17902")
ad("ward named Pho Hue", "Số 5, Ngõ 10, Phố Huế, Hai Bà Trưng, Hà Nội", "01", "007", "00262")
ad("numbered ward in Da Lat", "P2, TP Đà Lạt, Lâm Đồng", "68", "672", "24781")

# ---- vaccines ----
def va(note, typed, code, reasons=""):
    case("V", note, {"vaccine": typed}, {"std_vaccine_code": code}, reasons)
va("AstraZeneca", "AstraZeneca", "EU/1/21/1529")
va("capitals", "ASTRAZENECA", "EU/1/21/1529")
va("split", "astra zeneca", "EU/1/21/1529")
va("AZ", "AZ", "EU/1/21/1529")
va("with 'vac xin'", "Vắc xin AstraZeneca", "EU/1/21/1529")
va("typo", "Astrazenca", "EU/1/21/1529", "VACCINE_FUZZY_MATCH")
va("typo k", "Astrazeneka", "EU/1/21/1529", "VACCINE_FUZZY_MATCH")
va("Pfizer", "Pfizer", "EU/1/20/1528")
va("Phizer typo", "Phizer", "EU/1/20/1528", "VACCINE_FUZZY_MATCH")
va("purple cap", "Pfizer nắp tím", "EU/1/20/1528")
va("orange cap", "Pfizer nắp cam", "EU/1/20/1528-PED")
va("Comirnaty", "Comirnaty", "EU/1/20/1528")
va("Moderna", "Moderna", "EU/1/20/1507")
va("Modena typo", "Modena", "EU/1/20/1507", "VACCINE_FUZZY_MATCH")
va("Moderna children", "Moderna nhi", "EU/1/20/1507-PED")
va("Vero Cell", "Vero Cell", "BBIBP-CorV")
va("VeroCell", "VeroCell", "BBIBP-CorV")
va("Verocel typo", "Verocel", "BBIBP-CorV", "VACCINE_FUZZY_MATCH")
va("Sinopharm (Vero Cell)", "Sinopharm (Vero Cell)", "BBIBP-CorV")
va("Hayat-Vax", "Hayat-Vax", "Hayat-Vax")
va("Sputnik V", "Sputnik V", "Sputnik-V")
va("Abdala", "abdala", "Abdala")
va("Janssen", "J&J", "EU/1/20/1525")
va("Covaxin", "Covaxin", "Covaxin")
va("Novavax", "Novavax", "EU/1/21/1618")
va("Nanocovax", "Nanocovax", "NANOCOVAX")
va("product code", "EU/1/21/1529", "EU/1/21/1529")
va("empty", "", "", "VACCINE_MISSING")
va("shortened name", "Vero", "BBIBP-CorV", "VACCINE_FUZZY_MATCH")
va("shortened, two products", "Astr", "", "VACCINE_UNKNOWN")
va("not a listed product", "Sinovac", "", "VACCINE_UNKNOWN")
va("dose typed in vaccine column", "Mui 1", "", "VACCINE_UNKNOWN")

# ---- doses ----
def do(note, typed, dose, reasons=""):
    case("D", note, {"dose": typed}, {"std_dose": dose}, reasons)
do("digit", "2", "2")
do("zero padded", "01", "1")
do("Excel number", "1.0", "1")
do("Mui 1", "Mũi 1", "1")
do("mui 2", "mui 2", "2")
do("capitals", "MŨI 3", "3")
do("M2", "M2", "2")
do("mui thu 2", "Mũi thứ 2", "2")
do("mui thu hai", "mũi thứ hai", "2")
do("mui thu nhat", "mũi thứ nhất", "1")
do("lan 2", "Lần 2", "2")
do("2nd", "2nd", "2")
do("dose 3", "Dose 3", "3")
do("roman", "II", "2")
do("numbered booster", "Mũi 3 (nhắc lại)", "3")
do("booster", "Mũi nhắc", "", "DOSE_BOOSTER_UNNUMBERED")
do("nhac lai", "nhắc lại", "", "DOSE_BOOSTER_UNNUMBERED")
do("English booster", "Booster", "", "DOSE_BOOSTER_UNNUMBERED")
do("tang cuong", "mũi tăng cường", "", "DOSE_BOOSTER_UNNUMBERED")
do("first booster", "Nhắc lại lần 1", "", "DOSE_BOOSTER_UNNUMBERED")
do("empty", "", "", "DOSE_MISSING")
do("dash", "-", "", "DOSE_MISSING")
do("word", "abc", "", "DOSE_UNPARSEABLE")
do("zero", "0", "", "DOSE_OUT_OF_RANGE")
do("too big", "15", "", "DOSE_OUT_OF_RANGE")
do("negative", "-2", "", "DOSE_OUT_OF_RANGE")
do("minus sign", "−3", "", "DOSE_OUT_OF_RANGE")
do("vaccine in dose column", "Pfizer", "", "DOSE_UNPARSEABLE")
do("product after the dose", "Mũi 2 (AZ)", "2")
do("two doses in one cell", "Mũi 1, mũi 2", "", "DOSE_UNPARSEABLE")

counts = {}
with open(OUT + "/input_fields.csv", "w", newline="", encoding="utf-8") as fi, \
     open(OUT + "/expected_fields.csv", "w", newline="", encoding="utf-8") as fe:
    wi = csv.writer(fi, lineterminator="\n")
    we = csv.writer(fe, lineterminator="\n")
    wi.writerow(IN)
    we.writerow(STD)
    for n, (prefix, note, inp, exp, reasons) in enumerate(rows):
        counts[prefix] = counts.get(prefix, 0) + 1
        cid = "F%s%03d" % (prefix, counts[prefix])
        r = dict(BASE); r.update(inp)
        e = dict(EXP); e.update(exp); e["reasons"] = reasons
        wi.writerow([cid, note, str(9000 + n), "F%02d" % (n % 7), r["full_name"], r["dob"], r["sex"],
                     r["id_number"], r["phone"], r["address"], r["vaccine"], r["lot"], r["dose"], r["shot_date"]])
        we.writerow([cid] + [e[k] for k in STD[1:]])
print(len(rows), "cases")

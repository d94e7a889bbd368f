#!/usr/bin/env python3
"""make_golden.py - writes input.csv and expected.csv of the standardize golden suite.

The expected values are NOT produced by vaxsync: every case below states the
input as a commune clerk would type it and the answer a careful person gives
(the right name, date, sex and reasons). Keys (std_name_key) are computed here
with an independent fold (Unicode NFD, marks dropped, đ -> d). The ID, phone,
address, vaccine, dose and shot-date fields of name/date/sex cases are clean,
so that every row is a whole record; their expected values come from the
reference tables (admin_units_2022.csv codes checked by hand), not from the
program. Legacy-encoding inputs are made here from the TCVN3/VNI tables.

Run: python3 make_golden.py REFDATA_DIR   (rewrites the two CSV files)
The test uses today = 2025-06-01.
"""
import csv
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../../shared/data")

STD = ["std_full_name", "std_family", "std_middle", "std_given", "std_name_key", "std_dob",
       "std_dob_precision", "std_sex", "std_id_number", "std_id_type", "std_phone",
       "std_province_code", "std_district_code", "std_commune_code", "std_vaccine_code", "std_dose",
       "std_shot_date", "reasons"]
IN = ["case_id", "note", "record_id", "facility_code", "full_name", "dob", "sex", "id_number", "phone",
      "address", "vaccine", "lot", "dose", "shot_date", "kind", "province_code", "district_code", "commune_code"]

# Addresses with their GSO 2022 codes (checked in admin_units_2022.csv).
ADDR = [
    ("Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội", "01", "001", "00001"),
    ("Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh", "79", "760", "26740"),
    ("Xã Tân Long, Huyện Phú Giáo, Tỉnh Bình Dương", "74", "722", "25879"),
    ("Phường Tràng Tiền, Quận Hoàn Kiếm, Thành phố Hà Nội", "01", "002", "00079"),
    ("Phường Hưng Bình, Thành phố Vinh, Tỉnh Nghệ An", "40", "412", "16672"),
    ("Phường Phú Hội, Thành phố Huế, Tỉnh Thừa Thiên Huế", "46", "474", "19786"),
]
VACC = [("Pfizer", "EU/1/20/1528"), ("AstraZeneca", "EU/1/21/1529"), ("Moderna", "EU/1/20/1507"),
        ("Vero Cell", "BBIBP-CorV")]
SHOT = [("15/08/2021", "2021-08-15"), ("2021-09-20", "2021-09-20"), ("03/12/2021", "2021-12-03"),
        ("20-01-2022", "2022-01-20")]


def fold(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    out = "".join(c.lower() if c.isalnum() and ord(c) < 128 else " " for c in s)
    return " ".join(out.split())


def excel(serial):
    """Excel 1900 date system (serial 60 is the fictitious 29 Feb 1900)."""
    import datetime
    base = datetime.date(1899, 12, 30) if serial > 60 else datetime.date(1899, 12, 31)
    return (base + datetime.timedelta(days=int(serial))).isoformat()


def parts(full):
    w = full.split()
    if not w:
        return "", "", ""
    if len(w) == 1:
        return "", "", w[0]
    return w[0], " ".join(w[1:-1]), w[-1]


def load_legacy():
    tcvn, vni = {}, {}
    with open(os.path.join(REF, "legacy_tcvn3.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            tcvn[r["unicode_char"]] = bytes.fromhex(r["bytes_hex"])
    with open(os.path.join(REF, "legacy_vni.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            vni[r["unicode_char"]] = bytes.fromhex(r["bytes_hex"])
    return tcvn, vni


TCVN, VNI = load_legacy()


def legacy(text, table):
    """Text typed with a legacy font, then read as Windows-1252."""
    out = b""
    for ch in text:
        if ord(ch) < 128:
            out += ch.encode()
        elif ch in table:
            out += table[ch]
        elif ch.lower() in table:  # TCVN3 has no upper-case toned vowels
            out += table[ch.lower()]
        else:
            raise ValueError("no legacy byte for " + ch)
    return out.decode("cp1252")


rows_in, rows_exp = [], []
counter = [0]


def cccd(prov3, year, sex, serial):
    digit = (0 if year < 2000 else 2) + (1 if sex == "F" else 0)
    return "%s%d%02d%06d" % (prov3, digit, year % 100, serial)


def add(note, name_in, name_out, name_reasons, dob_in="05/03/1980", dob_out="1980-03-05", prec="day",
        dob_reasons=(), sex_in="Nam", sex_out="M", sex_reasons=(), id_year=None, shot=None, extra=()):
    year = id_year if id_year else (int(dob_out[:4]) if dob_out else 1980)
    if year < 1900:  # a CCCD cannot encode it: the row has no ID (a 12-digit ID would mismatch)
        extra = list(extra) + ["ID_MISSING"]
    counter[0] += 1
    n = counter[0]
    addr = ADDR[n % len(ADDR)]
    vac = VACC[n % len(VACC)]
    shot_in, shot_out = shot if shot else SHOT[n % len(SHOT)]
    shot_reasons = []
    if isinstance(shot_out, tuple):
        shot_out, shot_reasons = shot_out[0], list(shot_out[1])
    dose = str(1 + n % 3)
    idn = cccd("001", year, sex_out or "M", 100000 + n) if year >= 1900 else ""
    fam, mid, giv = parts(name_out)
    reasons = list(name_reasons) + list(dob_reasons) + list(sex_reasons) + list(shot_reasons) + list(extra)
    rows_in.append([
        "A%03d" % n, note, str(n), "F%02d" % (1 + n % 7), name_in, dob_in, sex_in, idn,
        "09%08d" % (12345678 + n), addr[0], vac[0], "LOT%d" % n, dose, shot_in, "", "", "", ""])
    rows_exp.append([
        "A%03d" % n, name_out, fam, mid, giv, fold(name_out), dob_out, prec, sex_out, idn, "CCCD" if idn else "",
        "09%08d" % (12345678 + n), addr[1], addr[2], addr[3], vac[1], dose, shot_out, "|".join(reasons)])


# ---------------------------------------------------------------- names
CLEAN = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Long", "Phạm Thị Thu Hà", "Hoàng Đức Minh",
         "Huỳnh Ngọc Ánh", "Phan Thanh Tùng", "Vũ Thị Hằng", "Võ Minh Quân", "Đặng Thị Mỹ Duyên",
         "Bùi Quang Huy", "Đỗ Thị Ngọc Trâm", "Hồ Văn Phước", "Ngô Thị Lan", "Dương Quốc Bảo",
         "Lý Thị Thanh Thủy", "Trương Công Định", "Đinh Thị Hồng Nhung", "Mai Xuân Trường",
         "Lương Thị Nguyệt"]
for full in CLEAN[:10]:
    add("clean name", full, full, [])
for full in CLEAN:
    add("all capitals", full.upper(), full, ["NAME_ALL_CAPS"])
for full in CLEAN[:16]:
    plain = fold(full).title()
    add("no diacritics", fold(full), plain, ["NAME_NO_DIACRITICS"])
for full in CLEAN[4:12]:
    add("capitals, no diacritics", fold(full).upper(), fold(full).title(), ["NAME_ALL_CAPS", "NAME_NO_DIACRITICS"])
add("no marks needed: every word is a name as it stands", "Cao Quang Anh", "Cao Quang Anh", [])
add("spaces: leading, trailing, doubled", "  Nguyễn   Văn  An  ", "Nguyễn Văn An", [])
add("tab inside", "Trần\tThị Bình", "Trần Thị Bình", [])
add("no-break space", "Lê\u00a0Hoàng Long", "Lê Hoàng Long", [])
add("lower case with diacritics", "phạm thị thu hà", "Phạm Thị Thu Hà", [])
add("mixed case", "hOÀNG đỨC mINH", "Hoàng Đức Minh", [])
add("trailing period", "Huỳnh Ngọc Ánh.", "Huỳnh Ngọc Ánh", ["NAME_PUNCT_REMOVED"])
add("comma after family", "Phan, Thanh Tùng", "Phan Thanh Tùng", ["NAME_PUNCT_REMOVED"])
add("digit typed after the name", "Vũ Thị Hằng 2", "Vũ Thị Hằng", ["NAME_PUNCT_REMOVED"])
add("hyphen between words", "Võ-Minh Quân", "Võ Minh Quân", ["NAME_PUNCT_REMOVED"])
add("quotes around", "\"Đặng Thị Mỹ Duyên\"", "Đặng Thị Mỹ Duyên", ["NAME_PUNCT_REMOVED"])
add("parenthesis note", "Bùi Quang Huy (con)", "Bùi Quang Huy", ["NAME_PUNCT_REMOVED"])
add("asterisk", "*Đỗ Thị Ngọc Trâm", "Đỗ Thị Ngọc Trâm", ["NAME_PUNCT_REMOVED"])
add("slash", "Hồ Văn/Phước", "Hồ Văn Phước", ["NAME_PUNCT_REMOVED"])
add("initial with period", "Nguyễn T. Hà", "Nguyễn T. Hà", ["NAME_INITIAL"])
add("initial without period", "Trần V Nam", "Trần V. Nam", ["NAME_INITIAL"])
add("two initials", "Lê T. T. Hương", "Lê T. T. Hương", ["NAME_INITIAL"])
add("initial in capitals", "PHẠM V. ĐỒNG", "Phạm V. Đồng", ["NAME_ALL_CAPS", "NAME_INITIAL"])
add("initial, no diacritics", "nguyen t. hoa", "Nguyen T. Hoa", ["NAME_NO_DIACRITICS", "NAME_INITIAL"])
add("lower-case initial", "Hoàng m. Tuấn", "Hoàng M. Tuấn", ["NAME_INITIAL"])
add("given name typed first (Tên before Họ đệm)", "Trung Trần Huy", "Trần Huy Trung", ["NAME_ORDER_SWAPPED"])
add("given first, two words", "Như Võ", "Võ Như", ["NAME_ORDER_SWAPPED"])
add("given first, four words", "Ly Nguyễn Thị Mỹ", "Nguyễn Thị Mỹ Ly", ["NAME_ORDER_SWAPPED"])
add("given first, no diacritics", "Lan Nguyen", "Nguyen Lan", ["NAME_NO_DIACRITICS", "NAME_ORDER_SWAPPED"])
add("given first, capitals", "THANH TRẦN ĐỨC", "Trần Đức Thanh", ["NAME_ALL_CAPS", "NAME_ORDER_SWAPPED"])
add("middle-given-family", "Văn An Nguyễn", "Nguyễn Văn An", ["NAME_ORDER_SWAPPED"])
add("middle-given-family, Thị", "Thị Hoa Phạm", "Phạm Thị Hoa", ["NAME_ORDER_SWAPPED"])
add("family Mai may be first: kept", "Mai Hồ Ngọc", "Mai Hồ Ngọc", [])
add("Western order with a rare family name: kept", "Thái Văn Vũ", "Thái Văn Vũ", [])
add("two known family names: kept", "Lê Nguyễn Minh Khôi", "Lê Nguyễn Minh Khôi", [])
add("one word", "Hoa", "Hoa", ["NAME_SINGLE_TOKEN"])
add("one word in capitals", "TUẤN", "Tuấn", ["NAME_ALL_CAPS", "NAME_SINGLE_TOKEN"])
add("blank name", "", "", ["NAME_MISSING"])
add("only spaces", "   ", "", ["NAME_MISSING"])
add("only punctuation", "--", "", ["NAME_MISSING"])
NFD = ["Nguyễn Thị Lan", "Trần Văn Hậu", "Lê Thị Hồng Nhung", "Phạm Đức Thắng", "Võ Thị Yến",
       "Đặng Quốc Việt", "Huỳnh Thị Mỹ Lệ", "Bùi Tiến Dũng", "Hồ Thị Ngọc Ánh", "Ngô Văn Sỹ"]
for full in NFD:
    add("decomposed Unicode (Windows-1258 style)", unicodedata.normalize("NFD", full), full, ["NAME_NFD_FIXED"])
TC = ["Nguyễn Văn Phạm", "Trần Thị Thu", "Lê Thị Nhi", "Phạm Quốc Thắng", "Đỗ Thị Hồng",
      "Hoàng Văn Tuấn", "Vũ Đình Sơn", "Đặng Thị Mai", "Bùi Thị Hương", "Dương Văn Mạnh",
      "Ngô Thị Tuyết", "Phan Duy Tuấn"]
for full in TC:
    add("TCVN3 read as Windows-1252", legacy(full, TCVN), full, ["NAME_LEGACY_ENCODING_FIXED"])
add("TCVN3 in capitals", legacy("TRẦN VĂN MẠNH", TCVN), "Trần Văn Mạnh",
    ["NAME_LEGACY_ENCODING_FIXED", "NAME_ALL_CAPS"])
add("TCVN3 in capitals", legacy("NGUYỄN ĐÌNH SƠN", TCVN), "Nguyễn Đình Sơn",
    ["NAME_LEGACY_ENCODING_FIXED", "NAME_ALL_CAPS"])
VN = ["Nguyễn Thị Hồng", "Lê Thị Linh", "Tống Thanh Thư", "Phan Hữu Thắng", "Trần Thị Phượng",
      "Đỗ Thanh Huyền", "Huỳnh Văn Lợi", "Nguyễn Thùy Vy", "Bùi Thị Ngọc", "Võ Văn Kiệt",
      "Lý Thị Diễm", "Đào Duy Từ"]
for full in VN:
    add("VNI-Windows read as Windows-1252", legacy(full, VNI), full, ["NAME_LEGACY_ENCODING_FIXED"])
add("VNI in capitals", legacy("LÊ THỊ PHƯỢNG", VNI), "Lê Thị Phượng", ["NAME_LEGACY_ENCODING_FIXED", "NAME_ALL_CAPS"])
add("VNI family name (as in some name lists), rest Unicode", legacy("Đỗ", VNI) + " Thanh Huyền",
    "Đỗ Thanh Huyền", ["NAME_LEGACY_ENCODING_FIXED"])
add("VNI with a typo: repaired, the typo left", "Nguyeãn Tòh Thanh", "Nguyễn Tịh Thanh",
    ["NAME_LEGACY_ENCODING_TYPO"])
add("VNI with a doubled syllable: repaired, the doubling left", "Phan Xuaân Duõuõng", "Phan Xuân Dũũng",
    ["NAME_LEGACY_ENCODING_TYPO"])
add("VNI with a typo in the given name: repaired, the typo left", "Leâ Thò Lihn", "Lê Thị Lihn",
    ["NAME_LEGACY_ENCODING_TYPO"])
add("typo in Unicode is not an encoding problem", "Nguyễn Văn Hoànng", "Nguyễn Văn Hoànng", [])
add("TCVN3 whose letters are all valid Unicode: Vò is no name, Vũ is", "Vò Huy Duy", "Vũ Huy Duy",
    ["NAME_LEGACY_ENCODING_FIXED"])
add("VNI Thò (Thị) in an otherwise plain name", "Phan Thò Nhi", "Phan Thị Nhi", ["NAME_LEGACY_ENCODING_FIXED"])
add("minority family name Lò is not a legacy spelling", "Lò Văn Páo", "Lò Văn Páo", [])
add("ethnic minority name with apostrophe", "H'Hen Niê", "H'Hen Niê", [])
add("ethnic minority name with apostrophe, capitals", "H'HEN NIÊ", "H'Hen Niê", ["NAME_ALL_CAPS"])
add("ethnic minority name", "Y Moan Êban", "Y Moan Êban", [])
add("old-style tone placement kept as typed", "Nguyễn Thị Hòa", "Nguyễn Thị Hòa", [])
add("new-style tone placement kept as typed", "Nguyễn Thị Hoà", "Nguyễn Thị Hoà", [])
add("old-style uy", "Lê Thị Thúy", "Lê Thị Thúy", [])
add("many middle names", "Nguyễn Huỳnh Bảo Ngọc Anh", "Nguyễn Huỳnh Bảo Ngọc Anh", [])
add("capitals and extra spaces", "  LÊ   VĂN   TÁM ", "Lê Văn Tám", ["NAME_ALL_CAPS"])
add("capitals, NFD", unicodedata.normalize("NFD", "TRẦN THỊ NGỌC"), "Trần Thị Ngọc",
    ["NAME_NFD_FIXED", "NAME_ALL_CAPS"])
add("no diacritics, extra spaces, period", " tran  van  nam. ", "Tran Van Nam",
    ["NAME_PUNCT_REMOVED", "NAME_NO_DIACRITICS"])
add("Đ written with the look-alike eth", "Ðặng Văn Lâm", "Đặng Văn Lâm", [])

add("capitals with a double space", "NGUYỄN THỊ  HỒNG NHUNG", "Nguyễn Thị Hồng Nhung", ["NAME_ALL_CAPS"])
add("lower case, diacritics", "nguyễn văn tèo", "Nguyễn Văn Tèo", [])
add("trailing hyphen", "Lê Văn Luyện-", "Lê Văn Luyện", ["NAME_PUNCT_REMOVED"])
add("digit stuck to the given name", "Nguyễn Văn A1", "Nguyễn Văn A", ["NAME_PUNCT_REMOVED"])
add("trailing comma, capitals", "PHẠM VĂN ĐỒNG,", "Phạm Văn Đồng", ["NAME_ALL_CAPS", "NAME_PUNCT_REMOVED"])
for full in ["Lương Thế Vinh", "Hồ Xuân Hương", "Nguyễn Trãi"]:
    add("TCVN3 read as Windows-1252", legacy(full, TCVN), full, ["NAME_LEGACY_ENCODING_FIXED"])
for full in ["Phạm Văn Đồng", "Trương Mỹ Lan", "Nguyễn Thị Định"]:
    add("VNI-Windows read as Windows-1252", legacy(full, VNI), full, ["NAME_LEGACY_ENCODING_FIXED"])
for full in ["Lê Quý Đôn", "Nguyễn Khuyến"]:
    add("decomposed Unicode", unicodedata.normalize("NFD", full), full, ["NAME_NFD_FIXED"])

# ---------------------------------------------------------------- dates of birth
N = "Nguyễn Văn An"
DOB = [
    ("05/03/1980", "1980-03-05", "day", []),
    ("5/03/1980", "1980-03-05", "day", []),
    ("1/1/1990", "1990-01-01", "day", []),
    ("15/8/1945", "1945-08-15", "day", []),
    ("5/3/1980", "1980-03-05", "day", ["DOB_DAY_MONTH_AMBIGUOUS"]),
    ("12/5/1988", "1988-05-12", "day", ["DOB_DAY_MONTH_AMBIGUOUS"]),
    ("05/3/1980", "1980-03-05", "day", []),
    ("25/12/1980", "1980-12-25", "day", []),
    ("25/1/1980", "1980-01-25", "day", []),
    ("12/25/1980", "1980-12-25", "day", []),
    ("2/28/1975", "1975-02-28", "day", []),
    ("1980-03-05", "1980-03-05", "day", []),
    ("1980/03/05", "1980-03-05", "day", []),
    ("1980-3-5", "1980-03-05", "day", []),
    ("05-03-1980", "1980-03-05", "day", []),
    ("5-3-1980", "1980-03-05", "day", []),
    ("05.03.1980", "1980-03-05", "day", []),
    ("5.3.1980", "1980-03-05", "day", []),
    ("05 03 1980", "1980-03-05", "day", []),
    ("05/03/1980 00:00:00", "1980-03-05", "day", []),
    ("1980-03-05 00:00:00", "1980-03-05", "day", []),
    ("1980-03-05T00:00:00", "1980-03-05", "day", []),
    ("05031980", "1980-03-05", "day", []),
    ("19800305", "1980-03-05", "day", []),
    ("050380", "1980-03-05", "day", ["DOB_TWO_DIGIT_YEAR"]),
    ("05/03/80", "1980-03-05", "day", ["DOB_TWO_DIGIT_YEAR"]),
    ("5/3/80", "1980-03-05", "day", ["DOB_TWO_DIGIT_YEAR", "DOB_DAY_MONTH_AMBIGUOUS"]),
    ("15/06/05", "2005-06-15", "day", ["DOB_TWO_DIGIT_YEAR"]),
    ("15/06/25", "1925-06-15", "day", ["DOB_TWO_DIGIT_YEAR"]),
    ("15/05/25", "2025-05-15", "day", ["DOB_TWO_DIGIT_YEAR"]),
    ("15/06/30", "1930-06-15", "day", ["DOB_TWO_DIGIT_YEAR"]),
    ("29221", excel(29221), "day", ["DOB_EXCEL_SERIAL"]),
    ("29285", excel(29285), "day", ["DOB_EXCEL_SERIAL"]),
    ("36526", excel(36526), "day", ["DOB_EXCEL_SERIAL"]),
    ("21916", excel(21916), "day", ["DOB_EXCEL_SERIAL"]),
    ("29285.0", excel(29285), "day", ["DOB_EXCEL_SERIAL"]),
    ("29285.75", excel(29285), "day", ["DOB_EXCEL_SERIAL"]),
    ("1980", "1980", "year", ["DOB_YEAR_ONLY"]),
    ("năm 1980", "1980", "year", ["DOB_YEAR_ONLY"]),
    ("Năm sinh 1975", "1975", "year", ["DOB_YEAR_ONLY"]),
    ("03/1980", "1980-03", "month", ["DOB_MONTH_YEAR_ONLY"]),
    ("3/1980", "1980-03", "month", ["DOB_MONTH_YEAR_ONLY"]),
    ("1980-03", "1980-03", "month", ["DOB_MONTH_YEAR_ONLY"]),
    ("03-1980", "1980-03", "month", ["DOB_MONTH_YEAR_ONLY"]),
    ("tháng 3 năm 1980", "1980-03", "month", ["DOB_MONTH_YEAR_ONLY"]),
    ("ngày 5 tháng 3 năm 1980", "1980-03-05", "day", []),
    ("Ngày 05 tháng 03 năm 1980", "1980-03-05", "day", []),
    ("ngay 5 thang 3 nam 1980", "1980-03-05", "day", []),
    ("NGÀY 25 THÁNG 12 NĂM 1990", "1990-12-25", "day", []),
    ("5 tháng 3 năm 1980", "1980-03-05", "day", []),
    ("ngày 5/3/1980", "1980-03-05", "day", []),
    ("5-Mar-80", "1980-03-05", "day", ["DOB_TWO_DIGIT_YEAR"]),
    ("05-Mar-1980", "1980-03-05", "day", []),
    ("Mar-80", "1980-03", "month", ["DOB_MONTH_YEAR_ONLY", "DOB_TWO_DIGIT_YEAR"]),
    ("  05/03/1980  ", "1980-03-05", "day", []),
    ("'05/03/1980", "1980-03-05", "day", []),
    ("29/02/2000", "2000-02-29", "day", []),
    ("29/02/1996", "1996-02-29", "day", []),
    ("31/12/1999", "1999-12-31", "day", []),
    ("01/01/1900", "1900-01-01", "day", []),
    ("", "", "", ["DOB_MISSING"]),
    ("   ", "", "", ["DOB_MISSING"]),
    ("không rõ", "", "", ["DOB_UNPARSEABLE"]),
    ("x", "", "", ["DOB_UNPARSEABLE"]),
    ("31/02/1980", "", "", ["DOB_UNPARSEABLE"]),
    ("29/02/1900", "", "", ["DOB_UNPARSEABLE"]),
    ("29/02/1999", "", "", ["DOB_UNPARSEABLE"]),
    ("32/01/1980", "", "", ["DOB_UNPARSEABLE"]),
    ("05/13/1980", "1980-05-13", "day", []),
    ("13/13/1980", "", "", ["DOB_UNPARSEABLE"]),
    ("05/03", "", "", ["DOB_UNPARSEABLE"]),
    ("1980-03-05-01", "", "", ["DOB_UNPARSEABLE"]),
    ("60", "", "", ["DOB_UNPARSEABLE"]),
    ("123", "", "", ["DOB_UNPARSEABLE"]),
    ("5a/03/1980", "", "", ["DOB_UNPARSEABLE"]),
    ("-1980-03-05", "", "", ["DOB_UNPARSEABLE"]),
    ("+1980", "", "", ["DOB_UNPARSEABLE"]),
    ("05/03/2030", "2030-03-05", "day", ["DOB_IN_FUTURE"]),
    ("2026", "2026", "year", ["DOB_YEAR_ONLY", "DOB_IN_FUTURE"]),
    ("07/2025", "2025-07", "month", ["DOB_MONTH_YEAR_ONLY", "DOB_IN_FUTURE"]),
    ("05/03/1890", "1890-03-05", "day", ["DOB_IMPLAUSIBLE"]),
    ("1889", "1889", "year", ["DOB_YEAR_ONLY", "DOB_IMPLAUSIBLE"]),
    ("01/06/2025", "2025-06-01", "day", []),
    ("02/06/2025", "2025-06-02", "day", ["DOB_IN_FUTURE"]),
]
for din, dout, prec, rs in DOB:
    add("date of birth: " + (din or "(blank)"), N, N, [], dob_in=din, dob_out=dout, prec=prec, dob_reasons=rs,
        id_year=int(dout[:4]) if dout else 1980)

# ---------------------------------------------------------------- shot dates
SHOTS = [
    ("15/08/2021", "2021-08-15", []),
    ("8/15/2021", "2021-08-15", []),
    ("5/9/2021", "2021-09-05", ["SHOT_DATE_DAY_MONTH_AMBIGUOUS"]),
    ("05/09/2021", "2021-09-05", []),
    ("3/7/2021", "2021-07-03", []),       # 7 March 2021 is before the programme
    ("12/1/2021", "2021-12-01", []),      # 12 January 2021 is before the programme
    ("2/1/2022", "2022-01-02", ["SHOT_DATE_DAY_MONTH_AMBIGUOUS"]),
    ("9/11/2022", "2022-11-09", ["SHOT_DATE_DAY_MONTH_AMBIGUOUS"]),
    ("05/09/21", "2021-09-05", []),
    ("19/10/21", "2021-10-19", []),
    ("2021-10-19", "2021-10-19", []),
    ("2021/10/19", "2021-10-19", []),
    ("19-10-2021", "2021-10-19", []),
    ("19.10.2021", "2021-10-19", []),
    ("19/10/2021 08:30", "2021-10-19", []),
    ("44440", excel(44440), ["SHOT_DATE_EXCEL_SERIAL"]),
    ("44562", excel(44562), ["SHOT_DATE_EXCEL_SERIAL"]),
    ("44440.375", excel(44440), ["SHOT_DATE_EXCEL_SERIAL"]),
    ("09/2021", "2021-09", ["SHOT_DATE_IMPRECISE"]),
    ("2021", "2021", ["SHOT_DATE_IMPRECISE"]),
    ("tháng 9/2021", "2021-09", ["SHOT_DATE_IMPRECISE"]),
    ("ngày 19 tháng 10 năm 2021", "2021-10-19", []),
    ("08/03/2021", "2021-03-08", []),
    ("07/03/2021", "2021-03-07", ["SHOT_DATE_BEFORE_PROGRAMME"]),
    ("01/01/2020", "2020-01-01", ["SHOT_DATE_BEFORE_PROGRAMME"]),
    ("2020", "2020", ["SHOT_DATE_IMPRECISE", "SHOT_DATE_BEFORE_PROGRAMME"]),
    ("01/01/2026", "2026-01-01", ["SHOT_DATE_IN_FUTURE"]),
    ("05/09/2025", "2025-09-05", ["SHOT_DATE_IN_FUTURE"]),
    ("", "", ["SHOT_DATE_MISSING"]),
    ("chưa tiêm", "", ["SHOT_DATE_UNPARSEABLE"]),
    ("31/09/2021", "", ["SHOT_DATE_UNPARSEABLE"]),
    ("19/10", "", ["SHOT_DATE_UNPARSEABLE"]),
    ("-2021-11-22", "", ["SHOT_DATE_UNPARSEABLE"]),
]
for sin, sout, rs in SHOTS:
    add("shot date: " + (sin or "(blank)"), "Trần Thị Bình", "Trần Thị Bình", [], sex_in="Nữ", sex_out="F",
        dob_in="1990-01-02", dob_out="1990-01-02", shot=(sin, (sout, rs)))

# ---------------------------------------------------------------- sex
SEX = [("Nam", "M", []), ("nam", "M", []), ("NAM", "M", []), ("Nữ", "F", []), ("nữ", "F", []),
       ("NỮ", "F", []), ("nu", "F", []), ("Nu", "F", []), ("NU", "F", []), ("M", "M", []), ("m", "M", []),
       ("F", "F", []), ("f", "F", []), ("male", "M", []), ("Male", "M", []), ("female", "F", []),
       ("FEMALE", "F", []), ("1", "M", []), ("0", "F", []), ("2", "F", []), ("trai", "M", []),
       ("gái", "F", []), ("Gai", "F", []), ("Nam giới", "M", []), ("Nữ giới", "F", []), (" Nam ", "M", []),
       (unicodedata.normalize("NFD", "Nữ"), "F", []), ("Nư", "F", []), ("Ông", "M", []), ("Bà", "F", []),
       ("", "", ["SEX_MISSING"]), ("  ", "", ["SEX_MISSING"]), ("N", "", ["SEX_UNRECOGNIZED"]),
       ("x", "", ["SEX_UNRECOGNIZED"]), ("khác", "", ["SEX_UNRECOGNIZED"]), ("3", "", ["SEX_UNRECOGNIZED"]),
       ("Nam/Nữ", "", ["SEX_UNRECOGNIZED"])]
for sin, sout, rs in SEX:
    full = "Lê Hoàng Long" if sout != "F" else "Phạm Thị Thu Hà"
    add("sex: " + (sin or "(blank)"), full, full, [], sex_in=sin, sex_out=sout, sex_reasons=rs)

# ---------------------------------------------------------------- whole messy rows
add("clerk row: capitals, no diacritics, 2-digit year, M", "NGUYEN THI THU HA", "Nguyen Thi Thu Ha",
    ["NAME_ALL_CAPS", "NAME_NO_DIACRITICS"], dob_in="5/3/80", dob_out="1980-03-05",
    dob_reasons=["DOB_TWO_DIGIT_YEAR", "DOB_DAY_MONTH_AMBIGUOUS"], sex_in="nu", sex_out="F")
add("clerk row: TCVN3 name, Excel serial dob", legacy("Lê Thị Nhi", TCVN), "Lê Thị Nhi",
    ["NAME_LEGACY_ENCODING_FIXED"], dob_in="40699", dob_out=excel(40699), dob_reasons=["DOB_EXCEL_SERIAL"],
    sex_in="Nữ", sex_out="F")
add("clerk row: VNI name, year only, blank sex", legacy("Nguyễn Thị Hồng", VNI), "Nguyễn Thị Hồng",
    ["NAME_LEGACY_ENCODING_FIXED"], dob_in="1968", dob_out="1968", prec="year", dob_reasons=["DOB_YEAR_ONLY"],
    sex_in="", sex_out="", sex_reasons=["SEX_MISSING"])
add("clerk row: NFD name, words date", unicodedata.normalize("NFD", "Trần Văn Hậu"), "Trần Văn Hậu",
    ["NAME_NFD_FIXED"], dob_in="ngày 5 tháng 3 năm 1980")
add("clerk row: given first, capitals, dotted date", "HƯƠNG NGUYỄN THỊ", "Nguyễn Thị Hương",
    ["NAME_ALL_CAPS", "NAME_ORDER_SWAPPED"], dob_in="29.10.2003", dob_out="2003-10-29", sex_in="NỮ", sex_out="F")
add("clerk row: initial, month/year", "Nguyễn T. Hà", "Nguyễn T. Hà", ["NAME_INITIAL"], dob_in="03/1980",
    dob_out="1980-03", prec="month", dob_reasons=["DOB_MONTH_YEAR_ONLY"], sex_in="F", sex_out="F")

# ---------------------------------------------------------------- registry rows
# Codes given directly (leading zeros lost by Excel restored); no vaccine, dose
# or shot date, and no reasons for their absence.
def add_registry(note, name, dob, sex, codes_in, codes_out, extra=()):
    counter[0] += 1
    n = counter[0]
    fam, mid, giv = parts(name)
    idn = cccd("079", int(dob[:4]), sex, 200000 + n)
    rows_in.append(["A%03d" % n, note, "", "", name, dob, sex, idn, "09%08d" % (22345678 + n), "", "", "",
                    "", "", "registry"] + list(codes_in))
    rows_exp.append(["A%03d" % n, name, fam, mid, giv, fold(name), dob, "day" if len(dob) == 10 else
                     "month" if len(dob) == 7 else "year", sex, idn, "CCCD", "09%08d" % (22345678 + n)] +
                    list(codes_out) + ["", "", ""] + ["|".join(extra)])


add_registry("registry row, codes as given", "Nguyễn Văn Bình", "1985-07-14", "M", ("79", "760", "26740"),
             ("79", "760", "26740"))
add_registry("registry row, Excel dropped the zeros of the codes", "Trần Thị Cúc", "1962-11-30", "F",
             ("1", "1", "1"), ("01", "001", "00001"))
add_registry("registry row, partial date of birth", "Lê Văn Đức", "1950", "M", ("79", "770", "27151"),
             ("79", "770", "27151"), ["DOB_YEAR_ONLY"])
add_registry("registry row, no district or commune code", "Phạm Thị Hoa", "1999-02", "F", ("48", "", ""),
             ("48", "", ""), ["DOB_MONTH_YEAR_ONLY"])

# ---------------------------------------------------------------- keystrokes with the input method off
# Added after the cases above so that their ids stay. A clerk on an English
# keyboard layout with Unikey switched off types the keys themselves: Telex
# (aa aw ee oo ow uw dd, tone keys s f r x j) or VNI (6 7 8 9, tones 1-5).
TELEX = [
    ("Nguyeenx Vawn Hoaf", "Nguyễn Văn Hòa"),
    ("Traanf Thij Lanh", "Trần Thị Lanh"),
    ("Phamj Ddinhf Tuaans", "Phạm Đình Tuấn"),
    ("Lee Thij Nga", "Lê Thị Nga"),
    ("Ddawngj Thij Myx Duyeen", "Đặng Thị Mỹ Duyên"),
    ("Duwowng Quoocs Baor", "Dương Quốc Bảo"),
    ("Truowngf Vanw Taam", "Trường Văn Tâm"),      # uow for ươ, w after the final
    ("Hoafng Thij Nhw", "Hoàng Thị Như"),          # tone key inside the word, w alone for ư
    ("Vux Thij Hawngf", "Vũ Thị Hằng"),
    ("Ngoo Baor Chaau", "Ngô Bảo Châu"),
    ("Hoaf", "Hòa"),
]
for typed, full in TELEX:
    extra = ["NAME_SINGLE_TOKEN"] if " " not in full else []
    add("Telex keys typed with the input method off", typed, full, ["NAME_TELEX_DECODED"] + extra)
add("Telex keys in capitals", "NGUYEENX THIJ THUYS", "Nguyễn Thị Thúy", ["NAME_TELEX_DECODED", "NAME_ALL_CAPS"])
add("Telex keys, family name typed with the input method on", "Nguyễn Vawn Hoaf", "Nguyễn Văn Hòa",
    ["NAME_TELEX_DECODED"])
add("VNI keys typed with the input method off", "Nguye64n Va8n Hoa2", "Nguyễn Văn Hòa", ["NAME_VNI_KEYS_DECODED"])
add("VNI keys, marks at the end of the word", "Tran62 Thi5 Lan", "Trần Thị Lan", ["NAME_VNI_KEYS_DECODED"])
add("VNI keys", "D9o64 Thi5 Hu7o7ng", "Đỗ Thị Hương", ["NAME_VNI_KEYS_DECODED"], sex_in="Nữ", sex_out="F")
# never touched: names as they stand
add("no keystrokes: no diacritics", "Nguyen Thi Thuy", "Nguyen Thi Thuy", ["NAME_NO_DIACRITICS"])
add("no keystrokes: a given name alone", "Thuy", "Thuy", ["NAME_NO_DIACRITICS", "NAME_SINGLE_TOKEN"])
add("no keystrokes: Nga alone", "Nga", "Nga", ["NAME_SINGLE_TOKEN"])
add("a foreign name with a tone-key letter: kept", "Max Mustermann", "Max Mustermann", [])
add("a doubled tone key types the letter: not decoded", "Nguyeenxx Vawn Hoaf", "Nguyeenxx Vawn Hoaf", [])
# given name first with the middle name dropped: Hòa is also a family name, but Nguyễn is
# nobody's given name, so the order is fixed (8 Dec 2026; before, it was kept as typed and only
# the sorted-words key, which needs every word, could find the person). Without diacritics
# "Nguyen" may be the given name Nguyên: kept.
add("given first, middle dropped: swapped (Nguyễn is no given name)", "Hòa Nguyễn", "Nguyễn Hòa",
    ["NAME_ORDER_SWAPPED"])
add("given first, middle dropped, no diacritics: kept", "Hoa Nguyen", "Hoa Nguyen", ["NAME_NO_DIACRITICS"])
add("given first, middle dropped, not a family name: swapped", "Hùng Trần", "Trần Hùng", ["NAME_ORDER_SWAPPED"])
# a title typed before the name is dropped (Ông is also a family name: kept when no family name follows)
add("a title before the name", "Bà Trần Thị Lan", "Trần Thị Lan", ["NAME_TITLE_REMOVED"], sex_in="Nữ", sex_out="F")
add("a title before the name, capitals", "ÔNG NGUYỄN VĂN HÙNG", "Nguyễn Văn Hùng",
    ["NAME_TITLE_REMOVED", "NAME_ALL_CAPS"])
add("a child's title", "Cháu Lê Minh Khôi", "Lê Minh Khôi", ["NAME_TITLE_REMOVED"])
add("Ông as a family name: kept", "Ông Văn Dũng", "Ông Văn Dũng", [])
add("a title and a family name alone: kept", "Cô Nguyễn", "Cô Nguyễn", [], sex_in="Nữ", sex_out="F")
# VIQR: the marks typed as signs after the vowel
add("VIQR", "Nguye^~n Va(n Hu`ng", "Nguyễn Văn Hùng", ["NAME_VIQR_DECODED"])
add("VIQR, dd and a dot below", "DDa(.ng Thi. Hu+o+ng", "Đặng Thị Hương", ["NAME_VIQR_DECODED"], sex_in="Nữ", sex_out="F")
add("VIQR in capitals with a note", "TRA^`N VA(N AN (con)", "Trần Văn An", ["NAME_VIQR_DECODED", "NAME_ALL_CAPS", "NAME_PUNCT_REMOVED"])
add("no VIQR sign: an initial's period stays", "Nguyen V. An", "Nguyen V. An", ["NAME_NO_DIACRITICS", "NAME_INITIAL"])
# letters a code page had no room for became '?': restored where one known name of the word's place
# fits (Nguy?n: Nguyễn; ??c: Đức), else dropped inside the word, the word kept whole (Th?: Thị or Thế)
add("letters lost to a code page", "Nguy?n V?n Hùng", "Nguyễn Văn Hùng", ["NAME_LETTERS_LOST"])
add("letters lost, one at a word's start", "?inh Th? Lan", "Đinh Th Lan", ["NAME_LETTERS_LOST"], sex_in="Nữ", sex_out="F")
add("a '?' alone is no VIQR", "Tr?n Th? Lan", "Trần Th Lan", ["NAME_LETTERS_LOST"], sex_in="Nữ", sex_out="F")
add("two letters lost in one word: that word not restored", "Ph?m ??c Tu?n", "Phạm C. Tuấn",
    ["NAME_LETTERS_LOST", "NAME_INITIAL"])
add("a lost letter that fits several names: dropped", "Tr?n V?n H?ng", "Trần Văn Hng", ["NAME_LETTERS_LOST"])
# a title in a name typed without marks: Ong, Ba, Co, Bac are read; Chi, Chau, Anh (given names)
# and Cu, Chu, Be (family names) are kept; a title without marks before a name with them is kept
add("a title without marks, capitals", "ONG NGUYEN VAN HUNG", "Nguyen Van Hung",
    ["NAME_TITLE_REMOVED", "NAME_ALL_CAPS", "NAME_NO_DIACRITICS"])
add("a title without marks", "Ba Tran Thi Lan", "Tran Thi Lan", ["NAME_TITLE_REMOVED", "NAME_NO_DIACRITICS"],
    sex_in="Nữ", sex_out="F")
add("Chu without marks is a family name: kept", "Chu Nguyen Van Nam", "Chu Nguyen Van Nam", ["NAME_NO_DIACRITICS"])
add("a title without marks before a name with them: kept", "Ba Nguyễn Thị Lan", "Ba Nguyễn Thị Lan", [],
    sex_in="Nữ", sex_out="F")
add("VNI with typos in two words: flagged, kept as typed", "Nguyeãn Tòh Lihn", "Nguyeãn Tòh Lihn",
    ["NAME_LEGACY_ENCODING_SUSPECT"])


with open(os.path.join(HERE, "input.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(IN)
    w.writerows(rows_in)
with open(os.path.join(HERE, "expected.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["case_id"] + STD)
    w.writerows(rows_exp)
print("%d cases" % len(rows_in))

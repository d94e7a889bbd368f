#!/usr/bin/env python3
"""make_corpus.py DIR - writes the hostile shot-file corpus into DIR.

Each case is DIR/NAME.csv with a sidecar DIR/NAME.json:
  check_rc, run_rc   expected exit codes of `vaxsync check` and `vaxsync run`
  rejects            [[line, REASON], ...] rows rejected (reported by both commands)
  file_reason        REASON of a refused file (no rows read), or null
  good               [[facility_code, record_id], ...] exactly the current records stored
  stored_reasons     {"FAC/RID": [REASON, ...]} reasons a stored record must carry
  known_bug          present when the program disagrees with docs/file-formats.md;
                     run_corpus.sh then skips the case and prints the text

Expectations follow docs/file-formats.md, docs/exit-codes.md and docs/reason-codes.md.
Deterministic; every name, date and id here is invented. Big inputs (10 MB field,
100k columns) are generated here, never committed.
"""
import json
import os
import sys
import unicodedata

HEADER = ["record_id", "facility_code", "full_name", "dob", "sex", "id_number", "phone",
          "address", "vaccine", "lot", "dose", "shot_date"]
VI_HEADER = ["Mã bản ghi", "Mã cơ sở tiêm", "Họ và tên", "Ngày sinh", "Giới tính", "Số CMND/CCCD",
             "Số điện thoại", "Địa chỉ", "Tên vắc xin", "Số lô", "Mũi tiêm", "Ngày tiêm"]
NAMES = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cúc", "Phạm Minh Dũng", "Võ Thị Én",
         "Đặng Quốc Hưng", "Bùi Thị Lụa", "Đỗ Văn Mạnh"]
REFDATA = os.environ.get("VAXSYNC_REFDATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")

CASES = []


def row(rid, fac="F01", i=0, **kw):
    v = {"record_id": rid, "facility_code": fac, "full_name": NAMES[i % len(NAMES)],
         "dob": "12/03/1985", "sex": "Nam" if i % 2 == 0 else "Nữ",
         "id_number": "001085012345" if i % 2 == 0 else "001190023456",
         "phone": "0912345678", "address": "Phường Phúc Xá, Quận Ba Đình, Hà Nội",
         "vaccine": "Pfizer", "lot": "PF%03d" % i, "dose": str(1 + i % 3), "shot_date": "2021-11-22"}
    v.update(kw)
    return v


def line(values, d=","):
    out = []
    for s in values:
        if any(c in s for c in (d, '"', "\n", "\r")):
            s = '"' + s.replace('"', '""') + '"'
        out.append(s)
    return d.join(out)


def rows_text(rows, d=",", header=HEADER, eol="\n"):
    lines = [line(header, d)] + [line([r.get(h, "") for h in HEADER], d) for r in rows]
    return eol.join(lines) + eol


def good_rows(n, fac="F01", start=1):
    return [row("R%d" % (start + k), fac, k) for k in range(n)]


def keys(rows):
    return [[r["facility_code"].strip(), r["record_id"].strip()] for r in rows]


def case(name, data, good=(), rejects=(), file_reason=None, check_rc=None, run_rc=None,
         stored_reasons=None, known_bug=None):
    if isinstance(data, str):
        data = data.encode("utf-8")
    bad = bool(rejects) or file_reason is not None
    exp = {"name": name, "check_rc": (1 if bad else 0) if check_rc is None else check_rc,
           "run_rc": (1 if bad else 0) if run_rc is None else run_rc,
           "rejects": [list(x) for x in rejects], "file_reason": file_reason,
           "good": sorted([list(k) for k in good]), "stored_reasons": stored_reasons or {}}
    if known_bug:
        exp["known_bug"] = known_bug
    CASES.append((name, data, exp))


def refused(name, data, reason, **kw):
    case(name, data, good=(), file_reason=reason, **kw)


# ---------- encodings ----------
def load_table(fname):
    t = {}
    import csv
    with open(os.path.join(REFDATA, fname), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            t[r["unicode_char"]] = bytes.fromhex(r["bytes_hex"])
    return t


def enc_table(s, t):
    out = b""
    for ch in s:
        if ch in t:
            out += t[ch]
        elif ch.lower() in t:
            out += t[ch.lower()]
        else:
            out += ch.encode("ascii")
    return out


def enc_cp1258(s):
    out = b""
    for ch in s:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        tones = [c for c in d if c in "\u0300\u0301\u0303\u0309\u0323"]
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
        out += base.encode("cp1258") + tones[0].encode("cp1258")
    return out


def decodable(b):
    """A row as the docs read it: UTF-8, else Windows-1258, else not text."""
    for codec in ("utf-8", "cp1258"):
        try:
            b.decode(codec)
            return True
        except UnicodeDecodeError:
            pass
    return False


def by_bytes(name, data):
    """A case whose rows (one a line after the header, keys F01/R<n>) are kept when
    they decode as UTF-8 or Windows-1258 and else rejected CSV_INVALID_UTF8
    (Windows-1258 leaves 0x81 0x8A 0x8D-0x90 0x9A 0x9D 0x9E undefined, and the
    UTF-8 of Vietnamese letters uses some of them: Đ is C4 90, ờ is E1 BB 9D)."""
    good, rejects = [], []
    for n, ln in enumerate(data.split(b"\n")[1:], start=2):
        if not ln:
            continue
        if decodable(ln):
            good.append(["F01", ln.split(b",")[0].decode()])
        else:
            rejects.append((n, "CSV_INVALID_UTF8"))
    case(name, data, good=good, rejects=rejects)


def build():
    g3 = good_rows(3)
    base = rows_text(g3)
    hdr = line(HEADER) + "\n"

    # ---- empty and near-empty ----
    refused("empty", b"", "CSV_EMPTY_FILE")
    refused("bom_only", b"\xef\xbb\xbf", "CSV_EMPTY_FILE")
    refused("newlines_only", b"\n\r\n\n\r", "CSV_EMPTY_FILE")
    case("header_only", hdr, file_reason="CSV_NO_RECORDS")
    case("header_only_crlf_blank_lines", line(HEADER) + "\r\n\r\n\r\n", file_reason="CSV_NO_RECORDS")
    case("clean", base, good=keys(g3))

    # ---- BOMs ----
    case("utf8_bom", b"\xef\xbb\xbf" + base.encode(), good=keys(g3))
    lines = base.split("\n")
    lines[2] = "\ufeff" + lines[2]
    case("bom_start_of_row", "\n".join(lines), good=keys(g3))
    r = row("R2", i=1, full_name="Trần Thị\ufeff Bích")
    case("bom_inside_field", rows_text([g3[0], r, g3[2]]), good=keys(g3))
    g2 = good_rows(2, start=10)
    joined = b"\xef\xbb\xbf" + base.encode() + b"\xef\xbb\xbf" + rows_text(g2).encode()
    case("two_files_joined_bom", joined, good=keys(g3) + keys(g2), rejects=[(5, "CSV_REPEATED_HEADER")])
    joined = base + rows_text(g2)
    case("two_exports_concatenated", joined, good=keys(g3) + keys(g2), rejects=[(5, "CSV_REPEATED_HEADER")])
    joined = base + line([h.upper() + " " for h in HEADER]) + "\n" + rows_text(g2).split("\n", 1)[1]
    case("repeated_header_case_spaces", joined, good=keys(g3) + keys(g2),
         rejects=[(5, "CSV_REPEATED_HEADER")])
    joined = base + rows_text(g2, header=VI_HEADER)
    case("concatenated_vi_then_en_header", joined, good=keys(g3) + keys(g2),
         rejects=[(5, "CSV_REPEATED_HEADER")])

    # ---- UTF-16 / UTF-32 ----
    for nm, codec, bom in [("utf16le_bom", "utf-16-le", b"\xff\xfe"), ("utf16be_bom", "utf-16-be", b"\xfe\xff"),
                           ("utf16le_nobom", "utf-16-le", b""), ("utf16be_nobom", "utf-16-be", b""),
                           ("utf32le_bom", "utf-32-le", b"\xff\xfe\x00\x00"),
                           ("utf32be_bom", "utf-32-be", b"\x00\x00\xfe\xff")]:
        case(nm, bom + base.encode(codec), good=keys(g3))
    case("utf16le_bom_crlf", b"\xff\xfe" + rows_text(g3, eol="\r\n").encode("utf-16-le"), good=keys(g3))
    # a lone surrogate in one row: that row is not text, the others are
    data = b"\xff\xfe" + base.encode("utf-16-le")
    lone = "R2,F01,".encode("utf-16-le")
    pos = data.index(lone) + len(lone)
    data = data[:pos] + b"\x00\xd8" + data[pos:]
    case("utf16le_lone_surrogate", data, good=[["F01", "R1"], ["F01", "R3"]], rejects=[(3, "CSV_INVALID_UTF8")])

    # ---- invalid UTF-8 and Windows-1258 ----
    b = base.encode().replace("Trần Thị Bích".encode(), b"Tr\xc3\x28n Th\xe1 B\xedch")
    by_bytes("invalid_utf8_in_utf8_row", b)
    # the same bytes in a row that is otherwise ASCII: decoded as Windows-1258
    r2 = line([row("R2", i=1, full_name="Tr@n", address="Phuong Phuc Xa, Ha Noi")[h] for h in HEADER])
    r2 = r2.encode().replace(b"Tr@n", b"Tr\xc3\x28n Th\xe1 B\xedch")
    b = (line(HEADER) + "\n" + line([g3[0][h] for h in HEADER]) + "\n").encode() + r2 + b"\n" + \
        (line([g3[2][h] for h in HEADER]) + "\n").encode()
    case("invalid_utf8_ascii_row_as_cp1258", b, good=keys(g3),
         stored_reasons={"F01/R2": ["CSV_CP1258_DECODED"]})
    b = base.encode().replace("Trần Thị Bích".encode(), b"Tr\xe2\x82n")  # truncated sequence
    by_bytes("truncated_utf8_sequence", b)
    rows_cp = base.split("\n")
    rows_cp[2] = enc_cp1258(rows_cp[2]).decode("latin-1")
    case("cp1258_one_row", "\n".join(rows_cp).encode("latin-1") if False else
         ("\n".join(base.split("\n")[:2]) + "\n").encode() + enc_cp1258(base.split("\n")[2]) + b"\n" +
         ("\n".join(base.split("\n")[3:])).encode(), good=keys(g3),
         stored_reasons={"F01/R2": ["CSV_CP1258_DECODED"]})
    vi_all = rows_text(good_rows(4), header=VI_HEADER)
    case("cp1258_whole_file_vi_header", enc_cp1258(vi_all), good=keys(good_rows(4)))
    case("cp1258_crlf_semicolon", enc_cp1258(rows_text(g3, d=";", eol="\r\n")), good=keys(g3))
    # bytes Windows-1258 does not define either: the row cannot be decoded
    b = base.encode().replace("Trần Thị Bích".encode(), b"Tr\x81\x8d\x8f\x90n")
    case("undecodable_bytes_row", b, good=[["F01", "R1"], ["F01", "R3"]], rejects=[(3, "CSV_INVALID_UTF8")])

    # ---- a report's title and notes above the header ----
    title = ("DANH SÁCH NGƯỜI ĐÃ TIÊM VẮC XIN COVID-19,,,,,,,,,,,\n"
             "Trạm Y tế xã Phúc Xá - tháng 11/2021,,,,,,,,,,,\n,,,,,,,,,,,\n")
    case("title_rows_above_header", title + rows_text(g3, header=VI_HEADER), good=keys(g3),
         rejects=[(1, "CSV_ROW_BEFORE_HEADER"), (2, "CSV_ROW_BEFORE_HEADER")])
    case("title_line_no_delimiter", "Danh sach tiem chung\n" + base, good=keys(g3),
         rejects=[(1, "CSV_ROW_BEFORE_HEADER")])
    # a row numbering the columns under the header, as report templates have
    nums = base.split("\n")
    nums.insert(1, ",".join("(%d)" % k for k in range(1, len(HEADER) + 1)))
    case("column_numbers_row", "\n".join(nums), good=keys(g3), rejects=[(2, "CSV_COLUMN_NUMBERS_ROW")])
    nums[1] = ",".join(str(k) for k in range(1, 6)) + "," * (len(HEADER) - 5)
    case("column_numbers_row_plain", "\n".join(nums), good=keys(g3), rejects=[(2, "CSV_COLUMN_NUMBERS_ROW")])
    # more than ten rows above: the first row's missing columns refuse the file, as before
    refused("title_rows_too_many", "".join("ghi chu %d\n" % k for k in range(11)) + base,
            "CSV_MISSING_COLUMN")

    # ---- UTF-8 read in a Western code page and saved again (valid UTF-8, garbled text) ----
    def misread(t, strict=False):
        out = []
        for byte in t.encode("utf-8"):
            try:
                out.append(bytes([byte]).decode("cp1252"))
            except UnicodeDecodeError:  # the five bytes 1252 lacks: C1 controls, or U+FFFD
                out.append("\ufffd" if strict else chr(byte))
        return "".join(out)
    g4 = good_rows(4)
    case("utf8_misread_whole_file_vi_header", misread(rows_text(g4, header=VI_HEADER)).encode(),
         good=keys(g4), stored_reasons={"F01/R%d" % k: ["TEXT_UTF8_MISREAD_DECODED"] for k in range(1, 5)})
    rows_m = base.split("\n")
    rows_m[2] = misread(rows_m[2], strict=True)
    case("utf8_misread_strict_one_row", "\n".join(rows_m).encode(), good=keys(g3),
         stored_reasons={"F01/R2": ["TEXT_UTF8_MISREAD_DECODED"]})

    # ---- legacy font encodings (whole file) ----
    tc, vn = load_table("legacy_tcvn3.csv"), load_table("legacy_vni.csv")
    text = rows_text(good_rows(5), header=VI_HEADER)
    refused("tcvn3_whole_file", enc_table(text, tc), "CSV_LEGACY_FILE_ENCODING")
    refused("vni_whole_file", enc_table(text, vn), "CSV_LEGACY_FILE_ENCODING")
    text = rows_text(good_rows(5))
    refused("tcvn3_names_only_en_header", enc_table(text, tc), "CSV_LEGACY_FILE_ENCODING")
    refused("vni_names_only_en_header", enc_table(text, vn), "CSV_LEGACY_FILE_ENCODING")

    # ---- NUL bytes ----
    b = base.encode().replace(b"R2,F01,", b"R2,F0\x001,")
    case("nul_in_key", b, good=keys(g3), stored_reasons={"F01/R2": ["CSV_NUL_REMOVED"]})
    b = base.encode().replace("Lê Hoàng Cúc".encode(), "Lê\x00\x00 Hoàng Cúc".encode())
    case("nul_in_name", b, good=keys(g3), stored_reasons={"F01/R3": ["CSV_NUL_REMOVED"]})
    refused("nul_only", b"\x00" * 4096, "CSV_NOT_TEXT")
    refused("nul_only_small", b"\x00", "CSV_NOT_TEXT")

    # ---- line ends ----
    case("crlf", rows_text(g3, eol="\r\n"), good=keys(g3))
    case("cr_only", rows_text(g3, eol="\r"), good=keys(g3))
    mixed = line(HEADER) + "\r\n" + line([g3[0][h] for h in HEADER]) + "\r" + \
        line([g3[1][h] for h in HEADER]) + "\n" + line([g3[2][h] for h in HEADER]) + "\r\n"
    case("mixed_eol", mixed, good=keys(g3))
    case("no_final_newline", base.rstrip("\n"), good=keys(g3))
    case("lf_cr_lf_blank_lines", base.replace("\n", "\n\r\n\n", 2), good=keys(g3))
    b = base.split("\n")
    case("blank_lines_between", "\n".join([b[0], "", b[1], "", "", b[2], b[3], "", ""]), good=keys(g3))
    case("delimiter_only_rows", base + ",,,,,,,,,,,\n,,,,,,,,,,,\n", good=keys(g3),
         rejects=[(5, "CSV_RECORD_KEY_MISSING"), (6, "CSV_RECORD_KEY_MISSING")])

    # ---- quotes ----
    case("unclosed_quote_at_eof", base + 'R9,F01,"Đỗ Văn Mạnh,12/03/1985,Nam\n', good=keys(g3),
         rejects=[(5, "CSV_UNCLOSED_QUOTE")])
    case("unclosed_quote_eof_no_newline", base + 'R9,F01,"Đỗ Văn', good=keys(g3),
         rejects=[(5, "CSV_UNCLOSED_QUOTE")])
    g6 = good_rows(6)
    lines = rows_text(g6).split("\n")
    lines[2] = 'R2,F01,"Trần Thị Bích,01/02/1990,Nữ,001190023456,0912345678,Hà Nội,Pfizer,P1,2,2021-11-22'
    g6q = [dict(x) for x in g6]
    g6q[4]["address"] = "Số 5, ngõ 3, Hà Nội"  # quoted field later in the file
    lines[5] = line([g6q[4][h] for h in HEADER])
    case("stray_quote_mid_file", "\n".join(lines), good=[k for k in keys(g6) if k[1] != "R2"],
         rejects=[(3, "CSV_STRAY_QUOTE")])
    lines = rows_text(g6).split("\n")
    lines[3] = lines[3].replace("Lê Hoàng Cúc", 'Lê "Hoàng" Cúc')
    case("quote_inside_unquoted_field", "\n".join(lines), good=keys(g6))
    lines = rows_text(g6).split("\n")
    lines[2] = lines[2].replace("Trần Thị Bích", '"Trần Thị Bích')
    lines[4] = lines[4].replace("Phạm Minh Dũng", '"Phạm Minh Dũng')
    # each stray quote closes at the quoted address on its own line: the row is read,
    # with fewer fields, and flagged CSV_RAGGED_ROW (docs: a ragged row is read)
    case("two_stray_quotes_closed_on_line", "\n".join(lines), good=keys(g6))
    lines = rows_text(g3).split("\n")
    g3m = [dict(x) for x in g3]
    g3m[1]["address"] = "Số 7\nngõ 9\r\nHà Nội"
    case("multiline_quoted_address", rows_text(g3m), good=keys(g3))
    lines = rows_text(g6).split("\n")
    lines[2] = lines[2].replace("Trần Thị Bích", '"Trần Thị Bích"x')
    case("text_after_closing_quote", "\n".join(lines), good=keys(g6))

    # ---- caps ----
    big = row("R2", i=1, address="A" * (10 * 1024 * 1024))
    case("field_10mb", rows_text([g3[0], big, g3[2]]), good=[["F01", "R1"], ["F01", "R3"]],
         rejects=[(3, "CSV_FIELD_TOO_LONG")])
    big = row("R2", i=1, address="Z" * (20 * 1024 * 1024))
    case("line_20mb", rows_text([g3[0], big, g3[2]]), good=[["F01", "R1"], ["F01", "R3"]],
         rejects=[(3, "CSV_FIELD_TOO_LONG")])
    # over 16 MiB with no field over its cap: many fields of 100 KiB (the field count is fine)
    big = row("R2", i=1, address=",".join(["W" * (100 * 1024)] * 200))
    case("line_20mb_row_cap", rows_text([g3[0], big, g3[2]]).replace('"', ""),
         good=[["F01", "R1"], ["F01", "R3"]], rejects=[(3, "CSV_ROW_TOO_LONG")])
    big = row("R2", i=1, address="Z" * (20 * 1024 * 1024))
    case("line_20mb_crlf_last", rows_text([g3[0], g3[2], big], eol="\r\n"),
         good=[["F01", "R1"], ["F01", "R3"]], rejects=[(4, "CSV_FIELD_TOO_LONG")])
    big = row("R2", i=1, address="B" * (2 * 1024 * 1024))
    case("field_2mb", rows_text([g3[0], big, g3[2]]), good=[["F01", "R1"], ["F01", "R3"]],
         rejects=[(3, "CSV_FIELD_TOO_LONG")])
    big = row("R2", i=1, address='"' + "C" * (1024 * 1024 + 10) + '"')
    case("field_quoted_over_1mib", rows_text([g3[0], big, g3[2]]), good=[["F01", "R1"], ["F01", "R3"]],
         rejects=[(3, "CSV_FIELD_TOO_LONG")])
    wide = row("R2", i=1, address="D" * 900000, lot="E" * 900000, vaccine="F" * 900000,
               phone="G" * 900000, full_name="H" * 900000)
    case("row_over_4mib", rows_text([g3[0], wide, g3[2]]), good=[["F01", "R1"], ["F01", "R3"]],
         rejects=[(3, "CSV_ROW_TOO_LONG")])
    r64 = row("R2", i=1, address="Hà Nội " + "x" * (70 * 1024))
    # a record's fields hold at most 64 KiB together (docs/file-formats.md): that row is
    # rejected, one by one, never the run
    case("row_over_64kib", rows_text([g3[0], r64, g3[2]]), good=[["F01", "R1"], ["F01", "R3"]],
         rejects=[(3, "CSV_ROW_TOO_LONG")])
    r60 = row("R2", i=1, address="Hà Nội " + "y" * (60 * 1024))
    case("row_60kib_kept", rows_text([g3[0], r60, g3[2]]), good=keys(g3))
    many = base + "R9,F01,Đỗ Văn Mạnh" + ",x" * 100000 + "\n" + "R10,F01,Võ Thị Én\n"
    case("100k_columns_row", many, good=keys(g3) + [["F01", "R10"]], rejects=[(5, "CSV_TOO_MANY_FIELDS")])
    case("1025_columns_row", base + "R9,F01,A B" + ",x" * 1022 + "\n",
         good=keys(g3), rejects=[(5, "CSV_TOO_MANY_FIELDS")])
    case("1024_columns_row_kept", base + "R9,F01,Đỗ Văn Mạnh" + ",x" * 1021 + "\n",
         good=keys(g3) + [["F01", "R9"]])
    refused("100k_columns_header", ",".join(HEADER + ["c%d" % k for k in range(100000)]) + "\n" +
            line([g3[0][h] for h in HEADER]) + "\n", "CSV_TOO_MANY_FIELDS")

    # ---- columns ----
    for col in ("record_id", "facility_code", "full_name"):
        h = [x for x in HEADER if x != col]
        rs = [[r[x] for x in h] for r in g3]
        refused("missing_" + col, "\n".join([line(h)] + [line(x) for x in rs]) + "\n", "CSV_MISSING_COLUMN")
        h = HEADER + [col]
        rs = [[r[x] for x in h] for r in g3]
        refused("duplicate_" + col, "\n".join([line(h)] + [line(x) for x in rs]) + "\n",
                "CSV_DUPLICATE_COLUMN")
    h = HEADER[:11] + ["Ngày tiêm"]
    h[3] = "Ngày sinh"
    h.append("dob")
    rs = [[r.get(x, r["dob"]) for x in HEADER] + [r["dob"]] for r in g3]
    refused("duplicate_dob_alias", "\n".join([line(h)] + [line(x) for x in rs]) + "\n", "CSV_DUPLICATE_COLUMN")
    refused("missing_all_required", "dob,sex\n12/03/1985,Nam\n", "CSV_MISSING_COLUMN")
    h3 = ["full_name", "facility_code", "record_id"]
    case("only_required_reordered", "\n".join([line(h3)] + [line([r[x] for x in h3]) for r in g3]) + "\n",
         good=keys(g3))
    hx = ["note"] + HEADER + ["extra col"]
    case("unknown_columns_kept", "\n".join([line(hx)] + [line(["n"] + [r[x] for x in HEADER] + ["e"])
                                                           for r in g3]) + "\n", good=keys(g3))
    case("vi_header_aliases", rows_text(g3, header=VI_HEADER), good=keys(g3))
    vi2 = ["STT", "Mã CSTC", "Họ tên", "NS", "GT", "CCCD", "SĐT", "Nơi ở", "Vaccine", "Lô", "Mũi", "Ngày tiêm chủng"]
    case("vi_header_short_aliases", rows_text(g3, header=vi2), good=keys(g3))
    vi3 = [unicodedata.normalize("NFD", x.upper()) for x in VI_HEADER]
    case("vi_header_upper_nfd", rows_text(g3, header=vi3), good=keys(g3))
    vi4 = ["  " + x + " " for x in ["Mã hồ sơ", "Mã đơn vị", "Họ và tên người tiêm"]]
    case("vi_header_padded", "\n".join([line(vi4)] + [line([r["record_id"], r["facility_code"], r["full_name"]])
                                                       for r in g3]) + "\n", good=keys(g3))
    case("header_quoted", '"' + '","'.join(HEADER) + '"\n' + base.split("\n", 1)[1], good=keys(g3))

    # ---- delimiters ----
    case("semicolon", rows_text(g3, d=";"), good=keys(g3))
    case("tab", rows_text(g3, d="\t"), good=keys(g3))
    g3c = [dict(x) for x in g3]
    for x in g3c:
        x["address"] = "Phường Phúc Xá; Ba Đình, Hà Nội"
    case("semicolon_with_commas_in_fields", rows_text(g3c, d=";"), good=keys(g3))
    case("tab_crlf_vi_header", rows_text(g3, d="\t", header=VI_HEADER, eol="\r\n"), good=keys(g3))

    # ---- keys ----
    case("duplicate_key_in_file", base + line([g3[0][h] for h in HEADER]) + "\n", good=keys(g3),
         rejects=[(5, "CSV_DUPLICATE_RECORD")])
    dup = dict(g3[1], record_id=" R2  ", full_name="Đỗ Văn Mạnh")
    case("duplicate_key_trailing_spaces", base + line([dup[h] for h in HEADER]) + "\n", good=keys(g3),
         rejects=[(5, "CSV_DUPLICATE_RECORD")])
    dup = dict(g3[1], facility_code="F02")
    case("same_record_id_other_facility", base + line([dup[h] for h in HEADER]) + "\n",
         good=keys(g3) + [["F02", "R2"]])
    many = good_rows(3) + [row("R1", i=4, full_name="Võ Thị Én")] * 3
    case("triplicate_key", rows_text(many), good=keys(g3),
         rejects=[(5, "CSV_DUPLICATE_RECORD"), (6, "CSV_DUPLICATE_RECORD"), (7, "CSV_DUPLICATE_RECORD")])
    case("key_trailing_spaces", rows_text([row(" R1 ", " F01\t", 0), row("R2  ", "F01  ", 1)]),
         good=[["F01", "R1"], ["F01", "R2"]])
    rid63 = "R" + "9" * 62
    rid64 = "R" + "9" * 63
    case("record_id_63_bytes", rows_text([row(rid63), row("R2", i=1)]), good=[["F01", rid63], ["F01", "R2"]])
    case("record_id_64_bytes", rows_text([row(rid64), row("R2", i=1)]), good=[["F01", "R2"]],
         rejects=[(2, "CSV_KEY_TOO_LONG")])
    case("record_id_1000_bytes", rows_text([row("R" * 1000), row("R2", i=1)]), good=[["F01", "R2"]],
         rejects=[(2, "CSV_KEY_TOO_LONG")])
    rid_vi = "Đ" * 31 + "a"  # 63 bytes of UTF-8
    case("record_id_63_bytes_multibyte", rows_text([row(rid_vi), row("R2", i=1)]),
         good=[["F01", rid_vi], ["F01", "R2"]])
    rid_vi = "Đ" * 32  # 64 bytes
    case("record_id_64_bytes_multibyte", rows_text([row(rid_vi), row("R2", i=1)]), good=[["F01", "R2"]],
         rejects=[(2, "CSV_KEY_TOO_LONG")])
    case("record_id_63_plus_spaces", rows_text([row("  " + rid63 + "  "), row("R2", i=1)]),
         good=[["F01", rid63], ["F01", "R2"]])
    f31, f32 = "F" * 31, "F" * 32
    case("facility_31_bytes", rows_text([row("R1", f31), row("R2", i=1)]), good=[[f31, "R1"], ["F01", "R2"]])
    case("facility_32_bytes", rows_text([row("R1", f32), row("R2", i=1)]), good=[["F01", "R2"]],
         rejects=[(2, "CSV_KEY_TOO_LONG")])
    case("both_keys_too_long", rows_text([row(rid64, f32), row("R2", i=1)]), good=[["F01", "R2"]],
         rejects=[(2, "CSV_KEY_TOO_LONG")])
    case("empty_record_id", rows_text([row("R1"), row("", i=1), row("R3", i=2)]),
         good=[["F01", "R1"], ["F01", "R3"]], rejects=[(3, "CSV_RECORD_KEY_MISSING")])
    case("empty_facility", rows_text([row("R1"), row("R2", "", 1), row("R3", i=2)]),
         good=[["F01", "R1"], ["F01", "R3"]], rejects=[(3, "CSV_RECORD_KEY_MISSING")])
    case("empty_both_keys", rows_text([row("R1"), row("", "", 1), row("R3", i=2)]),
         good=[["F01", "R1"], ["F01", "R3"]], rejects=[(3, "CSV_RECORD_KEY_MISSING")])
    case("blank_keys_spaces", rows_text([row("R1"), row("   ", " \t ", 1), row("R3", i=2)]),
         good=[["F01", "R1"], ["F01", "R3"]], rejects=[(3, "CSV_RECORD_KEY_MISSING")])
    case("quoted_empty_keys", base + '"","",Đỗ Văn Mạnh\n', good=keys(g3),
         rejects=[(5, "CSV_RECORD_KEY_MISSING")])
    case("empty_full_name_kept", rows_text([row("R1", full_name=""), row("R2", i=1)]),
         good=[["F01", "R1"], ["F01", "R2"]], stored_reasons={"F01/R1": ["NAME_MISSING"]})

    # ---- out-of-range values: stored, with reasons ----
    for nm, kw, rs in [("dose_minus_2", {"dose": "-2"}, []), ("dose_0", {"dose": "0"}, []),
                       ("dose_15", {"dose": "15"}, []),
                       ("shot_date_negative_year", {"shot_date": "-2021-11-22"}, ["SHOT_DATE_UNPARSEABLE"]),
                       ("shot_date_future", {"shot_date": "2099-01-01"}, ["SHOT_DATE_IN_FUTURE"]),
                       ("shot_date_before_programme", {"shot_date": "2020-01-01"},
                        ["SHOT_DATE_BEFORE_PROGRAMME"]),
                       ("dob_future", {"dob": "01/01/2099"}, ["DOB_IN_FUTURE"]),
                       ("dob_before_1900", {"dob": "01/01/1850"}, ["DOB_IMPLAUSIBLE"]),
                       ("dob_garbage", {"dob": "ngày mai"}, ["DOB_UNPARSEABLE"]),
                       ("id_garbage", {"id_number": "ABC-12"}, []),
                       ("phone_garbage", {"phone": "+84+84+84"}, []),
                       ("all_fields_empty_but_keys", {k: "" for k in HEADER[2:]}, ["NAME_MISSING"])]:
        r1 = row("R1", **kw)
        case(nm, rows_text([r1, row("R2", i=1)]), good=[["F01", "R1"], ["F01", "R2"]],
             stored_reasons={"F01/R1": rs} if rs else None)

    # ---- ragged and truncated ----
    case("ragged_short_row_kept", base + "R9,F01,Đỗ Văn Mạnh,12/03/1985\n", good=keys(g3) + [["F01", "R9"]])
    case("ragged_long_row_kept", base + line([g3[0][h] for h in HEADER]).replace("R1,", "R9,", 1) +
         ",x,y\n", good=keys(g3) + [["F01", "R9"]])
    case("truncated_mid_row", base + "R9,F01,Đỗ V", good=keys(g3) + [["F01", "R9"]])
    case("truncated_after_record_id", base + "R9", good=keys(g3), rejects=[(5, "CSV_RECORD_KEY_MISSING")])
    case("truncated_mid_quote", base + 'R9,F01,"Đỗ Văn Mạnh', good=keys(g3), rejects=[(5, "CSV_UNCLOSED_QUOTE")])
    case("truncated_mid_utf8", base + "R9,F01,Đỗ V\xe1n".encode("utf-8", "surrogateescape").decode("latin-1")
         if False else base.encode() + b"R9,F01,\xc4", good=keys(g3) + [["F01", "R9"]])
    b = base.encode()
    case("truncated_mid_header", b[:30], file_reason="CSV_MISSING_COLUMN")

    # ---- binary files ----
    refused("zip_magic", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "CSV_NOT_TEXT")
    refused("xlsx_like", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml" + b"\x00" * 64,
            "CSV_NOT_TEXT")
    refused("gzip_magic", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(256)) * 4, "CSV_NOT_TEXT")
    refused("pdf_magic", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" +
            b"stream\n" + bytes(range(256)) * 4, "CSV_NOT_TEXT")
    refused("png_magic", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "CSV_NOT_TEXT")
    refused("elf_magic", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "CSV_NOT_TEXT")
    refused("ole2_xls_magic", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4, "CSV_NOT_TEXT")
    refused("random_binary", bytes((k * 7919 + 13) % 256 for k in range(8192)), "CSV_NOT_TEXT")

    # ---- more combinations ----
    case("crlf_with_bom_and_blank_tail", b"\xef\xbb\xbf" + rows_text(g3, eol="\r\n").encode() + b"\r\n\r\n",
         good=keys(g3))
    case("cr_only_quoted_multiline", rows_text(g3m, eol="\r"), good=keys(g3))
    case("header_then_blank_then_rows", base.replace("\n", "\n\n\n", 1), good=keys(g3))
    nfd = [dict(x, full_name=unicodedata.normalize("NFD", x["full_name"])) for x in g3]
    case("nfd_names", rows_text(nfd), good=keys(g3))
    lots = good_rows(500)
    case("500_rows", rows_text(lots), good=keys(lots))
    bad_mix = good_rows(20)
    txt = rows_text(bad_mix).split("\n")
    txt[5] = txt[5].replace("R5,", ",", 1)          # line 6: key missing
    txt[10] = txt[10] + ",x" * 2000                  # line 11: too many fields
    txt[15] = txt[15].replace("F01", "F" * 40, 1)    # line 16: facility too long
    gm = [k for k in keys(bad_mix) if k[1] not in ("R5", "R10", "R15")]
    case("mixed_errors_20_rows", "\n".join(txt), good=gm,
         rejects=[(6, "CSV_RECORD_KEY_MISSING"), (11, "CSV_TOO_MANY_FIELDS"), (16, "CSV_KEY_TOO_LONG")])
    case("control_chars_in_fields", base.replace("Lê Hoàng Cúc", "Lê\x01Hoàng\x1bCúc\x7f"), good=keys(g3))
    case("emoji_and_astral", base.replace("Lê Hoàng Cúc", "Lê Hoàng Cúc 😷𠀋"), good=keys(g3))
    by_bytes("overlong_utf8_slash", base.encode().replace(b"Ph\xc6\xb0\xe1\xbb\x9dng", b"\xc0\xaf"))
    case("zero_width_in_key", rows_text([row("R\u200b1"), row("R2", i=1)]),
         good=[["F01", "R\u200b1"], ["F01", "R2"]])
    case("key_with_quotes_and_commas", rows_text([row('R,"1"'), row("R2", i=1)]),
         good=[["F01", 'R,"1"'], ["F01", "R2"]])
    case("sql_like_key", rows_text([row("R1'); DROP TABLE records;--"), row("R2", i=1)]),
         good=[["F01", "R1'); DROP TABLE records;--"], ["F01", "R2"]])
    case("semicolon_header_comma_rows", line(HEADER, ";") + "\n" + base.split("\n", 1)[1],
         good=(), rejects=[(2, "CSV_RECORD_KEY_MISSING"), (3, "CSV_RECORD_KEY_MISSING"),
                           (4, "CSV_RECORD_KEY_MISSING")])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py DIR")
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    build()
    names = set()
    for name, data, exp in CASES:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(d, name + ".csv"), "wb") as f:
            f.write(data)
        with open(os.path.join(d, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(exp, f, ensure_ascii=False, indent=1)
    print(len(CASES))


if __name__ == "__main__":
    main()

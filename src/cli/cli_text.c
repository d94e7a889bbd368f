/* cli_text.c - the front end's messages for people in Vietnamese: the
 * English text (a printf format) is the key, as in gettext, so a call site
 * reads as the English and the compiler checks its arguments against it
 * (format_arg). Every VS_CLI_T literal of src/cli must be in this table with
 * the same conversions in both languages (test_cli_text checks the sources).
 * Options, codes and file names stay as typed (--lang, CSV_NO_RECORDS). */
#include <string.h>

#include "cli/cli.h"
#include "vaxsync/lang.h"

static const vs_cli_msg msgs[] = {
    /* every command */
    {"vaxsync: %s needs a value\n", "vaxsync: %s cần một giá trị\n"},
    {"vaxsync: --lang takes vi or en\n", "vaxsync: --lang chỉ nhận vi hoặc en\n"},
    {"vaxsync: --threads takes a number from 1 to 1024\n", "vaxsync: --threads nhận một số từ 1 đến 1024\n"},
    {"vaxsync: no reference data: pass --refdata DIR or set VAXSYNC_REFDATA\n",
     "vaxsync: không có dữ liệu tham chiếu: hãy dùng --refdata THƯ_MỤC hoặc đặt biến VAXSYNC_REFDATA\n"},
    {"vaxsync: unknown command '%s'\n", "vaxsync: không có lệnh '%s'\n"},
    {"vaxsync %s: unknown or incomplete option '%s'\n",
     "vaxsync %s: tùy chọn '%s' không hợp lệ hoặc thiếu giá trị\n"},
    {"vaxsync %s: one input file only\n", "vaxsync %s: chỉ nhận một tệp đầu vào\n"},
    {"vaxsync %s: --today takes a date YYYY-MM-DD, not '%s'\n",
     "vaxsync %s: --today cần một ngày dạng YYYY-MM-DD, không phải '%s'\n"},
    {"vaxsync %s: no store at %s (run `vaxsync run` first)\n",
     "vaxsync %s: không có cơ sở dữ liệu ở %s (hãy chạy `vaxsync run` trước)\n"},
    {"vaxsync %s: out of memory\n", "vaxsync %s: hết bộ nhớ\n"},

    /* run */
    {"vaxsync run: --batch takes a number from 1 to 10000000\n",
     "vaxsync run: --batch nhận một số từ 1 đến 10000000\n"},
    {"vaxsync run: --registry and --shots are required\n", "vaxsync run: cần có --registry và --shots\n"},
    {"cannot open the input: %s", "không mở được tệp đầu vào: %s"},
    {"the input is a directory", "đầu vào là một thư mục, không phải một tệp"},
    {"cannot create the output directory: %s", "không tạo được thư mục kết quả: %s"},
    {"the output path is not a directory", "đường dẫn kết quả không phải là một thư mục"},
    {"cannot write into the output directory: %s", "không ghi được vào thư mục kết quả: %s"},
    {"\nDatabase: %s\n", "\nCơ sở dữ liệu: %s\n"},
    {"Links: %s/links.csv\n", "Kết quả ghép: %s/links.csv\n"},
    {"Worklists: %s/worklists/ (for people, in Vietnamese)\n",
     "Danh sách việc cần xử lý: %s/worklists/ (cho cán bộ, bằng tiếng Việt)\n"},
    {"Worklists: %s/worklists/ (for people, in English)\n",
     "Danh sách việc cần xử lý: %s/worklists/ (cho cán bộ, bằng tiếng Anh)\n"},
    {"Worklists: %s/worklists/ (machine layout)\n",
     "Danh sách việc cần xử lý: %s/worklists/ (định dạng cho máy)\n"},
    {"vaxsync run: %llu rows could not be read (registry %llu, shots %llu); they are on the facility "
     "worklists as 'rejected', with file:line:column and reason\n",
     "vaxsync run: %llu dòng không đọc được (dữ liệu dân cư %llu, mũi tiêm %llu); các dòng này có trong "
     "danh sách của cơ sở tiêm chủng, loại việc 'dòng bị loại', kèm tệp:dòng:cột và lý do\n"},

    /* check */
    {"field count differs from the header", "số cột khác với dòng tiêu đề"},
    {"the file has a header but no records", "tệp có dòng tiêu đề nhưng không có bản ghi nào"},
    {"registry", "danh sách dân cư"},
    {"shots", "danh sách mũi tiêm"},
    {"%s: %s workbook, sheet '%s', %llu records read, %llu rejected, %llu ragged\n",
     "%s: %s (bảng tính Excel), trang '%s', đọc được %llu bản ghi, %llu bị loại, %llu lệch số cột\n"},
    {"%s: %s file, delimiter '%s', %llu records read, %llu rejected, %llu ragged, %llu decoded from "
     "Windows-1258, %llu with NUL bytes removed\n",
     "%s: %s (tệp CSV), dấu phân cách '%s', đọc được %llu bản ghi, %llu bị loại, %llu lệch số cột, "
     "%llu giải mã từ Windows-1258, %llu đã bỏ byte NUL\n"},

    /* link */
    {"vaxsync link: --registry and --shots (or --dedup) are required\n",
     "vaxsync link: cần có --registry và --shots (hoặc --dedup)\n"},
    {"vaxsync link: --clusters needs --dedup\n", "vaxsync link: --clusters chỉ dùng được cùng --dedup\n"},
    {"vaxsync link: %llu records: %llu auto, %llu review, %llu unlinked\n",
     "vaxsync link: %llu bản ghi: %llu ghép tự động, %llu cần xác nhận, %llu chưa ghép được\n"},
    {"vaxsync link: %llu of the auto links were placed by another report of the same person "
     "(LINK_SIBLING_REPORT)\n",
     "vaxsync link: %llu bản ghi ghép tự động nhờ báo cáo khác của cùng người (LINK_SIBLING_REPORT)\n"},
    {"vaxsync link: warning: %llu of %llu records (%.1f %%) met no candidate under any blocking rule and "
     "are unlinked without a score; if more of them should link than you expect to be missing, add a rule "
     "on other fields, e.g. a name key such as \"family:soundex\" or \"given:prefix:3\" (docs/linking.md, "
     "Blocking)\n",
     "vaxsync link: cảnh báo: %llu trên %llu bản ghi (%.1f %%) không gặp ứng viên nào theo mọi quy tắc "
     "chặn (blocking) nên chưa được ghép và không được chấm điểm; nếu số bản ghi lẽ ra phải ghép được "
     "trong đó nhiều hơn dự kiến, hãy thêm một quy tắc trên các trường khác, ví dụ khóa tên như "
     "\"family:soundex\" hoặc \"given:prefix:3\" (docs/linking.md, Blocking)\n"},
    {"vaxsync link: %llu rows rejected (%llu of the left file, %llu of the right)\n",
     "vaxsync link: %llu dòng bị loại (%llu của tệp bên trái, %llu của tệp bên phải)\n"},
    {"vaxsync link: warning: %s: %llu of %llu dates of birth are not read as dates (first: '%s') and are "
     "left out of the comparison%s\n",
     "vaxsync link: cảnh báo: %s: %llu trên %llu ngày sinh không đọc được thành ngày (đầu tiên: '%s') "
     "nên không được dùng để so khớp%s\n"},
    /* not a format: the settings' own %d.%m.%Y */
    {"; if they have one form, give it in the settings, e.g. \"formats\": {\"dob\": \"%d.%m.%Y\"} "
     "(docs/linking.md)",
     "; nếu các ngày này cùng một dạng, hãy khai báo dạng đó trong tệp thiết lập, ví dụ \"formats\": "
     "{\"dob\": \"%d.%m.%Y\"} (docs/linking.md)"},

    /* standardize */
    {"cannot write the output", "không ghi được tệp kết quả"},
    {"cannot write the summary: %s", "không ghi được bản tổng hợp: %s"},

    /* worklist */
    {"vaxsync worklist: --format takes csv or xlsx\n", "vaxsync worklist: --format chỉ nhận csv hoặc xlsx\n"},
    {"vaxsync worklist: give exactly one of --facility CODE or --commune CODE\n",
     "vaxsync worklist: cần đúng một trong hai tùy chọn --facility MÃ hoặc --commune MÃ\n"},
    {"vaxsync worklist: an .xlsx worklist needs -o FILE.xlsx\n",
     "vaxsync worklist: danh sách dạng .xlsx cần -o TỆP.xlsx\n"},
    {"vaxsync worklist: --commune-2025 needs --refdata DIR (or VAXSYNC_REFDATA)\n",
     "vaxsync worklist: --commune-2025 cần --refdata THƯ_MỤC (hoặc biến VAXSYNC_REFDATA)\n"},
    {"unknown facility code %s (nothing in the store has it)",
     "không có mã cơ sở tiêm chủng %s (cơ sở dữ liệu không có mục nào mang mã này)"},
    {"unknown commune code %s (nothing in the store has it)",
     "không có mã xã/phường %s (cơ sở dữ liệu không có mục nào mang mã này)"},
    {"vaxsync worklist: %llu items\n", "vaxsync worklist: %llu việc cần xử lý\n"},

    /* train, explain, eval, standardize --settings, audit, reasons */
    {"vaxsync train: bad option '%s'\n", "vaxsync train: tùy chọn '%s' không hợp lệ\n"},
    {"vaxsync train: --registry, --shots and -o are required\n",
     "vaxsync train: cần có --registry, --shots và -o\n"},
    {"vaxsync explain: bad option '%s'\n", "vaxsync explain: tùy chọn '%s' không hợp lệ\n"},
    {"vaxsync explain: one record is named by %zu value(s), one per id column (%s); %d given\n",
     "vaxsync explain: một bản ghi được chỉ bằng %zu giá trị, mỗi cột mã định danh một giá trị (%s); "
     "đã cho %d\n"},
    {"vaxsync explain: --db takes FACILITY RECORD_ID and no input files\n",
     "vaxsync explain: --db cần MÃ_CƠ_SỞ MÃ_BẢN_GHI và không nhận tệp đầu vào nào\n"},
    {"vaxsync explain: --registry and --shots (--left and --right, or --dedup) and the record's ids are "
     "required\n",
     "vaxsync explain: cần có --registry và --shots (--left và --right, hoặc --dedup) cùng mã định danh "
     "của bản ghi\n"},
    {"vaxsync eval: bad option '%s'\n", "vaxsync eval: tùy chọn '%s' không hợp lệ\n"},
    {"vaxsync eval: --clusters needs --settings\n",
     "vaxsync eval: --clusters chỉ dùng được cùng --settings\n"},
    {"vaxsync eval: --truth and --links are required\n", "vaxsync eval: cần có --truth và --links\n"},
    {"vaxsync standardize: bad option '%s'\n", "vaxsync standardize: tùy chọn '%s' không hợp lệ\n"},
    {"vaxsync standardize: --settings, IN.csv and -o OUT.csv are required\n",
     "vaxsync standardize: cần có --settings, VÀO.csv và -o RA.csv\n"},
    {"vaxsync audit: --limit takes a positive count\n", "vaxsync audit: --limit cần một số dương\n"},
    {"vaxsync audit: unknown or incomplete option %s\n",
     "vaxsync audit: tùy chọn %s không hợp lệ hoặc thiếu giá trị\n"},
    {"vaxsync reasons: unknown option '%s'\n", "vaxsync reasons: không có tùy chọn '%s'\n"},

    /* serve */
    {"vaxsync serve: the TLS certificate and key were read again\n",
     "vaxsync serve: đã đọc lại chứng chỉ và khóa TLS\n"},
    {"--listen takes HOST:PORT", "--listen cần dạng MÁY:CỔNG"},
    {"--max-body takes 1024 to 67108864 bytes", "--max-body nhận từ 1024 đến 67108864 byte"},
    {"--max-upload takes at least 1024 bytes", "--max-upload nhận ít nhất 1024 byte"},
    {"--max-conns takes 1 to 100000", "--max-conns nhận từ 1 đến 100000"},
    {"--max-conns-per-ip takes 0 to 100000", "--max-conns-per-ip nhận từ 0 đến 100000"},
    {"--rate takes 0 to 1000000 requests a second", "--rate nhận từ 0 đến 1000000 yêu cầu mỗi giây"},
    {"--timeout takes 1 to 3600 seconds", "--timeout nhận từ 1 đến 3600 giây"},

    /* user */
    {"give the user's NAME", "cần TÊN của người dùng"},
    {"a NAME has 1 to 47 bytes", "TÊN dài từ 1 đến 47 byte"},

    /* review (import and the other subcommands) */
    {"--set takes FIELD=VALUE:", "--set cần dạng TRƯỜNG=GIÁ_TRỊ:"},
    {"the record's key cannot be corrected:", "không sửa được khóa của bản ghi:"},
    {"unknown field in --set:", "--set có trường không hợp lệ:"},
    {"unknown role", "không có vai trò"},
    {"--after takes a record number", "--after cần số thứ tự của một bản ghi"},
    {"--limit takes a positive count", "--limit cần một số dương"},
    {"--today takes YYYY-MM-DD", "--today cần một ngày dạng YYYY-MM-DD"},
    {"unknown or incomplete option", "tùy chọn không hợp lệ hoặc thiếu giá trị:"},
    {"give FACILITY RECORD", "cần MÃ_CƠ_SỞ MÃ_BẢN_GHI"},
    {"a decision needs --as USER", "một quyết định cần --as NGƯỜI_DÙNG"},
    {"list takes exactly one of --facility CODE or --commune CODE",
     "list cần đúng một trong hai tùy chọn --facility MÃ hoặc --commune MÃ"},
    {"show takes FACILITY RECORD", "show cần MÃ_CƠ_SỞ MÃ_BẢN_GHI"},
    {"history takes CITIZEN", "history cần số CCCD của công dân"},
    {"unknown subcommand", "không có lệnh con"},
    {"import takes FILE", "import cần đúng một TỆP"},
    {"import needs --as USER", "import cần --as NGƯỜI_DÙNG"},
    {"%llu rows: %llu applied, %llu refused, %llu without a decision; results in %s\n",
     "%llu dòng: %llu đã áp dụng, %llu bị từ chối, %llu chưa có quyết định; kết quả ghi ở %s\n"},
};

const vs_cli_msg *vs_cli_messages(size_t *count)
{
	*count = sizeof(msgs) / sizeof(msgs[0]);
	return msgs;
}

const char *vs_cli_text_lang(const char *en, vs_lang lang)
{
	if (lang == VS_LANG_EN)
		return en;
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (!strcmp(msgs[i].en, en))
			return msgs[i].vi;
	return en; /* not in the table: test_cli_text fails */
}

const char *vs_cli_text(const char *en)
{
	return vs_cli_text_lang(en, vs_lang_default());
}

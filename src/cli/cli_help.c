/* cli_help.c - each command's --help in Vietnamese, the default language for
 * people (--lang, else the locale). The English help stays beside its command
 * (cmd_<name>.c); this table is keyed by the command's name, so a long help
 * is not written twice. Options, codes, file and column names stay as typed;
 * the placeholders (FILE, DIR) are translated. test_cli checks that every
 * command's help in both languages names the same options, test_cli_text
 * that each text here is valid UTF-8 in NFC and not the English. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/lang.h"

#define COMMON_HELP_VI                                                                                                                   \
	"Tùy chọn chung:\n"                                                                                                           \
	"  --refdata THƯ_MỤC  thư mục dữ liệu tham chiếu (mặc định: $VAXSYNC_REFDATA)\n"                                \
	"  --threads N     số luồng xử lý (mặc định: số CPU)\n"                                                            \
	"  -o, --output TỆP  tệp kết quả (mặc định: đầu ra chuẩn, hoặc như mô tả ở trên)\n"                   \
	"  -q, --quiet     không in tiến độ\n"                                                                                     \
	"  --lang vi|en    ngôn ngữ của văn bản cho người đọc (mặc định: vi; en khi locale là en_*)\n"               \
	"  -h, --help      trợ giúp này\n"                                                                                           \
	"Mã thoát: 0 thành công, 1 lỗi dữ liệu, 2 dùng sai lệnh, 3 lỗi nội bộ hoặc một tệp kết quả không " \
	"ghi được.\n"

static const vs_cli_help_text helps[] = {
    {"vaxsync", "cách dùng: vaxsync <lệnh> [tùy chọn]\n"
                "           vaxsync --version | --help\n"},

    {"generate",
     "cách dùng: vaxsync generate --out THƯ_MỤC [--preset small|medium|large|national]\n"
     "                        [--registry N] [--seed S] [--error-rate X] [--hard]\n"
     "                        [--nonregistry-share F] [--mix TỆP] [--rate NHÃN=R]... [--dry-run]\n"
     "Ghi THƯ_MỤC/registry.csv, THƯ_MỤC/shots.csv và THƯ_MỤC/truth.csv, dữ liệu giả lập "
     "(docs/generator.md).\n"
     "  --preset P          small 10 nghìn công dân (mặc định), medium 100 nghìn, large 1 triệu,\n"
     "                      national 100 triệu (khoảng 220 triệu bản ghi mũi tiêm)\n"
     "  --registry N        số công dân trong danh sách dân cư (thay cho cỡ của --preset)\n"
     "  --seed S            hạt giống ngẫu nhiên (mặc định 1); cùng hạt giống, cùng từng byte\n"
     "  --error-rate X      nhân mọi tỉ lệ lỗi với X (mặc định 1; 0 = mũi tiêm không có lỗi)\n"
     "  --hard              nhiều trẻ sinh đôi, người trùng tên, người thân dùng chung số giấy tờ\n"
     "                      hoặc số điện thoại hơn\n"
     "  --nonregistry-share F  tỉ lệ bản ghi mũi tiêm của người không có trong danh sách dân cư "
     "(0.03)\n"
     "  --mix TỆP           bộ lỗi: các dòng \"NHÃN TỈ_LỆ\" thay cho tỉ lệ danh định (tests/mixes)\n"
     "  --rate NHÃN=R       một tỉ lệ danh định (áp dụng sau --mix); outsider_namesake=R là tỉ lệ\n"
     "                      người ngoài danh sách trùng cả họ tên lẫn ngày sinh với một công dân;\n"
     "                      commune_people=N: mỗi xã N người (9000: mật độ cả nước)\n"
     "  --dry-run           ước tính số dòng, dung lượng đĩa và thời gian từ một mẫu đo thử;\n"
     "                      không ghi gì\n\n" COMMON_HELP_VI},

    {"check",
     "cách dùng: vaxsync check TỆP.csv|TỆP.xlsx [-o TỆP_SẠCH.csv] [--delimiter C] [--sheet S] "
     "[--quiet]\n"
     "Đọc một tệp mũi tiêm hoặc tệp dân cư (nhận ra từ dòng tiêu đề; phân cách bằng dấu phẩy,\n"
     "dấu chấm phẩy hoặc tab; UTF-8 hoặc Windows-1258; hoặc bảng tính .xlsx, nhận ra từ nội dung:\n"
     "--sheet chọn trang theo tên hoặc số thứ tự, mặc định trang đầu) theo đúng quy tắc của `run`,\n"
     "báo từng dòng bị loại kèm tệp:dòng:cột (Sheet1!D17 trong bảng tính) và mã lý do, rồi\n"
     "ghi các dòng được nhận ra -o dưới dạng CSV UTF-8 sạch (không có -o thì không ghi gì).\n"
     "Mã thoát 0 khi mọi dòng được nhận, 1 khi có dòng bị loại hoặc cả tệp bị từ chối.\n\n" COMMON_HELP_VI},

    {"standardize",
     "cách dùng: vaxsync standardize VÀO.csv -o RA.csv [--summary TỆP] [--today YYYY-MM-DD]\n"
     "                            [--sheet S] [--refdata THƯ_MỤC] [--threads N] [--quiet]\n"
     "Chuẩn hóa một tệp mũi tiêm hoặc tệp dân cư (nhận ra từ dòng tiêu đề; nhận cả tên cột\n"
     "tiếng Việt). Giữ mọi cột của tệp vào và thêm các cột:\n"
     "std_full_name, std_family, std_middle, std_given, std_name_key, std_dob,\n"
     "std_dob_precision, std_sex, std_id_number, std_id_type, std_phone,\n"
     "std_province_code, std_district_code, std_commune_code, std_vaccine_code,\n"
     "std_dose, std_shot_date, reasons.\n"
     "--summary TỆP   số lần gặp mỗi lý do (CSV: facility_code,reason,count; '*' = mọi dòng);\n"
     "                không có tùy chọn này thì bản tổng hợp in ra đầu ra lỗi chuẩn (stderr)\n"
     "--today NGÀY    ngày dùng để xét \"ở tương lai\" (mặc định: hôm nay)\n"
     "--sheet S       VÀO có thể là bảng tính .xlsx (nhận ra từ nội dung): trang cần đọc,\n"
     "                theo tên hoặc số thứ tự (mặc định: trang tính đầu tiên)\n"
     "Với --settings S.json: xem `vaxsync standardize --settings S.json --help`.\n"
     "Mã thoát 0 thành công, 1 có dòng sai dạng hoặc tệp vào không đọc được, 2 dùng sai lệnh, 3 lỗi "
     "nội bộ.\n\n" COMMON_HELP_VI},

    {"standardize --settings",
     "cách dùng: vaxsync standardize --settings S.json [--side left|right] VÀO.csv -o RA.csv\n"
     "Đọc VÀO.csv như một bên (mặc định bên trái, left) của tệp thiết lập và ghi các cột mã định\n"
     "danh của nó cùng các giá trị chuẩn mà lệnh link so khớp: std_family, std_middle, std_given,\n"
     "std_dob, std_dob_precision, std_sex, std_id_number, std_id_type, std_phone, std_province_code,\n"
     "std_district_code, std_commune_code, std_extra0.. (các cột thêm, đã chuẩn hóa như khi so\n"
     "khớp), reasons. Ngày tháng mà tệp thiết lập không đọc được sẽ được đếm và mang mã\n"
     "DOB_UNPARSEABLE.\n" COMMON_HELP_VI},

    {"train", "cách dùng: vaxsync train --registry TỆP --shots TỆP -o model.json [tùy chọn]\n"
              "Ước lượng mô hình Fellegi-Sunter không cần nhãn (EM); `vaxsync link --model` dùng lại mô hình "
              "này.\n"
              "  --settings F    tệp thiết lập JSON (mặc định: bộ thiết lập cho tiêm chủng)\n"
              "  --sample N      số bản ghi bên phải dùng để học (mặc định 100000, rải đều)\n"
              "  --u-pairs N     số cặp ngẫu nhiên để ước lượng u (mặc định 1000000)\n"
              "  --seed N        hạt giống ngẫu nhiên (mặc định 1)\n"
              "  --sheet S       trang của bảng tính (tệp .xlsx): tên hoặc số thứ tự (mặc định: trang "
              "đầu)\n" COMMON_HELP_VI},

    {"link",
     "cách dùng: vaxsync link --registry TỆP --shots TỆP [-o links.csv] [tùy chọn]\n"
     "       vaxsync link --settings S.json --left TỆP --right TỆP [-o links.csv] [tùy chọn]\n"
     "       vaxsync link --settings S.json --dedup TỆP [-o links.csv] [--clusters C.csv] [tùy chọn]\n"
     "Ghép mỗi bản ghi mũi tiêm (bên phải) với nhiều nhất một công dân trong danh sách dân cư (bên "
     "trái);\n"
     "với --settings: hai tệp bất kỳ (hoặc một tệp với chính nó) mà tệp thiết lập mô tả.\n"
     "Cả hai tệp được đọc theo quy tắc của `run` và `check`: mỗi dòng bị loại được báo kèm\n"
     "tệp:dòng:cột và lý do, bị bỏ ra, và làm mã thoát thành 1.\n"
     "  --registry F    danh sách gốc (bên trái; tên khác --left)\n"
     "  --shots F       các bản ghi cần ghép (bên phải; tên khác --right)\n"
     "  --settings F    tệp thiết lập JSON (docs/linking.md); mặc định: bộ thiết lập cho tiêm chủng\n"
     "  --model F       mô hình do `vaxsync train` tạo; mặc định: học trên một mẫu mũi tiêm trước\n"
     "  --no-train      dùng các giá trị m/u cố định của bộ thiết lập thay vì học\n"
     "  --save-model F  ghi thêm mô hình đã dùng ra F\n"
     "  --sample N      số bản ghi lấy mẫu để học (mặc định 100000)\n"
     "  --u-pairs N     số cặp ngẫu nhiên để ước lượng u khi học (mặc định 1000000: khoảng 1 giây\n"
     "                  CPU dù tệp lớn hay nhỏ; ít hơn cho tệp nhỏ)\n"
     "  --dedup F       khử trùng lặp trong F: ghép F với chính nó (F là cả hai bên; phần left và\n"
     "                  right của tệp thiết lập mô tả F như nhau); mỗi bản ghi ghép với bản ghi khác\n"
     "                  giống nó nhất, và các bản sao khác của cùng một người không bị coi là nhập nhằng\n"
     "  --clusters F    cùng --dedup: ghi thêm F, cụm của từng bản ghi (bao đóng bắc cầu của các\n"
     "                  cặp ghép tự động, mọi bản sao mà mỗi bản ghi gặp; --clusters-review: cả cặp\n"
     "                  cần xác nhận; --clusters-mutual: chỉ các cặp mà cả hai bản ghi cùng chọn)\n"
     "  --preflight     không ghép: số cặp ứng viên theo từng quy tắc chặn (blocking) và 20 khóa\n"
     "                  lớn nhất (trên khoảng 1 triệu bản ghi, lấy mẫu đều khi nhiều hơn), rồi ghép\n"
     "                  tối đa 20.000 bản ghi trong số đó với m/u cố định và ước lượng quy tắc nào\n"
     "                  chạm tới các cặp ghép và tỉ lệ cặp đúng không quy tắc nào gặp\n"
     "  --stats         in ra stderr thời gian từng bước, số cặp mỗi giây và cỡ chỉ mục\n"
     "  --sheet S       trang của bảng tính (tệp .xlsx): tên hoặc số thứ tự (mặc định: trang đầu)\n"
     "Mỗi tệp đều có thể là bảng tính .xlsx (nhận ra từ nội dung); dòng của nó được báo dạng "
     "Sheet1!D17.\n" COMMON_HELP_VI},

    {"explain",
     "cách dùng: vaxsync explain --db TỆP MÃ_CƠ_SỞ MÃ_BẢN_GHI\n"
     "       vaxsync explain --registry TỆP --shots TỆP [--model F | --no-train] [--links links.csv]\n"
     "                       MÃ_CƠ_SỞ MÃ_BẢN_GHI\n"
     "       vaxsync explain --settings S.json --left TỆP --right TỆP [--model F | --no-train] "
     "MÃ_BÊN_PHẢI...\n"
     "       vaxsync explain --settings S.json --dedup TỆP [--model F | --no-train] MÃ...\n"
     "In ra, với các ứng viên đứng đầu của một bản ghi, mức so khớp và trọng số của từng trường,\n"
     "và tổng trọng số; với tệp thiết lập, mỗi ứng viên còn được gọi bằng các cột mã định danh của nó.\n"
     "Chỉ một bản ghi: MÃ... là một giá trị cho mỗi cột mã định danh bên phải (một cột thì một giá trị).\n"
     "  --db TỆP        cơ sở dữ liệu do `vaxsync run` ghi: giải thích quyết định đã lưu chỉ từ cơ\n"
     "                  sở dữ liệu (không cần tệp vào; giống `vaxsync review show`)\n"
     "  --model F       mô hình mà `vaxsync link` đã dùng; mặc định: học trên một mẫu mũi tiêm\n"
     "                  như `link` học (cùng trọng số với một lần chạy `link` không có --model)\n"
     "  --no-train      dùng các giá trị m/u cố định của bộ thiết lập (như `link --no-train`)\n"
     "  --sample N, --u-pairs N  như với `link`: cho cùng giá trị như lần chạy `link`\n"
     "  --links F       links.csv: quyết định đã lưu được in cạnh quyết định tính lại\n"
     "  --settings F    tệp thiết lập JSON (mặc định: bộ thiết lập cho tiêm chủng); khi đó cho một\n"
     "                  giá trị cho mỗi cột mã định danh bên phải thay cho MÃ_CƠ_SỞ MÃ_BẢN_GHI\n"
     "  --top N         số ứng viên được in (mặc định 3)\n" COMMON_HELP_VI},

    {"eval",
     "cách dùng: vaxsync eval --truth truth.csv --links links.csv [--registry F --shots F]\n"
     "       vaxsync eval --settings S.json --truth pairs.csv --links links.csv\n"
     "In độ chính xác (precision) và độ bao phủ (recall) của các cặp ghép tự động, tỉ lệ cần xác\n"
     "nhận, precision/recall/F1 chung, các cặp ghép sai và các cặp bỏ sót theo nhãn lỗi. Với\n"
     "--registry và --shots, in thêm cách làm đơn giản để so sánh (số giấy tờ gõ vào đúng bằng một\n"
     "citizen_id 12 chữ số và cùng năm sinh).\n"
     "Với --settings (một phép ghép của riêng bạn, docs/linking.md): truth là các cặp đúng, mỗi dòng\n"
     "một cặp, dưới các tên cột mã định danh mà links.csv dùng (thiết lập chung: right_<id>,\n"
     "left_<id>); in precision, recall và F1 của các cặp tự động và của tự động + cần xác nhận.\n"
     "       vaxsync eval --settings S.json --truth entities.csv --clusters clusters.csv\n"
     "Một phép khử trùng lặp (link --dedup F --clusters C): truth có các cột mã định danh và cột\n"
     "entity, mỗi dòng một bản ghi; in precision, recall và F1 theo cặp của các cụm.\n" COMMON_HELP_VI},

    {"run",
     "cách dùng: vaxsync run --registry R --shots S [--db TỆP] [--out THƯ_MỤC] [tùy chọn]\n"
     "Chạy công việc chính: nhập danh sách dân cư và các bản ghi mũi tiêm, chuẩn hóa, ghép,\n"
     "kiểm tra lịch sử tiêm của từng công dân và ghi nhận (post) mỗi mũi tiêm đã kiểm tra đúng một "
     "lần.\n"
     "Chạy lại trên cùng dữ liệu không thay đổi gì; một bản ghi đã đổi là một lần sửa.\n"
     "  --registry R    registry.csv (trích xuất từ Cơ sở dữ liệu quốc gia về dân cư)\n"
     "  --shots S       shots.csv (dữ liệu các cơ sở tiêm chủng gửi lên)\n"
     "  --db TỆP        cơ sở dữ liệu (SQLite; mặc định vaxsync.db)\n"
     "  --out THƯ_MỤC   ghi THƯ_MỤC/links.csv và THƯ_MỤC/worklists/ (theo cơ sở tiêm chủng và theo\n"
     "                  xã): danh sách cho người đọc theo ngôn ngữ của --lang, như `vaxsync worklist`\n"
     "                  ghi (tiêu đề, tên, lý do và việc cần làm; có dấu thứ tự byte UTF-8)\n"
     "  --machine-worklists  danh sách theo định dạng cho máy: tên cột dạng khóa, gợi ý và\n"
     "                  bằng chứng tiếng Anh như đã lưu (docs/pipeline.md)\n"
     "  --no-bom        danh sách không có dấu thứ tự byte (cho một chương trình đọc)\n"
     "  --model F       mô hình ghép do `vaxsync train` tạo; mặc định: học EM trên lô đầu tiên\n"
     "  --no-train      dùng các giá trị m/u cố định của bộ thiết lập\n"
     "  --batch N       số dòng mỗi lô (mặc định 50000); mũi tiêm được ghi hẳn (commit) sau mỗi 5 lô\n"
     "  --today NGÀY    YYYY-MM-DD dùng làm ngày hôm nay (mặc định: ngày của hệ thống)\n"
     "  --sync-full     fsync mỗi lần ghi hẳn (không mất dữ liệu khi mất điện; chậm hơn)\n"
     "  --sheet S       trang của tệp .xlsx đầu vào: tên hoặc số thứ tự (mặc định: trang đầu)\n"
     "Mỗi tệp vào đều có thể là bảng tính .xlsx (nhận ra từ nội dung, không từ tên tệp): dòng đầu là\n"
     "dòng tiêu đề, và các dòng được báo dạng Sheet1!D17.\n" COMMON_HELP_VI},

    {"worklist",
     "cách dùng: vaxsync worklist [--db TỆP] (--facility MÃ | --commune MÃ) [-o TỆP[.xlsx]]\n"
     "                        [--format csv|xlsx] [--no-bom] [--lang vi|en]\n"
     "Ghi các bản ghi mà một cơ sở tiêm chủng phải sửa (mã lý do, cách sửa gợi ý), hoặc mà tổ\n"
     "công tác của một xã phải kiểm tra (ứng viên cần xác nhận kèm bằng chứng, các báo cáo mâu\n"
     "thuẫn, bản ghi của xã chưa ghép được), kèm các trường của bản ghi và tên tỉnh, huyện, xã\n"
     "(lấy từ --refdata khi có). Danh sách của xã có các cột quyết định để điền rồi đưa lại bằng\n"
     "`vaxsync review import`.\n"
     "CSV (mặc định, ra đầu ra chuẩn) bắt đầu bằng dấu thứ tự byte UTF-8 để Excel đọc đúng; .xlsx\n"
     "(-o TỆP.xlsx hoặc --format xlsx) giữ các số giấy tờ dạng văn bản và có ô chọn quyết định.\n"
     "  --db TỆP         cơ sở dữ liệu do `vaxsync run` ghi (mặc định vaxsync.db)\n"
     "  --facility MÃ    mã cơ sở tiêm chủng như trong shots.csv\n"
     "  --commune MÃ     mã xã của Tổng cục Thống kê (5 chữ số, danh mục 2022)\n"
     "  --commune-2025 MÃ  một xã/phường theo danh mục 2025: các việc của mọi xã 2022 được nhập\n"
     "                   vào xã đó, toàn bộ hay một phần (cần --refdata)\n"
     "  --format F       csv hoặc xlsx (mặc định: theo phần mở rộng của tệp -o)\n"
     "  --no-bom         CSV không có dấu thứ tự byte (cho một chương trình đọc)\n" COMMON_HELP_VI},

    {"review", "cách dùng: vaxsync review LỆNH_CON [tùy chọn] --as NGƯỜI_DÙNG [--role VAI_TRÒ]\n"
               "  list (--facility MÃ | --commune MÃ) [--after RID] [--limit N]\n"
               "                                    một trang của danh sách việc cần xử lý\n"
               "  show MÃ_CƠ_SỞ MÃ_BẢN_GHI          bản ghi, các phiên bản, cặp ghép, so khớp, quyết định\n"
               "  history CCCD                      các báo cáo, lần kiểm tra và ghi nhận của một công dân\n"
               "  confirm MÃ_CƠ_SỞ MÃ_BẢN_GHI [--citizen SỐ]   ứng viên được đề xuất chính là người này\n"
               "  choose MÃ_CƠ_SỞ MÃ_BẢN_GHI --citizen SỐ      một công dân khác mới là người này\n"
               "  reject MÃ_CƠ_SỞ MÃ_BẢN_GHI [--citizen SỐ]    ứng viên được đề xuất không phải người này\n"
               "  not-registered MÃ_CƠ_SỞ MÃ_BẢN_GHI           người này không có trong danh sách dân cư\n"
               "  correct MÃ_CƠ_SỞ MÃ_BẢN_GHI --set TRƯỜNG=GIÁ_TRỊ [--set ...]   sửa các trường rồi ghép "
               "lại\n"
               "  withdraw MÃ_CƠ_SỞ MÃ_BẢN_GHI                 cơ sở tiêm chủng đã gửi nhầm bản ghi\n"
               "  resolve MÃ_CƠ_SỞ MÃ_BẢN_GHI --drop MÃ_CƠ_SỞ_2 MÃ_BẢN_GHI_2   trong hai báo cáo mâu thuẫn,\n"
               "                                    báo cáo thứ hai là sai\n"
               "  import TỆP [--sheet S] [--result TỆP_2]   một danh sách của xã đã điền (`vaxsync\n"
               "                                    worklist --commune`, CSV hoặc .xlsx; --sheet: trang của\n"
               "                                    bảng tính, tên hoặc số thứ tự, mặc định trang đầu):\n"
               "                                    quyết định của từng dòng như trên; TỆP_2 (mặc định\n"
               "                                    TỆP.result.csv) có thêm cột kết quả\n"
               "Tùy chọn:\n"
               "  --db TỆP         cơ sở dữ liệu (mặc định vaxsync.db)\n"
               "  --as NGƯỜI_DÙNG  người quyết định (bắt buộc với mọi quyết định; lưu kèm từng quyết định)\n"
               "  --role VAI_TRÒ   facility | commune | manager | admin (mặc định commune)\n"
               "  --note VĂN_BẢN   ghi chú lưu kèm quyết định\n"
               "  --today NGÀY     YYYY-MM-DD dùng làm ngày hôm nay (mặc định: ngày của hệ thống)\n"
               "TRƯỜNG là một cột của shots.csv: full_name, dob, sex, id_number, phone, address, vaccine,\n"
               "lot, dose, shot_date. Mỗi quyết định kiểm tra lại các công dân liên quan và ghi nhận hoặc\n"
               "rút lại các mũi tiêm của họ, mỗi mũi đúng một lần.\n" COMMON_HELP_VI},

    {"serve", "cách dùng: vaxsync serve --db TỆP --listen MÁY:CỔNG [tùy chọn]\n"
              "Cung cấp bộ máy xử lý dưới dạng API JSON ở /api/v1 (docs/api.md, docs/security.md).\n"
              "  --db TỆP           cơ sở dữ liệu (do `vaxsync run` tạo; tài khoản do `vaxsync user` tạo)\n"
              "  --listen MÁY:CỔNG  địa chỉ IPv4 và cổng (mặc định 127.0.0.1:8080); cổng 0 tự chọn một cổng\n"
              "                     trống; địa chỉ đã mở được in ra đầu ra chuẩn\n"
              "  --threads N        số luồng xử lý, mỗi luồng một phiên làm việc với bộ máy (mặc định 2)\n"
              "  --max-body BYTE    thân yêu cầu lớn nhất (mặc định 65536)\n"
              "  --max-upload BYTE  tệp tải lên lớn nhất (mặc định 67108864)\n"
              "  --max-conns N      số kết nối cùng lúc (mặc định 256)\n"
              "  --max-conns-per-ip N  số kết nối cùng lúc từ một địa chỉ (mặc định 64; 0: không giới hạn,\n"
              "                     như khi đứng sau reverse proxy, nơi mọi kết nối có cùng địa chỉ)\n"
              "  --rate N           số yêu cầu mỗi giây của một người dùng, cho phép dồn gấp đôi (mặc định\n"
              "                     200; 0: không giới hạn); vượt quá: 429 RATE_LIMITED kèm Retry-After\n"
              "  --timeout S        đóng kết nối không hoạt động hoặc quá chậm sau S giây (mặc định 15)\n"
              "  --secure-cookie    đánh dấu cookie phiên là Secure (TLS ở reverse proxy)\n"
              "  --tls-cert TỆP     phục vụ HTTPS bằng chứng chỉ PEM này (cả chuỗi) và --tls-key TỆP\n"
              "                     (quyền 600); khi đó cookie là Secure và các câu trả lời có HSTS;\n"
              "                     tín hiệu SIGHUP đọc lại cả hai tệp (chứng chỉ mới, không cần khởi\n"
              "                     động lại)\n"
              "  --today NGÀY       YYYY-MM-DD dùng làm ngày hôm nay (mặc định: ngày của hệ thống)\n"
              "  --web THƯ_MỤC      các tệp của giao diện web, phục vụ ở / (mặc định: share/vaxsync/web\n"
              "                     cạnh thư mục bin/ của chương trình, nếu không thì thư mục web/ của mã\n"
              "                     nguồn; docs/ui.md)\n"
              "  --spool THƯ_MỤC    thư mục (quyền 0700) của các lượt tải lên, giữ qua các lần khởi động\n"
              "                     lại: lượt chưa xong sẽ chạy tiếp sau khi khởi động lại (mặc định\n"
              "                     TỆP.spool cạnh cơ sở dữ liệu SQLite; cơ sở dữ liệu PostgreSQL không\n"
              "                     có tùy chọn này thì dùng một thư mục tạm)\n" COMMON_HELP_VI},

    {"user", "cách dùng: vaxsync user LỆNH_CON TÊN [tùy chọn] [--db TỆP]\n"
             "  add TÊN --role VAI_TRÒ [--area VÙNG] [--lookup]   thêm người dùng; mật khẩu đọc từ\n"
             "                                       đầu vào chuẩn (dòng đầu tiên)\n"
             "  passwd TÊN                           đặt mật khẩu mới (đầu vào chuẩn); kết thúc các phiên\n"
             "                                       làm việc của người dùng\n"
             "  disable TÊN | enable TÊN             người dùng bị khóa không đăng nhập được; các phiên và\n"
             "                                       mã truy cập (token) của họ hết hiệu lực\n"
             "  unlock TÊN                           mở khóa sau nhiều lần đăng nhập sai\n"
             "  token TÊN [--label VĂN_BẢN]          một mã truy cập API mới, chỉ in ra một lần\n"
             "  token --revoke ID                    thu hồi mã truy cập ID\n"
             "Vai trò và vùng: clerk MÃ_CƠ_SỞ | commune MÃ[,MÃ...] (5 chữ số) | district MÃ\n"
             "(3 chữ số) | province MÃ (2 chữ số) | ministry | admin. --lookup cho phép một cán bộ quản lý\n"
             "đọc dữ liệu cá nhân trong vùng của mình (docs/security.md).\n"},

    {"audit", "cách dùng: vaxsync audit [--db TỆP|URI] [--user TÊN] [--since THỜI_ĐIỂM] [--limit N]\n"
              "  --db TỆP|URI   cơ sở dữ liệu: một tệp SQLite (mặc định vaxsync.db) hoặc postgresql://...\n"
              "  --user TÊN     chỉ các dòng của người này\n"
              "  --since THỜI_ĐIỂM  các dòng từ THỜI_ĐIỂM trở đi (giờ UTC, ISO 8601: 2026-12-05 hoặc\n"
              "                 2026-12-05T10:00)\n"
              "  --limit N      nhiều nhất N dòng\n"
              "Các cột: time (thời điểm), actor (người làm), role (vai trò), action (việc), subject (đối\n"
              "tượng), endpoint (điểm truy cập), result (kết quả), detail (chi tiết).\n"},

    {"reasons", "cách dùng: vaxsync reasons [--lang vi|en] [--markdown]\n"
                "Liệt kê mọi mã lý do, ý nghĩa và việc cần làm, bằng tiếng Việt (mặc định) hoặc tiếng Anh;\n"
                "--markdown ghi docs/reason-codes.md bằng cả hai thứ tiếng.\n"},
};

/* the one-line summaries of the command list (`vaxsync --help`), in the order of commands.h */
static const vs_cli_help_text summaries[] = {
    {"generate", "sinh dữ liệu giả lập: danh sách dân cư, bản ghi mũi tiêm và đáp án đúng"},
    {"check", "kiểm tra một tệp CSV và ghi lại bản sạch (UTF-8, dấu phẩy)"},
    {"standardize", "chuẩn hóa mọi trường của một tệp mũi tiêm hoặc tệp dân cư, kèm lý do"},
    {"train", "ước lượng mô hình ghép (EM) và lưu dạng JSON"},
    {"link", "ghép bản ghi mũi tiêm với công dân trong danh sách (Fellegi-Sunter), ghi links.csv"},
    {"explain", "trọng số từng trường của các ứng viên đứng đầu cho một bản ghi"},
    {"eval", "độ chính xác của links.csv so với truth.csv, kèm cách làm chỉ dựa vào số giấy tờ"},
    {"run", "toàn bộ quy trình: nhập, chuẩn hóa, ghép, kiểm tra, ghi nhận; bản tổng hợp"},
    {"worklist", "danh sách việc cần xử lý của một cơ sở tiêm chủng hoặc một xã, dạng CSV"},
    {"review", "vòng xác nhận: list, show, confirm, choose, reject, correct, withdraw, ..."},
    {"serve", "dịch vụ HTTP: bộ máy xử lý dưới dạng API JSON, có tài khoản và nhật ký truy cập"},
    {"user", "tài khoản của dịch vụ: add, passwd, disable, enable, unlock, token"},
    {"audit", "nhật ký truy cập: ai đã đọc hay sửa gì, khi nào, kết quả ra sao"},
    {"reasons", "liệt kê mọi mã lý do kèm việc cần làm"},
};

static const char *vi_help(const char *cmd)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (!strcmp(helps[i].cmd, cmd))
			return helps[i].vi;
	return NULL;
}

void vs_cli_usage(FILE *f, const char *cmd, const char *en, bool common)
{
	const char *vi = vs_lang_default() == VS_LANG_VI ? vi_help(cmd) : NULL;
	if (vi) /* the Vietnamese has the common options in it */
		fputs(vi, f);
	else
		fprintf(f, "%s%s", en, common ? VS_CLI_COMMON_HELP : "");
}

void vs_cli_main_usage(FILE *f, const vs_cli_command *cmds, size_t count)
{
	bool vi = vs_lang_default() == VS_LANG_VI;
	fputs(vi ? vi_help("vaxsync")
	         : "usage: vaxsync <command> [options]\n       vaxsync --version | --help\n",
	      f);
	fputs(vi ? "\nCác lệnh:\n" : "\nCommands:\n", f);
	for (size_t i = 0; i < count; i++) {
		const char *summary = cmds[i].summary;
		for (size_t k = 0; vi && k < sizeof(summaries) / sizeof(summaries[0]); k++)
			if (!strcmp(summaries[k].cmd, cmds[i].name))
				summary = summaries[k].vi;
		fprintf(f, "  %-12s %s\n", cmds[i].name, summary);
	}
	fputs(vi ? "\nChạy `vaxsync <lệnh> --help` để xem các tùy chọn của một lệnh.\n" COMMON_HELP_VI
	         : "\nRun `vaxsync <command> --help` for a command's options.\n" VS_CLI_COMMON_HELP,
	      f);
}

const vs_cli_help_text *vs_cli_help_texts(size_t *count)
{
	*count = sizeof(helps) / sizeof(helps[0]);
	return helps;
}

const vs_cli_help_text *vs_cli_summaries(size_t *count)
{
	*count = sizeof(summaries) / sizeof(summaries[0]);
	return summaries;
}

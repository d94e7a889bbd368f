/* bench_xlsx.c - .xlsx read throughput on a generated shots-shaped workbook.
 * usage: bench_xlsx [ROWS] [DIR]   (default 1,000,000 rows in /tmp)
 *        bench_xlsx BOOK.xlsx     (reads a workbook written before, kept)
 *        bench_xlsx --write ROWS BOOK.xlsx   (writes one and stops)
 * Writes the workbook with the test helper's libzip writer (tests/ingest/
 * xlsx_testlib.c: text as shared strings, IDs without a leading zero as
 * numbers, dates as date serials), then reads it 5 times with the streaming
 * reader on one thread and prints the median MB/s of the .xlsx file (its
 * compressed size over the time), of the sheet XML unpacked, and rows/s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "ingest/xlsx_testlib.h"
#include "vaxsync/xlsx.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static const char *const families[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng",
                                       "Huỳnh",  "Phan", "Vũ", "Võ",   "Đặng"};
static const char *const middles[] = {"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Đức", "Thanh", "Quốc"};
static const char *const givens[] = {"An",  "Bình", "Cường", "Dung", "Đức", "Hoa", "Lan",  "Hùng",
                                     "Mai", "Nam",  "Phúc",  "Quân", "Sơn", "Tâm", "Thảo", "Vy"};
static const char *const addrs[] = {"Số 12, ngõ 34, P. Phúc Xá, Q. Ba Đình, TP Hà Nội",
                                    "ấp 3, xã Tân Thanh, huyện Châu Thành, Tiền Giang", "P.5, Q.3, TP.HCM",
                                    "Thôn Đông, xã Yên Sở, huyện Hoài Đức, Hà Nội"};
static const char *const vaccines[] = {"AstraZeneca", "Pfizer", "Moderna", "Vero Cell", "Comirnaty"};

static int write_book(const char *path, size_t nrows)
{
	xt_writer *w = xt_writer_new();
	const char *hdr[] = {"record_id", "facility_code", "full_name", "dob", "sex",  "id_number",
	                     "phone",     "address",       "vaccine",   "lot", "dose", "shot_date"};
	if (!w || xt_writer_row(w, hdr, 12, true))
		return -1;
	for (size_t i = 0; i < nrows; i++) {
		char rid[24], fac[16], name[64], dob[16], id[16], phone[16], lot[16], dose[4], shot[16];
		snprintf(rid, sizeof(rid), "%zu", i + 1);
		snprintf(fac, sizeof(fac), "%zu", 10000 + i % 997 * 7);
		snprintf(name, sizeof(name), "%s %s %s", families[i % 10], middles[i / 10 % 8],
		         givens[i / 80 % 16]);
		snprintf(dob, sizeof(dob), "%04zu-%02zu-%02zu", 1940 + i % 70, 1 + i % 12, 1 + i % 28);
		/* a CCCD typed as text (leading zero) or as a number, as clerks do */
		if (i & 1)
			snprintf(id, sizeof(id), "0%02zu%09zu", i % 96, i * 7919 % 1000000000);
		else
			snprintf(id, sizeof(id), "%zu", 79000000000 + i * 7919 % 1000000000);
		snprintf(phone, sizeof(phone), "%s%08zu", i % 3 ? "09" : "3", i * 104729 % 100000000);
		snprintf(lot, sizeof(lot), "ABV%04zu", i % 2000);
		snprintf(dose, sizeof(dose), "%zu", 1 + i % 3);
		snprintf(shot, sizeof(shot), "2021-%02zu-%02zu", 3 + i % 10, 1 + i % 28);
		const char *f[12] = {
		    rid, fac,  name, dob, i & 1 ? "Nữ" : "Nam", id, phone, addrs[i % 4], vaccines[i % 5],
		    lot, dose, shot};
		if (xt_writer_row(w, f, 12, false))
			return -1;
	}
	return xt_writer_finish(w, path);
}

static double cpu_secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_book(const char *path, double *secs, double *cpu, size_t *rows)
{
	vs_xlsx_reader *r = NULL;
	vs_csv_row row;
	vs_error err;
	vs_rc rc;
	size_t sum = 0;
	uint64_t t0 = vs_now_ns();
	double c0 = cpu_secs();
	if (vs_xlsx_open(&r, path, NULL, &err))
		return -1;
	*rows = 0;
	while ((rc = vs_xlsx_next(r, &row, &err)) == VS_OK || rc == VS_ERR_PARSE) {
		if (rc)
			continue;
		(*rows)++;
		sum += row.lens[0];
	}
	vs_xlsx_close(r);
	*secs = (double)(vs_now_ns() - t0) / 1e9;
	*cpu = cpu_secs() - c0;
	return rc == VS_DONE && sum ? 0 : -1;
}

/* unpacking alone (libzip + zlib, CRC checked): the sheet and the shared strings read into a
 * buffer and dropped; the floor under any XML parser */
static double unzip_secs(const char *path)
{
	static char buf[1 << 16];
	uint64_t t0 = vs_now_ns();
	zip_t *z = zip_open(path, ZIP_RDONLY, NULL);
	const char *parts[] = {"xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"};
	for (int i = 0; z && i < 2; i++) {
		zip_file_t *f = zip_fopen(z, parts[i], 0);
		while (f && zip_fread(f, buf, sizeof(buf)) > 0)
			;
		if (f)
			zip_fclose(f);
	}
	if (z)
		zip_discard(z);
	return (double)(vs_now_ns() - t0) / 1e9;
}

/* the unpacked size of the sheet, for the XML rate */
static double sheet_mb(const char *path)
{
	zip_t *z = zip_open(path, ZIP_RDONLY, NULL);
	zip_stat_t st;
	double mb = 0;
	if (z && !zip_stat(z, "xl/worksheets/sheet1.xml", 0, &st))
		mb = (double)st.size / 1e6;
	if (z && !zip_stat(z, "xl/sharedStrings.xml", 0, &st))
		mb += (double)st.size / 1e6;
	if (z)
		zip_discard(z);
	return mb;
}

int main(int argc, char **argv)
{
	char path[512];
	bool keep = argc == 2 && strstr(argv[1], ".xlsx");
	double wsecs = 0;
	if (argc == 4 && !strcmp(argv[1], "--write"))
		return write_book(argv[3], (size_t)atol(argv[2])) ? 1 : 0;
	if (keep) {
		snprintf(path, sizeof(path), "%s", argv[1]);
	} else {
		size_t nrows = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
		const char *dir = argc > 2 ? argv[2] : "/tmp";
		snprintf(path, sizeof(path), "%s/vs_bench_shots_%d.xlsx", dir, (int)getpid());
		uint64_t t0 = vs_now_ns();
		if (write_book(path, nrows)) {
			fprintf(stderr, "bench_xlsx: cannot write %s\n", path);
			return 1;
		}
		wsecs = (double)(vs_now_ns() - t0) / 1e9;
	}
	struct stat sb;
	if (stat(path, &sb)) {
		fprintf(stderr, "bench_xlsx: cannot stat %s\n", path);
		return 1;
	}
	double secs[5], cpu[5];
	size_t rows = 0;
	for (int k = 0; k < 5; k++)
		if (read_book(path, &secs[k], &cpu[k], &rows)) {
			fprintf(stderr, "bench_xlsx: read failed\n");
			if (!keep)
				unlink(path);
			return 1;
		}
	qsort(secs, 5, sizeof(double), cmp_double);
	qsort(cpu, 5, sizeof(double), cmp_double);
	double us[3];
	for (int k = 0; k < 3; k++)
		us[k] = unzip_secs(path);
	qsort(us, 3, sizeof(double), cmp_double);
	double mb = (double)sb.st_size / 1e6, xml = sheet_mb(path);
	printf("bench_xlsx: workbook %.1f MB (.xlsx), %.1f MB of sheet and shared-string XML, %zu rows, "
	       "written in %.1f s\n",
	       mb, xml, rows, wsecs);
	printf("bench_xlsx: read %.1f MB/s of .xlsx, %.0f MB/s of XML, %.0f rows/s (median of 5, one thread, "
	       "%.2f s)\n",
	       mb / secs[2], xml / secs[2], (double)rows / secs[2], secs[2]);
	printf(
	    "bench_xlsx: per core (CPU time of the reading thread, median of 5: %.2f s): %.1f MB/s of .xlsx, "
	    "%.0f rows/s\n",
	    cpu[2], mb / cpu[2], (double)rows / cpu[2]);
	printf("bench_xlsx: unpacking alone (libzip + zlib, no XML) %.1f MB/s of .xlsx (%.2f s)\n",
	       mb / us[1], us[1]);
	if (!keep)
		unlink(path);
	return 0;
}

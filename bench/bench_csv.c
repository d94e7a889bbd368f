/* bench_csv.c - CSV read and write throughput on a shots.csv-shaped file.
 * usage: bench_csv [SIZE_MB] [DIR]   (default 1024 MB in /tmp)
 * Writes the file with the CSV writer, then reads it back 3 times and prints
 * the median MB/s of reading and of writing it back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaxsync/csv.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static const char *const names[] = {"Nguyễn Văn An", "TRAN THI BINH",  "Lê Hoàng \"Bé\" Cường",
                                    "Phạm Thị Dung", "Hoàng Minh Đức", "vo thi hoa"};
static const char *const addrs[] = {"Số 12, ngõ 34, P. Phúc Xá, Q. Ba Đình, TP Hà Nội",
                                    "ap 3, xa Tan Thanh, huyen Chau Thanh, Tien Giang", "P.5, Q.3, TP.HCM",
                                    "Thôn Đông\nxã Yên Sở"};

static int write_file(const char *path, size_t target, double *secs)
{
	vs_csv_writer *w = NULL;
	if (vs_csv_writer_open(&w, path, NULL))
		return -1;
	const char *hdr[] = {"record_id", "facility_code", "full_name", "dob", "sex",  "id_number",
	                     "phone",     "address",       "vaccine",   "lot", "dose", "shot_date"};
	uint64_t t0 = vs_now_ns();
	vs_rc rc = vs_csv_write_row(w, hdr, NULL, 12);
	size_t bytes = 0;
	for (uint64_t i = 0; bytes < target && !rc; i++) {
		char rid[24], fac[16], id[16], phone[16];
		snprintf(rid, sizeof(rid), "R%09llu", (unsigned long long)i);
		snprintf(fac, sizeof(fac), "%02llu%04llu", (unsigned long long)(i % 63),
		         (unsigned long long)(i % 9973));
		snprintf(id, sizeof(id), "0%011llu", (unsigned long long)(i * 7919 % 100000000000ull));
		snprintf(phone, sizeof(phone), "09%08llu", (unsigned long long)(i % 100000000));
		const char *f[12] = {rid,     fac,         names[i % 6], "12/03/1985",  i & 1 ? "Nữ" : "Nam",
		                     id,      phone,       addrs[i % 4], "AstraZeneca", "ABV1234",
		                     "Mũi 2", "2021-09-15"};
		rc = vs_csv_write_row(w, f, NULL, 12);
		bytes += 150;
	}
	rc = vs_csv_writer_close(w) || rc;
	*secs = (double)(vs_now_ns() - t0) / 1e9;
	return rc ? -1 : 0;
}

static int read_file(const char *path, const char *copy_to, double *secs, size_t *bytes, size_t *rows)
{
	vs_csv_reader *r = NULL;
	vs_csv_writer *w = NULL;
	vs_csv_row row;
	vs_rc rc;
	uint64_t t0 = vs_now_ns();
	if (vs_csv_open(&r, path, NULL, NULL))
		return -1;
	if (copy_to && vs_csv_writer_open(&w, copy_to, NULL))
		return -1;
	*rows = 0;
	size_t sum = 0;
	while ((rc = vs_csv_next(r, &row, NULL)) == VS_OK || rc == VS_ERR_PARSE) {
		if (rc)
			continue;
		(*rows)++;
		sum += row.lens[0];
		if (w && vs_csv_write_row(w, (const char *const *)row.fields, row.lens, row.count))
			return -1;
	}
	*bytes = vs_csv_bytes_read(r);
	vs_csv_close(r);
	if (vs_csv_writer_close(w))
		return -1;
	*secs = (double)(vs_now_ns() - t0) / 1e9;
	return sum ? 0 : -1;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 1024;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	char path[512], copy[512];
	snprintf(path, sizeof(path), "%s/vs_bench_shots_%d.csv", dir, (int)getpid());
	snprintf(copy, sizeof(copy), "%s/vs_bench_copy_%d.csv", dir, (int)getpid());
	double wsecs, rs[3], rws[3];
	size_t bytes = 0, rows = 0;
	if (write_file(path, mb << 20, &wsecs)) {
		fprintf(stderr, "bench_csv: cannot write %s\n", path);
		return 1;
	}
	for (int k = 0; k < 3; k++) {
		if (read_file(path, NULL, &rs[k], &bytes, &rows) ||
		    read_file(path, copy, &rws[k], &bytes, &rows)) {
			fprintf(stderr, "bench_csv: read failed\n");
			return 1;
		}
	}
	qsort(rs, 3, sizeof(double), cmp_double);
	qsort(rws, 3, sizeof(double), cmp_double);
	double mbytes = (double)bytes / 1e6;
	printf("bench_csv: file %.0f MB, %zu rows\n", mbytes, rows);
	printf("bench_csv: write (generate) %.0f MB/s\n", mbytes / wsecs);
	printf("bench_csv: read            %.0f MB/s (median of 3, one thread)\n", mbytes / rs[1]);
	printf("bench_csv: read + write    %.0f MB/s (median of 3, one thread)\n", mbytes / rws[1]);
	unlink(path);
	unlink(copy);
	return 0;
}

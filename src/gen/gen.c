/* gen.c - `vaxsync generate`: options, presets, the household loop writing
 * registry.csv, shots.csv and truth.csv, the dry-run estimate, date helpers
 * and the error-tag catalogue.
 *
 * The loop keeps one household in memory at a time; all state that outlives a
 * household is fixed-size (counters, facilities, a 256-person reservoir). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/gen_internal.h"

/* ---- tags ---- */

static const struct {
	const char *name;
	double rate;
	const char *meaning;
} tag_info[VS_GEN_TAG_COUNT] = {
#define VS_GEN_TAG_INFO(n, r, m) {#n, r, m},
    VS_GEN_TAGS(VS_GEN_TAG_INFO)
#undef VS_GEN_TAG_INFO
};

const char *vs_gen_tag_name(vs_gen_tag tag)
{
	return (unsigned)tag < VS_GEN_TAG_COUNT ? tag_info[tag].name : NULL;
}

double vs_gen_tag_rate(vs_gen_tag tag)
{
	return (unsigned)tag < VS_GEN_TAG_COUNT ? tag_info[tag].rate : 0;
}

const char *vs_gen_tag_meaning(vs_gen_tag tag)
{
	return (unsigned)tag < VS_GEN_TAG_COUNT ? tag_info[tag].meaning : NULL;
}

vs_gen_tag vs_gen_tag_by_name(const char *name)
{
	for (int t = 0; t < VS_GEN_TAG_COUNT; t++)
		if (name && !strcmp(name, tag_info[t].name))
			return (vs_gen_tag)t;
	return VS_GEN_TAG_COUNT;
}

/* ---- dates ---- */

int32_t vs_gen_days(int y, int m, int d)
{
	return vs_days_from_civil(y, m, d);
}

void vs_gen_civil(int32_t days, int *y, int *m, int *d)
{
	vs_civil_from_days(days, y, m, d);
}

int32_t vs_gen_excel_serial(int32_t days)
{
	return days - vs_gen_days(1899, 12, 30);
}

size_t vs_gen_format_date(int y, int m, int d, int style, char *out)
{
	int n;
	switch (style) {
	case VS_GEN_DS_DMY_SLASH:
		n = snprintf(out, 16, "%02d/%02d/%04d", d, m, y);
		break;
	case VS_GEN_DS_DMY_SHORT:
		n = snprintf(out, 16, "%d/%d/%04d", d, m, y);
		break;
	case VS_GEN_DS_DMY_DASH:
		n = snprintf(out, 16, "%02d-%02d-%04d", d, m, y);
		break;
	case VS_GEN_DS_DMY_DOT:
		n = snprintf(out, 16, "%02d.%02d.%04d", d, m, y);
		break;
	case VS_GEN_DS_DMY_YY:
		n = snprintf(out, 16, "%02d/%02d/%02d", d, m, ((y % 100) + 100) % 100);
		break;
	case VS_GEN_DS_DMY_PACKED:
		n = snprintf(out, 16, "%02d%02d%04d", d, m, y);
		break;
	case VS_GEN_DS_YMD_SLASH:
		n = snprintf(out, 16, "%04d/%02d/%02d", y, m, d);
		break;
	default:
		n = snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
		break;
	}
	return n > 0 ? (size_t)n : 0;
}

/* ---- options ---- */

void vs_gen_opts_init(vs_gen_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->registry_count = 10000;
	opts->seed = 1;
	opts->error_rate = 1.0;
	opts->nonregistry_share = 0.03;
	for (int t = 0; t < VS_GEN_TAG_COUNT; t++)
		opts->tag_rate[t] = -1;
	opts->outsider_namesake = -1;
}

static vs_rc mix_line(vs_gen_opts *opts, char *line, const char *file, uint64_t lineno, vs_error *err)
{
	char *h = strchr(line, '#');
	if (h)
		*h = '\0';
	char *name = line + strspn(line, " \t\r\n");
	if (!*name)
		return VS_OK;
	size_t nl = strcspn(name, " \t=\r\n");
	char *val = name + nl;
	val += strspn(val, " \t=");
	name[nl] = '\0';
	char *end = NULL;
	errno = 0;
	double v = strtod(val, &end);
	if (!strcmp(name, "commune_people")) {
		if (end == val || errno || !(v >= 10 && v <= 100000) || v != (double)(uint32_t)v ||
		    end[strspn(end, " \t\r\n")])
			return vs_error_set(err, VS_ERR_PARSE, file, lineno, 0, name,
			                    "commune_people must be a whole number from 10 to 100000");
		opts->commune_people = (uint32_t)v;
		return VS_OK;
	}
	if (end == val || errno || !(v >= 0 && v <= 1) || end[strspn(end, " \t\r\n")])
		return vs_error_set(err, VS_ERR_PARSE, file, lineno, 0, name,
		                    "a rate must be a number from 0 to 1");
	if (!strcmp(name, "outsider_namesake")) {
		opts->outsider_namesake = v;
		return VS_OK;
	}
	vs_gen_tag t = vs_gen_tag_by_name(name);
	if (t == VS_GEN_TAG_COUNT)
		return vs_error_set(err, VS_ERR_PARSE, file, lineno, 0, name,
		                    "unknown error tag (docs/generator.md lists them)");
	opts->tag_rate[t] = v;
	return VS_OK;
}

vs_rc vs_gen_mix_set(vs_gen_opts *opts, const char *setting, vs_error *err)
{
	char line[256];
	if (strlen(setting) >= sizeof(line))
		return vs_error_set(err, VS_ERR_PARSE, NULL, 0, 0, NULL, "rate setting too long");
	snprintf(line, sizeof(line), "%s", setting);
	return mix_line(opts, line, NULL, 0, err);
}

vs_rc vs_gen_mix_load(vs_gen_opts *opts, const char *path, vs_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL, "cannot open the mix file: %s",
		                    strerror(errno));
	char line[256];
	uint64_t n = 0;
	vs_rc rc = VS_OK;
	while (!rc && fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f))
			rc = vs_error_set(err, VS_ERR_PARSE, path, n, 0, NULL, "line too long");
		else
			rc = mix_line(opts, line, path, n, err);
	}
	fclose(f);
	return rc;
}

vs_rc vs_gen_preset(vs_gen_opts *opts, const char *name)
{
	static const struct {
		const char *name;
		uint64_t count;
	} presets[] = {{"small", 10000}, {"medium", 100000}, {"large", 1000000}, {"national", 100000000}};
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (name && !strcmp(name, presets[i].name)) {
			opts->registry_count = presets[i].count;
			return VS_OK;
		}
	return VS_ERR_ARG;
}

bool vs_gen_cccd_consistent(const vs_ref *ref, const char *cccd, int dob_year, char sex)
{
	if (!cccd || strlen(cccd) != 12)
		return false;
	for (int i = 0; i < 12; i++)
		if (cccd[i] < '0' || cccd[i] > '9')
			return false;
	char code[4] = {cccd[0], cccd[1], cccd[2], 0};
	bool known = false;
	for (size_t i = 0; i < ref->cccd_count && !known; i++)
		known = !strcmp(ref->cccd[i].code, code);
	if (!known || dob_year < 1900 || dob_year > 2099 || (sex != 'M' && sex != 'F'))
		return false;
	int sc = (dob_year >= 2000 ? 2 : 0) + (sex == 'F');
	return cccd[3] - '0' == sc && (cccd[4] - '0') * 10 + (cccd[5] - '0') == dob_year % 100;
}

/* ---- the run ---- */

static vs_rc open_writer(vs_csv_writer **w, const char *dir, const char *name, const char *const *header,
                         size_t count, vs_error *err)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "output path too long");
	vs_rc rc = vs_csv_writer_open(w, path, err);
	if (rc)
		return rc;
	rc = vs_csv_write_row(*w, header, NULL, count);
	if (rc)
		return vs_error_set(err, rc, path, 0, 0, NULL, "cannot write the header");
	return VS_OK;
}

static uint64_t file_size(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static int household_size(vs_gen_rng *r)
{
	static const double w[6] = {0.11, 0.20, 0.22, 0.26, 0.13, 0.08};
	double x = vs_gen_unit(r);
	for (int i = 0; i < 6; i++)
		if ((x -= w[i]) < 0)
			return i + 1;
	return 6;
}

static vs_rc write_person(vs_gen_out *out, const vs_gen_model *m, const vs_gen_person *p)
{
	const vs_ref_commune *c = &m->ref->communes[p->commune];
	char dob[16], death[16] = "";
	int y, mo, d;
	vs_gen_civil(p->dob, &y, &mo, &d);
	if (p->year_only)
		snprintf(dob, sizeof(dob), "%04d", y);
	else
		vs_gen_format_date(y, mo, d, VS_GEN_DS_ISO, dob);
	if (p->dead) {
		vs_gen_civil(p->death, &y, &mo, &d);
		vs_gen_format_date(y, mo, d, VS_GEN_DS_ISO, death);
	}
	const char sex[2] = {p->sex, 0};
	const char *row[13] = {p->citizen_id, p->old_id,        p->full_name,     dob,
	                       sex,           c->province_code, c->district_code, c->commune_code,
	                       p->address,    p->phone,         p->household_id,  p->dead ? "dead" : "alive",
	                       death};
	return vs_csv_write_row(out->registry, row, NULL, 13);
}

static const char *const registry_header[] = {
    "citizen_id",   "old_id",  "full_name", "dob",          "sex",    "province_code", "district_code",
    "commune_code", "address", "phone",     "household_id", "status", "death_date"};
static const char *const shots_header[] = {"record_id", "facility_code", "full_name", "dob",
                                           "sex",       "id_number",     "phone",     "address",
                                           "vaccine",   "lot",           "dose",      "shot_date"};
static const char *const truth_header[] = {"facility_code", "record_id", "citizen_id", "event_id",
                                           "error_tags"};

static vs_rc check_opts(const vs_gen_opts *o, vs_error *err)
{
	if (!o || !o->out_dir || !o->out_dir[0])
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "no output directory");
	if (o->registry_count < 1 || o->registry_count > 200000000ull)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "registry size must be 1..200,000,000");
	if (!(o->error_rate >= 0 && o->error_rate <= 100))
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "error rate must be 0..100");
	if (!(o->nonregistry_share >= 0 && o->nonregistry_share <= 0.5))
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "non-registry share must be 0..0.5");
	struct stat st;
	if (stat(o->out_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return vs_error_set(err, VS_ERR_IO, o->out_dir, 0, 0, NULL,
		                    "output directory does not exist");
	return VS_OK;
}

vs_rc vs_gen_run_stats(const vs_gen_opts *opts, const vs_ref *ref, vs_gen_stats *stats, vs_error *err)
{
	vs_gen_model m;
	vs_gen_stats local;
	vs_gen_out out = {0};
	vs_gen_household *hh = NULL;
	vs_progress *prog = NULL;
	uint64_t t0 = vs_now_ns();
	vs_rc rc = check_opts(opts, err);
	if (rc)
		return rc;
	if (!ref)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "no reference data");
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	rc = vs_gen_model_init(&m, opts, ref, err);
	if (rc)
		goto out;
	m.stats = stats;
	for (int t = 0; t < VS_GEN_TAG_COUNT; t++) {
		double v = (opts->tag_rate[t] >= 0 ? opts->tag_rate[t] : tag_info[t].rate) * opts->error_rate;
		m.rate[t] = v > 1 ? 1 : v;
	}
	hh = vs_malloc(sizeof(*hh));
	if (!hh) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	rc = open_writer(&out.registry, opts->out_dir, "registry.csv", registry_header, 13, err);
	if (!rc)
		rc = open_writer(&out.shots, opts->out_dir, "shots.csv", shots_header, 12, err);
	if (!rc)
		rc = open_writer(&out.truth, opts->out_dir, "truth.csv", truth_header, 5, err);
	if (rc)
		goto out;
	prog = vs_progress_new("generate", opts->registry_count, opts->quiet);
	double s = opts->nonregistry_share, ghost_p = s < 1 ? 2.0 * s / (1.0 - s) : 0;
	while (stats->citizens < opts->registry_count) {
		vs_gen_rng r;
		vs_gen_rng_seed(&r, opts->seed, 1, m.household_serial);
		int size = household_size(&r);
		uint64_t left = opts->registry_count - stats->citizens;
		if ((uint64_t)size > left)
			size = (int)left;
		bool ghost = vs_gen_chance(&r, ghost_p);
		rc = vs_gen_household_make(&m, &r, hh, size, true, err);
		if (rc)
			goto out;
		stats->households++;
		for (int i = 0; i < hh->count; i++) {
			rc = write_person(&out, &m, &hh->p[i]);
			if (rc) {
				rc = vs_error_set(err, rc, "registry.csv", 0, 0, NULL,
				                  "cannot write the registry");
				goto out;
			}
			stats->dead += hh->p[i].dead;
		}
		stats->citizens += (uint64_t)hh->count;
		rc = vs_gen_household_shots(&m, &r, hh, &out, err);
		if (rc)
			goto out;
		if (ghost) { /* people vaccinated here who are not in the registry */
			vs_gen_rng gr;
			vs_gen_rng_seed(&gr, opts->seed, 4, m.household_serial);
			rc = vs_gen_household_make(&m, &gr, hh, 1 + (int)vs_gen_below(&gr, 2), false, err);
			if (!rc)
				rc = vs_gen_household_shots(&m, &gr, hh, &out, err);
			if (rc)
				goto out;
		}
		if ((stats->households & 1023) == 0)
			vs_progress_update(prog, stats->citizens);
	}
	vs_progress_update(prog, stats->citizens);
out:
	if (prog)
		vs_progress_finish(prog);
	{
		vs_rc c1 = vs_csv_writer_close(out.registry), c2 = vs_csv_writer_close(out.shots),
		      c3 = vs_csv_writer_close(out.truth);
		if (!rc && (c1 || c2 || c3))
			rc = vs_error_set(err, VS_ERR_IO, opts->out_dir, 0, 0, NULL,
			                  "cannot finish writing the files");
	}
	stats->facilities = m.fac_count;
	vs_gen_model_free(&m);
	vs_free(hh);
	if (!rc) {
		stats->registry_bytes = file_size(opts->out_dir, "registry.csv");
		stats->shots_bytes = file_size(opts->out_dir, "shots.csv");
		stats->truth_bytes = file_size(opts->out_dir, "truth.csv");
	}
	stats->seconds = (double)(vs_now_ns() - t0) / 1e9;
	return rc;
}

vs_rc vs_gen_run(const vs_gen_opts *opts, const vs_ref *ref, vs_error *err)
{
	return vs_gen_run_stats(opts, ref, NULL, err);
}

vs_rc vs_gen_estimate_run(const vs_gen_opts *opts, const vs_ref *ref, uint64_t sample_count,
                          vs_gen_estimate *est, vs_error *err)
{
	if (!opts || !est)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "no options");
	memset(est, 0, sizeof(*est));
	if (!sample_count)
		sample_count = 50000;
	vs_gen_opts o = *opts;
	if (o.registry_count < sample_count)
		sample_count = o.registry_count;
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	/* mkdtemp's template: six capital X appended */
	int dl = snprintf(dir, sizeof(dir) - 7, "%s/vaxsync-gen-", tmp && tmp[0] ? tmp : "/tmp");
	if (dl < 0 || (size_t)dl >= sizeof(dir) - 7)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "TMPDIR too long");
	memset(dir + dl, 'X', 6);
	dir[dl + 6] = '\0';
	if (!mkdtemp(dir))
		return vs_error_set(err, VS_ERR_IO, dir, 0, 0, NULL, "cannot make a temporary directory: %s",
		                    strerror(errno));
	o.out_dir = dir;
	o.registry_count = sample_count;
	o.quiet = true;
	vs_gen_stats st;
	vs_rc rc = vs_gen_run_stats(&o, ref, &st, err);
	static const char *const files[] = {"registry.csv", "shots.csv", "truth.csv"};
	for (int i = 0; i < 3; i++) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	if (rc)
		return rc;
	double k = (double)opts->registry_count / (double)st.citizens;
	est->citizens = opts->registry_count;
	est->records = (uint64_t)((double)st.records * k);
	est->registry_bytes = (uint64_t)((double)st.registry_bytes * k);
	est->shots_bytes = (uint64_t)((double)st.shots_bytes * k);
	est->truth_bytes = (uint64_t)((double)st.truth_bytes * k);
	est->seconds = st.seconds * k;
	est->sample_citizens = st.citizens;
	est->sample_seconds = st.seconds;
	return VS_OK;
}

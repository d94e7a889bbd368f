/* cmd_generate.c - `vaxsync generate`: synthetic registry, shot records and
 * ground truth (docs/generator.md). A thin front end over vs_gen_run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/gen.h"
#include "vaxsync/ref.h"

static void usage(FILE *f)
{
	vs_cli_usage(
	    f, "generate",
	    "usage: vaxsync generate --out DIR [--preset small|medium|large|national]\n"
	    "                        [--registry N] [--seed S] [--error-rate X] [--hard]\n"
	    "                        [--nonregistry-share F] [--mix FILE] [--rate TAG=R]... [--dry-run]\n"
	    "Writes DIR/registry.csv, DIR/shots.csv and DIR/truth.csv (docs/generator.md).\n"
	    "  --preset P          small 10 k citizens (default), medium 100 k, large 1 M,\n"
	    "                      national 100 M (about 220 M shot records)\n"
	    "  --registry N        citizens in the registry (overrides the preset)\n"
	    "  --seed S            random seed (default 1); same seed, same bytes\n"
	    "  --error-rate X      multiplies every error rate (default 1; 0 = clean shots)\n"
	    "  --hard              more twins, namesakes, relatives sharing an ID or a phone\n"
	    "  --nonregistry-share F  share of shot records from people not in the registry (0.03)\n"
	    "  --mix FILE          error mix: lines \"TAG RATE\" replacing the nominal rates (tests/mixes)\n"
	    "  --rate TAG=R        one nominal rate (after --mix); outsider_namesake=R is the share of\n"
	    "                      outsiders with a citizen's full name and date of birth;\n"
	    "                      commune_people=N: communes of N people (9000: national density)\n"
	    "  --dry-run           estimate rows, disk and time from a measured sample; write nothing\n\n",
	    true);
}

static void human_bytes(uint64_t b, char *out, size_t cap)
{
	static const char *const unit[] = {"B", "KB", "MB", "GB", "TB"};
	double v = (double)b;
	int u = 0;
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(out, cap, "%.1f %s", v, unit[u]);
}

static int dry_run(const vs_gen_opts *o, const vs_ref *ref)
{
	vs_gen_estimate est;
	vs_error err = {0};
	vs_rc rc = vs_gen_estimate_run(o, ref, 0, &est, &err);
	if (rc) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	char r[32], s[32], t[32], all[32];
	human_bytes(est.registry_bytes, r, sizeof(r));
	human_bytes(est.shots_bytes, s, sizeof(s));
	human_bytes(est.truth_bytes, t, sizeof(t));
	human_bytes(est.registry_bytes + est.shots_bytes + est.truth_bytes, all, sizeof(all));
	printf("dry run: %llu citizens (measured on a sample of %llu in %.2f s)\n"
	       "  shot records   ~%llu\n"
	       "  registry.csv   ~%s\n  shots.csv      ~%s\n  truth.csv      ~%s\n  total disk     ~%s\n"
	       "  time           ~%.0f s (~%.1f h), one core; memory stays flat (one household at a time)\n",
	       (unsigned long long)est.citizens, (unsigned long long)est.sample_citizens, est.sample_seconds,
	       (unsigned long long)est.records, r, s, t, all, est.seconds, est.seconds / 3600);
	return VS_EXIT_OK;
}

static int parse_double(const char *s, double *out)
{
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno)
		return -1;
	*out = v;
	return 0;
}

int vs_cmd_generate(int argc, char **argv)
{
	vs_cli_common c;
	vs_gen_opts o;
	bool dry = false, have_count = false;
	long long count = 0;
	vs_cli_common_init(&c);
	vs_gen_opts_init(&o);
	for (int i = 1; i < argc; i++) {
		int k = vs_cli_common_opt(&c, argc, argv, &i);
		if (k < 0)
			return VS_EXIT_USAGE;
		if (k)
			continue;
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return VS_EXIT_OK;
		} else if (!strcmp(a, "--hard")) {
			o.hard = true;
		} else if (!strcmp(a, "--dry-run")) {
			dry = true;
		} else if (!v && (!strcmp(a, "--out") || !strcmp(a, "--preset") || !strcmp(a, "--registry") ||
		                  !strcmp(a, "--seed") || !strcmp(a, "--error-rate") ||
		                  !strcmp(a, "--nonregistry-share") || !strcmp(a, "--mix") ||
		                  !strcmp(a, "--rate"))) {
			fprintf(stderr, "vaxsync generate: %s needs a value\n", a);
			return VS_EXIT_USAGE;
		} else if (!strcmp(a, "--out")) {
			o.out_dir = argv[++i];
		} else if (!strcmp(a, "--preset")) {
			if (vs_gen_preset(&o, argv[++i])) {
				fprintf(stderr,
				        "vaxsync generate: unknown preset '%s' (small, medium, large, "
				        "national)\n",
				        argv[i]);
				return VS_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--registry")) {
			count = vs_cli_parse_count(argv[++i]);
			if (count < 1) {
				fprintf(stderr, "vaxsync generate: --registry takes a positive number\n");
				return VS_EXIT_USAGE;
			}
			have_count = true;
		} else if (!strcmp(a, "--seed")) {
			long long s = vs_cli_parse_count(argv[++i]);
			if (s < 0) {
				fprintf(stderr, "vaxsync generate: --seed takes a non-negative number\n");
				return VS_EXIT_USAGE;
			}
			o.seed = (uint64_t)s;
		} else if (!strcmp(a, "--error-rate")) {
			if (parse_double(argv[++i], &o.error_rate) || o.error_rate < 0) {
				fprintf(stderr, "vaxsync generate: --error-rate takes a number >= 0\n");
				return VS_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--mix") || !strcmp(a, "--rate")) {
			vs_error e = {0};
			vs_rc r = !strcmp(a, "--mix") ? vs_gen_mix_load(&o, argv[++i], &e)
			                              : vs_gen_mix_set(&o, argv[++i], &e);
			if (r) {
				vs_cli_print_error(&e);
				return VS_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--nonregistry-share")) {
			if (parse_double(argv[++i], &o.nonregistry_share)) {
				fprintf(stderr, "vaxsync generate: --nonregistry-share takes a number\n");
				return VS_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "vaxsync generate: unknown option '%s'\n", a);
			return VS_EXIT_USAGE;
		}
	}
	if (have_count)
		o.registry_count = (uint64_t)count;
	o.quiet = c.quiet;
	if (!o.out_dir && !dry) {
		usage(stderr);
		return VS_EXIT_USAGE;
	}
	const char *dir = vs_cli_refdata(&c);
	if (!dir)
		return VS_EXIT_USAGE;
	if (o.out_dir && !dry && vs_cli_mkdirs(o.out_dir) != 0) {
		fprintf(stderr, "vaxsync generate: cannot create %s: %s\n", o.out_dir, strerror(errno));
		return VS_EXIT_DATA;
	}
	vs_ref *ref = NULL;
	vs_error err = {0};
	vs_rc rc = vs_ref_load(&ref, dir, &err);
	if (rc) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	int status = VS_EXIT_OK;
	if (dry) {
		status = dry_run(&o, ref);
	} else {
		vs_gen_stats st;
		rc = vs_gen_run_stats(&o, ref, &st, &err);
		if (rc) {
			vs_cli_print_error(&err);
			status = vs_rc_exit_code(rc);
		} else if (!c.quiet) {
			fprintf(
			    stderr,
			    "vaxsync generate: %llu citizens (%llu households, %llu dead), %llu shot records "
			    "(%llu events, %llu not in the registry), %llu facilities in %.1f s\n",
			    (unsigned long long)st.citizens, (unsigned long long)st.households,
			    (unsigned long long)st.dead, (unsigned long long)st.records,
			    (unsigned long long)st.events, (unsigned long long)st.nonregistry_records,
			    (unsigned long long)st.facilities, st.seconds);
		}
	}
	vs_ref_free(ref);
	return status;
}

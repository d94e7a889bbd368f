/* cmd_review.c - `vaxsync review`: the review loop from the command line.
 * Thin: every subcommand is one engine call (vs_engine_worklist,
 * vs_engine_explain, vs_engine_history, vs_engine_decide). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/engine.h"
#include "vaxsync/reasons.h"
#include "vaxsync/report.h"
#include "vaxsync/xlsx.h"

static const char review_usage[] =
    "usage: vaxsync review SUBCOMMAND [options] --as USER [--role ROLE]\n"
    "  list (--facility CODE | --commune CODE) [--after RID] [--limit N]\n"
    "                                    one page of a worklist\n"
    "  show FACILITY RECORD              the record, its versions, link, comparison, decisions\n"
    "  history CITIZEN                   a citizen's reports, checks and postings\n"
    "  confirm FACILITY RECORD [--citizen ID]   the proposed candidate is the person\n"
    "  choose FACILITY RECORD --citizen ID      another citizen is the person\n"
    "  reject FACILITY RECORD [--citizen ID]    the proposed candidate is not the person\n"
    "  not-registered FACILITY RECORD           the person is not in the registry\n"
    "  correct FACILITY RECORD --set FIELD=VALUE [--set ...]   corrected fields, linked again\n"
    "  withdraw FACILITY RECORD                 the facility sent the record by mistake\n"
    "  resolve FACILITY RECORD --drop FACILITY2 RECORD2   of two conflicting reports, the\n"
    "                                    second is wrong\n"
    "  import FILE [--sheet S] [--result FILE2]   a filled-in commune worklist (`vaxsync\n"
    "                                    worklist --commune`, CSV or .xlsx; --sheet: the\n"
    "                                    workbook's sheet, name or number, default the first):\n"
    "                                    each row's decision as above; FILE2 (default\n"
    "                                    FILE.result.csv) gets a result column\n"
    "Options:\n"
    "  --db FILE        the store (default vaxsync.db)\n"
    "  --as USER        who decides (required for decisions; kept with each one)\n"
    "  --role ROLE      facility | commune | manager | admin (default commune)\n"
    "  --note TEXT      kept with the decision\n"
    "  --today DATE     YYYY-MM-DD used as today (default: the system date)\n"
    "FIELD is a shots.csv column: full_name, dob, sex, id_number, phone, address, vaccine,\n"
    "lot, dose, shot_date. Every decision re-verifies the citizens it touches and posts or\n"
    "withdraws their shots exactly once.\n";

typedef struct review_args {
	const char *db, *as, *note, *facility, *commune, *citizen, *drop_fac, *drop_rec, *result, *sheet;
	int role;
	long long after, limit;
	vs_date today;
	const char *pos[3];
	int npos;
	const char *set[VS_SHOT_COL_COUNT];
} review_args;

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "vaxsync review: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
	vs_cli_usage(stderr, "review", review_usage, true);
	return VS_EXIT_USAGE;
}

static int set_field(review_args *a, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq)
		return usage_error(VS_CLI_T("--set takes FIELD=VALUE:"), kv);
	for (int k = 0; k < VS_SHOT_COL_COUNT; k++) {
		const char *name = vs_schema_shots[k].name;
		if (strlen(name) == (size_t)(eq - kv) && !strncmp(name, kv, (size_t)(eq - kv))) {
			if (k == VS_SHOT_FACILITY_CODE || k == VS_SHOT_RECORD_ID)
				return usage_error(VS_CLI_T("the record's key cannot be corrected:"), kv);
			a->set[k] = eq + 1;
			return 0;
		}
	}
	return usage_error(VS_CLI_T("unknown field in --set:"), kv);
}

static int parse(review_args *a, vs_cli_common *c, int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		bool has = i + 1 < argc;
		int cr = vs_cli_common_opt(c, argc, argv, &i);
		if (cr < 0)
			return VS_EXIT_USAGE;
		if (cr > 0)
			continue;
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			vs_cli_usage(stdout, "review", review_usage, true);
			return -1;
		} else if (!strcmp(s, "--db") && has) {
			a->db = argv[++i];
		} else if (!strcmp(s, "--as") && has) {
			a->as = argv[++i];
		} else if (!strcmp(s, "--role") && has) {
			if (!(a->role = vs_engine_role_from_name(argv[++i])))
				return usage_error(VS_CLI_T("unknown role"), argv[i]);
		} else if (!strcmp(s, "--result") && has) {
			a->result = argv[++i];
		} else if (!strcmp(s, "--sheet") && has) {
			a->sheet = argv[++i];
		} else if (!strcmp(s, "--note") && has) {
			a->note = argv[++i];
		} else if (!strcmp(s, "--facility") && has) {
			a->facility = argv[++i];
		} else if (!strcmp(s, "--commune") && has) {
			a->commune = argv[++i];
		} else if (!strcmp(s, "--citizen") && has) {
			a->citizen = argv[++i];
		} else if (!strcmp(s, "--after") && has) {
			char *end = NULL;
			a->after = strtoll(argv[++i], &end, 10); /* rejected rows have negative numbers */
			if (!*argv[i] || *end)
				return usage_error(VS_CLI_T("--after takes a record number"), NULL);
		} else if (!strcmp(s, "--limit") && has) {
			if ((a->limit = vs_cli_parse_count(argv[++i])) <= 0)
				return usage_error(VS_CLI_T("--limit takes a positive count"), NULL);
		} else if (!strcmp(s, "--today") && has) {
			if (!vs_cli_parse_date(argv[++i], &a->today))
				return usage_error(VS_CLI_T("--today takes YYYY-MM-DD"), NULL);
		} else if (!strcmp(s, "--set") && has) {
			if (set_field(a, argv[++i]))
				return VS_EXIT_USAGE;
		} else if (!strcmp(s, "--drop") && i + 2 < argc) {
			a->drop_fac = argv[++i];
			a->drop_rec = argv[++i];
		} else if (s[0] != '-' && a->npos < 3) {
			a->pos[a->npos++] = s;
		} else {
			return usage_error(VS_CLI_T("unknown or incomplete option"), s);
		}
	}
	return 0;
}

static int print_item(void *ud, const vs_store_worklist_item *it)
{
	int64_t *last = ud;
	*last = it->rid;
	/* the stored suggestion is English; Vietnamese is made from the codes */
	char vi[sizeof(it->suggestion)], evidence[3 * sizeof(it->evidence)];
	bool en = vs_lang_default() == VS_LANG_EN;
	if (!en)
		vs_reason_actions_text(it->reasons, VS_LANG_VI, vi, sizeof(vi));
	vs_engine_evidence_text(it->evidence, vs_lang_default(), evidence, sizeof(evidence));
	printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\n\t%s\n\t%s\n", (long long)it->rid, it->facility_code,
	       it->record_id, it->category, it->citizen_id[0] ? it->citizen_id : "-",
	       it->commune_code[0] ? it->commune_code : "-", it->reasons, en || !vi[0] ? it->suggestion : vi,
	       evidence);
	return 0;
}

static const char *link_name(uint8_t d)
{
	return d == VS_STORE_LINK_AUTO        ? "auto"
	       : d == VS_STORE_LINK_REVIEW    ? "review"
	       : d == VS_STORE_LINK_CONFIRMED ? "confirmed"
	                                      : "unlinked";
}

static void print_outcome(const char *fac, const char *rec, const vs_engine_outcome *o)
{
	static const char *const checks[] = {"posted", "needs review", "needs correction"};
	printf("%s/%s version %d: %s %s%s%s; %s\n", fac, rec, o->version, link_name(o->decision),
	       o->citizen_id[0] ? o->citizen_id : "-", o->link_reasons[0] ? " " : "", o->link_reasons,
	       o->check_status >= 0 && o->check_status <= 2 ? checks[o->check_status] : "not posted");
}

static int decide(vs_engine_session *ss, const review_args *a, int action)
{
	vs_error err;
	vs_engine_outcome out;
	memset(&err, 0, sizeof(err));
	if (a->npos != 2)
		return usage_error(VS_CLI_T("give FACILITY RECORD"), NULL);
	if (!a->as || !a->as[0])
		return usage_error(VS_CLI_T("a decision needs --as USER"), NULL);
	vs_engine_actor who = {.name = a->as, .role = a->role ? a->role : VS_ROLE_COMMUNE};
	vs_engine_decision d;
	memset(&d, 0, sizeof(d));
	d.action = action;
	d.facility_code = a->pos[0];
	d.record_id = a->pos[1];
	d.citizen_id = a->citizen;
	d.note = a->note;
	d.drop_facility_code = a->drop_fac;
	d.drop_record_id = a->drop_rec;
	memcpy(d.fields, a->set, sizeof(d.fields));
	vs_rc rc = vs_engine_decide(ss, &who, &d, &out, &err);
	if (rc) {
		vs_cli_print_error(&err);
		return rc == VS_ERR_DENIED || rc == VS_ERR_ARG ? VS_EXIT_USAGE : vs_rc_exit_code(rc);
	}
	print_outcome(a->pos[0], a->pos[1], &out);
	return VS_EXIT_OK;
}

/* FILE.csv -> FILE.result.csv */
static void result_path(const char *in, char *out, size_t len)
{
	const char *dot = strrchr(in, '.'), *slash = strrchr(in, '/');
	int stem = dot && (!slash || dot > slash) ? (int)(dot - in) : (int)strlen(in);
	snprintf(out, len, "%.*s.result.csv", stem, in);
}

static int import_list(vs_engine_session *ss, const review_args *a)
{
	vs_error err;
	vs_report_source src;
	vs_report_import_stats st;
	vs_csv_writer *w = NULL;
	char rpath[4200];
	memset(&err, 0, sizeof(err));
	if (a->npos != 1)
		return usage_error(VS_CLI_T("import takes FILE"), NULL);
	if (!a->as || !a->as[0])
		return usage_error(VS_CLI_T("import needs --as USER"), NULL);
	result_path(a->pos[0], rpath, sizeof(rpath));
	const char *rp = a->result ? a->result : rpath;
	vs_engine_actor who = {.name = a->as, .role = a->role ? a->role : VS_ROLE_COMMUNE};
	/* a workbook by its content, whatever its name (an .xlsx saved as .csv
	 * or the other way round is still read right) */
	vs_rc rc = vs_xlsx_sniff_file(a->pos[0]) != VS_XLSX_SNIFF_NONE ||
	                   vs_report_format_of(a->pos[0]) == VS_REPORT_XLSX
	               ? vs_report_source_xlsx(&src, a->pos[0], a->sheet, &err)
	               : vs_report_source_csv(&src, a->pos[0], &err);
	if (rc) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	if (!(rc = vs_csv_writer_open(&w, rp, &err))) {
		vs_csv_writer_set_flags(w, VS_CSV_W_PEOPLE);
		rc = vs_report_import(ss, &who, &src, w, vs_lang_default(), &st, &err);
		vs_rc crc = vs_csv_writer_commit(w, rc ? NULL : &err);
		rc = rc ? rc : crc;
	}
	src.close(src.ud);
	if (rc) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	printf(VS_CLI_T("%llu rows: %llu applied, %llu refused, %llu without a decision; results in %s\n"),
	       (unsigned long long)st.rows, (unsigned long long)st.applied, (unsigned long long)st.refused,
	       (unsigned long long)st.skipped, rp);
	return st.refused ? VS_EXIT_DATA : VS_EXIT_OK;
}

static int run_sub(vs_engine_session *ss, const char *sub, const review_args *a)
{
	vs_error err;
	vs_buf b;
	vs_rc rc = VS_OK;
	memset(&err, 0, sizeof(err));
	vs_buf_init(&b, (size_t)4 << 20);
	if (!strcmp(sub, "list")) {
		if (!a->facility == !a->commune)
			return usage_error(
			    VS_CLI_T("list takes exactly one of --facility CODE or --commune CODE"), NULL);
		int64_t last = a->after;
		rc = vs_engine_worklist(ss, a->facility ? VS_STORE_WL_FACILITY : VS_STORE_WL_COMMUNE,
		                        a->facility ? a->facility : a->commune, a->after,
		                        (size_t)(a->limit ? a->limit : 50), print_item, &last, &err);
		if (!rc && last != a->after)
			printf("next page: --after %lld\n", (long long)last);
	} else if (!strcmp(sub, "show")) {
		if (a->npos != 2)
			return usage_error(VS_CLI_T("show takes FACILITY RECORD"), NULL);
		rc = vs_engine_explain(ss, a->pos[0], a->pos[1], vs_lang_default(), &b, &err);
	} else if (!strcmp(sub, "history")) {
		if (a->npos != 1)
			return usage_error(VS_CLI_T("history takes CITIZEN"), NULL);
		rc = vs_engine_history(ss, a->pos[0], vs_lang_default(), &b, &err);
	} else if (!strcmp(sub, "import")) {
		vs_buf_free(&b);
		return import_list(ss, a);
	} else {
		int action = vs_engine_action_from_name(sub);
		vs_buf_free(&b);
		if (!action)
			return usage_error(VS_CLI_T("unknown subcommand"), sub);
		return decide(ss, a, action);
	}
	/* every read of personal data by a person is audited */
	if (!rc) {
		char subject[160];
		snprintf(subject, sizeof(subject), "%s %s",
		         a->npos > 0   ? a->pos[0]
		         : a->facility ? a->facility
		                       : a->commune,
		         a->npos > 1 ? a->pos[1] : "");
		char action[32];
		snprintf(action, sizeof(action), "read:%s", sub);
		/* the person named by --as, else whoever runs the command */
		char user[VS_CLI_USER_LEN];
		rc = vs_store_audit(vs_engine_store(ss),
		                    a->as && a->as[0] ? a->as : vs_cli_os_user(user, sizeof(user)), action,
		                    subject, NULL, &err);
	}
	if (!rc && b.len)
		fwrite(b.data, 1, b.len, stdout);
	vs_buf_free(&b);
	if (rc) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	return VS_EXIT_OK;
}

int vs_cmd_review(int argc, char **argv)
{
	vs_cli_common c;
	review_args a;
	vs_error err;
	memset(&a, 0, sizeof(a));
	memset(&err, 0, sizeof(err));
	a.db = "vaxsync.db";
	a.after = INT64_MIN; /* from the first item (rejected rows have negative numbers) */
	vs_cli_common_init(&c);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		vs_cli_usage(stdout, "review", review_usage, true);
		return argc < 2 ? VS_EXIT_USAGE : VS_EXIT_OK;
	}
	int pr = parse(&a, &c, argc, argv);
	if (pr)
		return pr < 0 ? VS_EXIT_OK : pr;
	const char *path = strncmp(a.db, "sqlite:", 7) ? a.db : a.db + 7;
	bool pg = !strncmp(a.db, "postgres:", 9) || !strncmp(a.db, "postgresql:", 11); /* a server */
	if (!pg && access(path, R_OK)) {
		fprintf(stderr, VS_CLI_T("vaxsync %s: no store at %s (run `vaxsync run` first)\n"), "review",
		        path);
		return VS_EXIT_USAGE;
	}
	vs_engine_opts eo = {.db_uri = a.db, .today = a.today, .threads = 1, .quiet = true};
	if (!(eo.refdata = vs_cli_refdata(&c)))
		return VS_EXIT_USAGE;
	vs_engine *e = NULL;
	vs_rc rc = vs_engine_open(&e, &eo, &err);
	if (rc) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	int code = run_sub(vs_engine_main(e), argv[1], &a);
	vs_engine_close(e);
	return code;
}

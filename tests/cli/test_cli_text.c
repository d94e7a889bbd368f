/* test_cli_text.c - every message of the front end for people has its
 * Vietnamese (src/cli/cli_text.c): present, not a copy of the English, valid
 * UTF-8 in NFC, with the same printf conversions in the same order and the
 * same line breaks at its ends; and every VS_CLI_T("...") of src/cli is in
 * the table (a message added without its Vietnamese fails here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "cli/cli.h"
#include "vaxsync/linkfiles.h"

/* The printf conversions of fmt ("%s%llu..."; "%%" left out) into out. */
static void conversions(const char *fmt, char *out, size_t len)
{
	size_t o = 0;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		const char *start = p++;
		while (*p && !strchr("diouxXeEfFgGaAcspn", *p))
			p++;
		for (const char *q = start; q <= p && *q && o + 1 < len; q++)
			out[o++] = *q;
		if (!*p)
			break;
	}
	out[o] = '\0';
}

/* 1 when s is not valid UTF-8 in NFC (said on stderr), else 0 */
static int check_nfc(const char *s)
{
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &nfc,
	                                  UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	int bad = n < 0 || strcmp((const char *)nfc, s);
	if (bad)
		fprintf(stderr, "not valid UTF-8 in NFC: \"%s\"\n", s);
	free(nfc);
	return bad;
}

static int check_msg(const vs_cli_msg *m)
{
	int bad = 0;
	char ce[256], cv[256];
	if (!m->vi || !m->vi[0]) {
		fprintf(stderr, "no Vietnamese for \"%s\"\n", m->en);
		return 1;
	}
	if (!strcmp(m->vi, m->en)) {
		fprintf(stderr, "the Vietnamese is the English: \"%s\"\n", m->en);
		bad++;
	}
	bad += check_nfc(m->vi);
	conversions(m->en, ce, sizeof(ce));
	conversions(m->vi, cv, sizeof(cv));
	if (strcmp(ce, cv)) {
		fprintf(stderr, "conversions differ (%s / %s): \"%s\"\n", ce, cv, m->en);
		bad++;
	}
	size_t le = strlen(m->en), lv = strlen(m->vi);
	if ((m->en[0] == '\n') != (m->vi[0] == '\n') || (m->en[le - 1] == '\n') != (m->vi[lv - 1] == '\n')) {
		fprintf(stderr, "line breaks differ: \"%s\"\n", m->en);
		bad++;
	}
	return bad;
}

static void test_table(void **state)
{
	(void)state;
	size_t count = 0;
	const vs_cli_msg *t = vs_cli_messages(&count);
	int bad = 0;
	assert_true(count > 40);
	for (size_t i = 0; i < count; i++) {
		bad += check_msg(&t[i]);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(t[i].en, t[k].en)) {
				fprintf(stderr, "twice in the table: \"%s\"\n", t[i].en);
				bad++;
			}
	}
	assert_int_equal(bad, 0);
}

/* The evaluation report's texts (src/linkfiles/eval.c: `vaxsync eval` for
 * people is in Vietnamese) by the same rules. */
static void test_eval_table(void **state)
{
	(void)state;
	size_t count = vs_link_eval_text_count();
	int bad = 0;
	assert_true(count >= 10);
	for (size_t i = 0; i < count; i++) {
		vs_cli_msg m;
		assert_true(vs_link_eval_text(i, &m.en, &m.vi));
		bad += check_msg(&m);
	}
	const char *en, *vi;
	assert_false(vs_link_eval_text(count, &en, &vi));
	assert_int_equal(bad, 0);
}

/* Reads a C string literal (or adjacent ones) at p into out; returns the
 * position after the last, NULL when p is no literal. */
static const char *literal(const char *p, char *out, size_t len)
{
	size_t o = 0;
	bool any = false;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p != '"')
			break;
		any = true;
		for (p++; *p && *p != '"'; p++) {
			char c = *p;
			if (c == '\\') {
				c = *++p;
				c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
			}
			if (o + 1 < len)
				out[o++] = c;
		}
		if (*p)
			p++;
	}
	out[o] = '\0';
	return any ? p : NULL;
}

static int scan_file(const char *path, size_t *uses)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	int bad = 0;
	char en[2048];
	for (const char *p = text; (p = strstr(p, "VS_CLI_T(")) != NULL;) {
		p += strlen("VS_CLI_T(");
		const char *end = literal(p, en, sizeof(en));
		if (!end)
			continue; /* the macro's own definition */
		++*uses;
		if (vs_cli_text_lang(en, VS_LANG_VI) == vs_cli_text_lang(en, VS_LANG_EN)) {
			fprintf(stderr, "%s: not in src/cli/cli_text.c: \"%s\"\n", path, en);
			bad++;
		}
		p = end;
	}
	return bad;
}

static void test_every_use_in_table(void **state)
{
	(void)state;
	const char *tests = getenv("VS_TEST_DATA");
	assert_non_null(tests);
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/../src/cli", tests);
	DIR *d = opendir(dir);
	assert_non_null(d);
	int bad = 0;
	size_t uses = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		if (len < 3 || strcmp(e->d_name + len - 2, ".c"))
			continue;
		char path[1300];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		bad += scan_file(path, &uses);
	}
	closedir(d);
	assert_int_equal(bad, 0);
	assert_true(uses > 40);
}

static void test_lookup(void **state)
{
	(void)state;
	const char *en = "vaxsync worklist: %llu items\n";
	assert_ptr_equal(vs_cli_text_lang(en, VS_LANG_EN), en);
	assert_string_equal(vs_cli_text_lang(en, VS_LANG_VI), "vaxsync worklist: %llu việc cần xử lý\n");
	vs_lang_set_default(VS_LANG_EN);
	assert_ptr_equal(vs_cli_text(en), en);
	vs_lang_set_default(VS_LANG_VI);
	assert_string_equal(vs_cli_text(en), "vaxsync worklist: %llu việc cần xử lý\n");
	/* a text not in the table is itself, whatever the language */
	assert_string_equal(vs_cli_text_lang("not a message", VS_LANG_VI), "not a message");
}

/* Each command's Vietnamese help and summary (src/cli/cli_help.c): present,
 * valid UTF-8 in NFC, each command once. Their options against the English
 * are checked on the real program by test_cli. */
static void test_help_table(void **state)
{
	(void)state;
	size_t nh = 0, ns = 0;
	const vs_cli_help_text *h = vs_cli_help_texts(&nh);
	const vs_cli_help_text *sm = vs_cli_summaries(&ns);
	int bad = 0;
	assert_true(nh >= 16);
	assert_true(ns >= 14);
	for (size_t i = 0; i < nh + ns; i++) {
		const vs_cli_help_text *e = i < nh ? &h[i] : &sm[i - nh];
		if (!e->vi || strlen(e->vi) < 10 || !strchr(e->vi, ' ')) {
			fprintf(stderr, "no Vietnamese help for %s\n", e->cmd);
			bad++;
			continue;
		}
		bad += check_nfc(e->vi);
		if (i < nh && (e->vi[strlen(e->vi) - 1] != '\n' || strchr(e->vi, '%'))) {
			fprintf(stderr, "the help of %s must end with a line break and print as it is\n",
			        e->cmd);
			bad++;
		}
		for (size_t k = i < nh ? 0 : nh; k < i; k++)
			if (!strcmp((k < nh ? &h[k] : &sm[k - nh])->cmd, e->cmd)) {
				fprintf(stderr, "twice: %s\n", e->cmd);
				bad++;
			}
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_eval_table),
	    cmocka_unit_test(test_every_use_in_table),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_help_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

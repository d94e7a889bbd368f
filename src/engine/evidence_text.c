/* evidence_text.c - a worklist item's evidence for people in their language.
 *
 * The store keeps the evidence as the engine writes it: a few fixed English
 * phrases around the record's own values ("record: NAME, born 1961-06-24,
 * id -, commune 02905; vaccine CODE (NAME), dose 2, shot 2022-07-14;
 * candidate ID: family=exact(+3.0) ... total -16.16; no second candidate").
 * For Vietnamese the phrases, the comparison names and their levels (the
 * link library's words, vs_link_word_text) are replaced, a phrase only where
 * it starts a word, and ISO dates become dd/mm/yyyy. Values pass unchanged (names, codes, the vaccine's
 * product name), and so does anything not in the tables, such as a comparison level added later; the row as
 * sent, after "; row: ", is copied as it is. */
#include <pthread.h>
#include <string.h>

#include "vaxsync/engine.h"
#include "vaxsync/link.h"

typedef struct phrase {
	const char *en, *vi;
} phrase;

/* Fixed phrases of src/engine (submit.c, verify_post.c, reader.c, review.c). */
static const phrase phrases[] = {
    {"record: ", "bản ghi: "},
    {"born ", "ngày sinh "},
    {"id ", "số giấy tờ "},
    {"commune ", "mã xã "},
    {"vaccine ", "vắc xin "},
    {"dose ", "mũi "},
    {"shot ", "ngày tiêm "},
    {"no second candidate", "không có người thứ hai"},
    {"no candidate", "không tìm thấy công dân phù hợp"},
    {"candidates ", "số người được so "},
    {"candidate ", "công dân đề xuất "},
    {"second ", "người thứ hai "},
    {"total ", "tổng điểm "},
    {"levels ", "các mức so khớp "},
    {"events of this citizen: ", "số mũi của công dân: "},
    {"event ", "mã mũi tiêm "},
    {"other reports of dose: ", "báo cáo khác của mũi này: "},
    {"posted once as ", "đã ghi nhận một lần với ngày tiêm "},
    {" from another report of the same shot", " theo một báo cáo khác của cùng mũi tiêm"},
    {"withdrawn by the facility", "cơ sở tiêm chủng đã rút bản ghi"},
    {"dropped by ", "bị loại bởi "},
    {" in favour of report ", ", giữ báo cáo "},
    /* why a row was rejected: the readers' messages (src/ingest/csv_read.c, src/engine/reader.c),
     * their numbers and names kept between the phrases */
    {"field count differs from the header", "số cột khác với dòng tiêu đề"},
    {"a record needs a facility code and a record id", "bản ghi cần có mã cơ sở tiêm chủng và mã bản ghi"},
    {"a record needs a value in its id column ", "bản ghi cần có giá trị ở cột mã định danh "},
    {"facility ", "cơ sở "},
    {" record ", " bản ghi "},
    {"the id ", "mã định danh "},
    {"is also on line ", "cũng có ở dòng "},
    {"is also on row ", "cũng có ở dòng "},
    {" of this file", " của tệp này"},
    {"the record id is longer than ", "mã bản ghi dài hơn "},
    {"the facility code is longer than ", "mã cơ sở tiêm chủng dài hơn "},
    {"the id column ", "cột mã định danh "},
    {" is longer than ", " dài hơn "},
    {"field longer than ", "có một trường dài hơn "},
    {"row longer than ", "dòng dài hơn "},
    {"more than ", "nhiều hơn "},
    {" bytes", " byte"},
    {" fields", " trường"},
    {"row skipped", "đã bỏ qua dòng này"},
    {"line skipped", "đã bỏ qua dòng này"},
    {"reading goes on at line ", "đọc tiếp từ dòng "},
    {"quoted field not closed before end of file",
     "trường mở bằng dấu ngoặc kép chưa được đóng khi đã hết tệp"},
    {"the quote opening field ", "dấu ngoặc kép mở trường thứ "},
    {" is not closed on its line and the row then has ", " không được đóng trên dòng đó, nên dòng có "},
    {" fields, not ", " trường thay vì "},
    {" is not closed within ", " không được đóng trong vòng "},
    {"invalid UTF-8 at byte ", "ký tự UTF-8 không hợp lệ ở byte "},
    {"invalid UTF-16LE text (a lone surrogate) at byte ",
     "văn bản UTF-16LE không hợp lệ (một nửa cặp thay thế đứng riêng) ở byte "},
    {"invalid UTF-16BE text (a lone surrogate) at byte ",
     "văn bản UTF-16BE không hợp lệ (một nửa cặp thay thế đứng riêng) ở byte "},
    {" of the row", " của dòng"},
    {"the row repeats the header (two exports joined?)",
     "dòng này lặp lại dòng tiêu đề (hai tệp xuất bị nối vào nhau?)"},
    {"a row above the header (a title or a note) is not a record",
     "dòng nằm phía trên dòng tên cột (tên báo cáo hoặc ghi chú), không phải một bản ghi"},
    {"the row numbers the columns (1, 2, 3 ...)", "dòng này đánh số các cột (1, 2, 3 ...)"},
    {"not a record", "không phải một bản ghi"},
    {"the record's fields hold more than ", "các trường của bản ghi cộng lại dài hơn "},
    {" KiB together", " KiB"},
    {"not a person's data", "không phải dữ liệu của một người"},
};

#define PHRASES (sizeof(phrases) / sizeof(phrases[0]))

/* The phrases by first byte (a counting sort, made once): a word start
 * looks at the few that can begin there, not at every phrase. */
_Static_assert(PHRASES < 256, "by_first holds phrase numbers in a byte");
static unsigned char by_first[PHRASES];
static unsigned short first_at[257];
static pthread_once_t by_first_once = PTHREAD_ONCE_INIT;

static void by_first_make(void)
{
	unsigned short at[257] = {0};
	for (size_t k = 0; k < PHRASES; k++)
		first_at[(unsigned char)phrases[k].en[0] + 1]++;
	for (int c = 0; c < 256; c++)
		first_at[c + 1] += first_at[c];
	memcpy(at, first_at, sizeof(at));
	for (size_t k = 0; k < PHRASES; k++)
		by_first[at[(unsigned char)phrases[k].en[0]]++] = (unsigned char)k;
}

static bool word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-' || c >= 0x80;
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

typedef struct out_buf {
	char *p;
	size_t cap, len;
	bool full;
} out_buf;

static void put(out_buf *o, const char *s, size_t n)
{
	if (o->full)
		return;
	if (o->len + n >= o->cap) {
		o->full = true; /* cut whole: never half of a UTF-8 sequence */
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void puts_(out_buf *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Bytes of the UTF-8 sequence that starts with c (1 for a stray byte). */
static size_t seq_len(unsigned char c)
{
	return c >= 0xF0 && c <= 0xF7 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* s[0..n) whole sequences at a time, as many as fit. */
static void put_cut(out_buf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && !o->full;) {
		size_t k = seq_len((unsigned char)s[i]);
		if (i + k > n)
			k = n - i;
		put(o, s + i, k);
		i += k;
	}
}

/* "NAME=LEVEL(" at s: the two translated; the length consumed, or 0. */
static size_t comparison(out_buf *o, const char *s)
{
	size_t n = 0;
	while (s[n] && (word_char((unsigned char)s[n]) && s[n] != '-'))
		n++;
	if (!n || s[n] != '=')
		return 0;
	size_t l0 = n + 1, l = l0;
	while (s[l] && word_char((unsigned char)s[l]))
		l++;
	if (s[l] != '(')
		return 0;
	const char *f = vs_link_word_text(VS_LINK_WORD_COMPARISON, s, n, VS_LANG_VI);
	const char *v = vs_link_word_text(VS_LINK_WORD_LEVEL, s + l0, l - l0, VS_LANG_VI);
	if (f)
		puts_(o, f);
	else
		put(o, s, n);
	put(o, "=", 1);
	if (v)
		puts_(o, v);
	else
		put(o, s + l0, l - l0);
	return l;
}

size_t vs_engine_evidence_text(const char *en, vs_lang lang, char *out, size_t cap)
{
	out_buf o = {.p = out, .cap = cap};
	if (!cap)
		return 0;
	out[0] = '\0';
	if (!en)
		return 0;
	if (lang == VS_LANG_EN) {
		puts_(&o, en);
		return o.len;
	}
	pthread_once(&by_first_once, by_first_make);
	static const char row[] = "; row: ";
	const char *end = strstr(en, row);
	size_t stop = end ? (size_t)(end - en) : strlen(en);
	size_t i = 0;
	while (i < stop && !o.full) {
		bool start = i == 0 || !word_char((unsigned char)en[i - 1]);
		/* an ISO date yyyy-mm-dd as dd/mm/yyyy */
		if (start && i + 10 <= stop && digit(en[i]) && digit(en[i + 1]) && digit(en[i + 2]) &&
		    digit(en[i + 3]) && en[i + 4] == '-' && digit(en[i + 5]) && digit(en[i + 6]) &&
		    en[i + 7] == '-' && digit(en[i + 8]) && digit(en[i + 9]) &&
		    (i + 10 == stop || !word_char((unsigned char)en[i + 10]))) {
			char d[11] = {en[i + 8], en[i + 9], '/',       en[i + 5], en[i + 6], '/',
			              en[i],     en[i + 1], en[i + 2], en[i + 3], '\0'};
			puts_(&o, d);
			i += 10;
			continue;
		}
		size_t best = 0;
		const char *vi = NULL;
		/* a phrase starts a word or, for the few that begin with a space, at a space:
		 * elsewhere (most bytes) nothing is looked up (worklist pages run this per item) */
		unsigned char c = (unsigned char)en[i];
		size_t hi = start || c == ' ' ? first_at[c + 1] : 0;
		for (size_t j = start || c == ' ' ? first_at[c] : 0; j < hi; j++) {
			size_t k = by_first[j], n = strlen(phrases[k].en);
			if (n > best && i + n <= stop && !memcmp(en + i, phrases[k].en, n)) {
				best = n;
				vi = phrases[k].vi;
			}
		}
		if (start && !best) {
			size_t used = comparison(&o, en + i);
			if (used) {
				i += used;
				continue;
			}
		}
		if (best) {
			puts_(&o, vi);
			i += best;
			continue;
		}
		size_t k = seq_len((unsigned char)en[i]);
		if (i + k > stop)
			k = stop - i;
		put(&o, en + i, k);
		i += k;
	}
	if (end) {
		puts_(&o, "; dòng gửi: ");
		put_cut(&o, end + sizeof(row) - 1, strlen(end + sizeof(row) - 1));
	}
	return o.len;
}

/* core.h - result codes, errors, allocation, arena, buffers, UTF-8, dates, hashing,
 * parallel loops, logging, progress.
 *
 * Ownership rule (holds for the whole public API): arguments are borrowed;
 * a function that returns a new object says so, and the caller frees it with
 * the matching *_free, which accepts NULL. */
#ifndef VAXSYNC_CORE_H
#define VAXSYNC_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VS_VERSION "0.1.0"

#define VS_MUST_CHECK __attribute__((warn_unused_result))
#define VS_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* One result-code type for every fallible function. 0 is success. */
typedef enum vs_rc {
	VS_OK = 0,
	VS_DONE,         /* end of a stream; not an error */
	VS_ERR_NOMEM,    /* an allocation failed */
	VS_ERR_IO,       /* open/read/write failed */
	VS_ERR_PARSE,    /* malformed input (a row or field); the stream may go on */
	VS_ERR_LIMIT,    /* a cap on input size was exceeded */
	VS_ERR_ARG,      /* bad argument or usage */
	VS_ERR_NOTFOUND, /* a looked-up thing does not exist */
	VS_ERR_ENCODING, /* invalid text encoding */
	VS_ERR_DB,       /* storage backend failure */
	VS_ERR_INTERNAL, /* a bug or impossible state */
	VS_ERR_DENIED,   /* the actor's role or area does not allow it */
	VS_ERR_WRITE     /* an output file could not be written (disk full, no permission, a
	                    symbolic link at the path): not the input's fault, exit 3 */
} vs_rc;

/* Returns a static, stable name such as "VS_ERR_PARSE". */
const char *vs_rc_str(vs_rc rc);

/* Process exit codes of the command-line tool (docs/exit-codes.md). */
enum { VS_EXIT_OK = 0, VS_EXIT_DATA = 1, VS_EXIT_USAGE = 2, VS_EXIT_INTERNAL = 3 };
/* Maps a result code to an exit code. */
int vs_rc_exit_code(vs_rc rc);

/* Where and why something failed. Every member is optional (0 / empty). */
typedef struct vs_error {
	vs_rc code;
	char message[256];
	char file[256];  /* input file name, or empty */
	uint64_t line;   /* 1-based line in file, 0 if unknown */
	uint64_t column; /* 1-based column (field index for CSV), 0 if unknown */
	char field[64];  /* field / column name, or empty */
	char reason[48]; /* a reason code (docs/reason-codes.md), or empty */
} vs_error;

/* Fills err (if not NULL) and returns code, so callers can write
 * `return vs_error_set(err, VS_ERR_PARSE, ...)`. file/field may be NULL. */
vs_rc vs_error_set(vs_error *err, vs_rc code, const char *file, uint64_t line, uint64_t column,
                   const char *field, const char *fmt, ...) VS_PRINTF(7, 8);
/* Sets err->reason; no-op on NULL. */
void vs_error_reason(vs_error *err, const char *reason);
void vs_error_clear(vs_error *err);
/* Formats as "file:line:column: field: message [REASON]"; returns the length
 * that would have been written (snprintf semantics). */
int vs_error_format(const vs_error *err, char *buf, size_t buf_len);

/* ---- allocation ----
 * Wrappers over malloc; return NULL on failure. vs_alloc_fail_nth(n) makes the
 * n-th allocation from now (1-based) fail, for tests; 0 disables. */
void *vs_malloc(size_t size);
void *vs_calloc(size_t count, size_t size);
void *vs_realloc(void *ptr, size_t size);
void *vs_reallocarray(void *ptr, size_t count, size_t size); /* overflow-checked */
char *vs_strdup(const char *s);
char *vs_strndup(const char *s, size_t len);
void vs_free(void *ptr);
void vs_alloc_fail_nth(uint64_t n);
uint64_t vs_alloc_count(void); /* allocations made so far (for tests) */

/* ---- arena: bump allocator freed all at once ---- */
typedef struct vs_arena_block vs_arena_block;
typedef struct vs_arena {
	vs_arena_block *head;
	size_t block_size;
	size_t total_len; /* bytes handed out */
} vs_arena;
void vs_arena_init(vs_arena *a, size_t block_size);
void *vs_arena_alloc(vs_arena *a, size_t size); /* 8-aligned; NULL on failure */
char *vs_arena_strndup(vs_arena *a, const char *s, size_t len);
void vs_arena_reset(vs_arena *a); /* keeps the first block */
void vs_arena_free(vs_arena *a);

/* ---- growable byte buffer with a cap ----
 * data is always NUL-terminated when len > 0 or after any append.
 * Appending past max_len fails with VS_ERR_LIMIT and leaves the buffer unchanged. */
typedef struct vs_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max_len;
} vs_buf;
void vs_buf_init(vs_buf *b, size_t max_len);
vs_rc vs_buf_append(vs_buf *b, const void *data, size_t len) VS_MUST_CHECK;
vs_rc vs_buf_putc(vs_buf *b, char c) VS_MUST_CHECK;
vs_rc vs_buf_puts(vs_buf *b, const char *s) VS_MUST_CHECK;
vs_rc vs_buf_printf(vs_buf *b, const char *fmt, ...) VS_PRINTF(2, 3) VS_MUST_CHECK;
/* s padded with spaces to width characters (UTF-8 code points, not bytes: a
 * Vietnamese word has more bytes than letters), on the left when right is true
 * (a right-aligned cell); s longer than width is written whole. */
vs_rc vs_buf_cell(vs_buf *b, const char *s, size_t width, bool right) VS_MUST_CHECK;
vs_rc vs_buf_reserve(vs_buf *b, size_t extra) VS_MUST_CHECK;
void vs_buf_reset(vs_buf *b);
void vs_buf_free(vs_buf *b);

/* ---- UTF-8 ---- */
/* True if s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
 * On false, *bad_off (if not NULL) is the byte offset of the first bad byte. */
bool vs_utf8_valid(const char *s, size_t len, size_t *bad_off);
/* Decodes one code point at s (len > 0); returns bytes consumed (1..4),
 * or 0 for an invalid sequence (then *cp = U+FFFD). */
size_t vs_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encodes cp into out (>= 4 bytes); returns bytes written. */
size_t vs_utf8_encode(uint32_t cp, char *out);
/* Text whose UTF-8 bytes were read in a Western code page (Windows-1252 or -1258, or Latin-1) and
 * saved again as UTF-8 ("Nguyá»…n" for "Nguyễn"). vs_cp125x_byte: the byte such a decoder turned
 * into cp (Latin-1 and its C1 controls, Windows-1252's signs, Windows-1258's letters and marks),
 * -1 if none. vs_utf8_misread_bytes: the bytes of s back, each U+FFFD (a byte a strict decoder
 * had no character for) as VS_MISREAD_HOLE, into b (cap entries); returns the count, 0 when a
 * character has no byte, no byte is beyond ASCII, there are more than VS_MISREAD_HOLES_MAX holes,
 * or cap is too small; *holes counts the holes. vs_cp1252_holes_pick: the combo-th choice of the
 * VS_CP1252_HOLES bytes for n holes, into pick; false once combo is past the last (5^n), so
 * `for (c = 0; vs_cp1252_holes_pick(c, pick, n); c++)` tries each once. vs_utf8_misread_decode: b as UTF-8
 * into out (cap bytes incl. NUL), holes taking the bytes of pick in turn and a space where a continuation
 * byte must stand read as the no-break space 0xA0 a program made plain; each character must be accepted by
 * accept (told whether a byte of it was guessed); *guessed tells whether any was. Returns the length, 0 when
 * the bytes are not UTF-8 (no overlong form, no surrogate), hold a NUL, a character is refused,
 * nothing is beyond ASCII, or out is too small. */
#define VS_MISREAD_HOLE 0x100
#define VS_CP1252_HOLES 5
#define VS_MISREAD_HOLES_MAX 3 /* 125 readings at most */
int vs_cp125x_byte(uint32_t cp);
size_t vs_utf8_misread_bytes(const char *s, size_t len, uint16_t *b, size_t cap, int *holes);
bool vs_cp1252_holes_pick(size_t combo, uint8_t *pick, size_t n);
size_t vs_utf8_misread_decode(const uint16_t *b, size_t n, const uint8_t *pick,
                              bool (*accept)(uint32_t cp, bool guessed), char *out, size_t cap,
                              bool *guessed);
/* Folds text to a plain ASCII key: strips Vietnamese diacritics (đ -> d),
 * lower-cases, maps every run of non-alphanumerics to one space, trims.
 * Writes at most out_len-1 bytes plus NUL; returns the key length. */
size_t vs_utf8_fold_key(const char *s, size_t len, char *out, size_t out_len);
/* The words of a folded key (s, len: words between single spaces, as vs_utf8_fold_key writes)
 * after the n already in words / lens, at most max in all; returns the new count. */
size_t vs_key_words(const char *s, size_t len, const char **words, size_t *lens, size_t n, size_t max);
/* Word w (l bytes, not NUL-terminated) is the literal lit; is one of the n literals of list. */
bool vs_key_word_is(const char *w, size_t l, const char *lit);
bool vs_key_word_in(const char *w, size_t l, const char *const *list, size_t n);
/* Optimal string alignment distance of a and b (bytes: a letter replaced, dropped or added, two
 * neighbours swapped), capped: cap + 1 as soon as it must exceed cap, and for a string of
 * VS_OSA_MAX bytes or more. */
#define VS_OSA_MAX 64
int vs_osa_distance(const char *a, size_t la, const char *b, size_t lb, int cap);

/* ---- civil dates (proleptic Gregorian, H. Hinnant's algorithms) ---- */
/* Days since 1970-01-01 of year-month-day (month 1..12, day 1..31). */
int32_t vs_days_from_civil(int year, int month, int day);
/* The year, month and day of a day count since 1970-01-01. */
void vs_civil_from_days(int32_t days, int *year, int *month, int *day);

/* ---- hashing: 64-bit FNV-1a ----
 * Not cryptographic; for hash tables, cache slots and stable keys. */
#define VS_HASH_FNV1A_BASIS 14695981039346656037ull /* the standard offset basis */
/* A non-standard basis (the standard one with its last digit dropped) that
 * early copies of FNV-1a in this code used. Verification event keys stored in
 * the database (vs_verify_event.key) and the pipeline's content hashes are made
 * with it: hashes that are stored must keep it, or re-runs against an existing
 * database would see every event and record as new. Do not use it for new code. */
#define VS_HASH_FNV1A_LEGACY_BASIS 1469598103934665603ull
/* FNV-1a of p[0..len) from the standard offset basis:
 * "" -> 0xcbf29ce484222325, "a" -> 0xaf63dc4c8601ec8c. */
uint64_t vs_hash_fnv1a(const void *p, size_t len);
/* FNV-1a of p[0..len) starting from seed instead of the offset basis: pass
 * VS_HASH_FNV1A_LEGACY_BASIS for stored legacy hashes, or an earlier result to
 * go on hashing more bytes (vs_hash_fnv1a_seed(vs_hash_fnv1a(a, n), b, m) is the
 * hash of a then b). */
uint64_t vs_hash_fnv1a_seed(uint64_t seed, const void *p, size_t len);

/* ---- parallel loops: the one thread pool ---- */
#define VS_PARALLEL_MAX_THREADS 256
/* Splits [0,n) into contiguous, non-empty ranges, one per worker, and calls
 * fn(ud, from, to, worker) once per range; worker is 0..workers-1, distinct per
 * call, and range k comes before range k+1. workers is threads clamped to
 * [1, VS_PARALLEL_MAX_THREADS] and to n (n == 0: fn is not called). Range 0
 * runs on the calling thread, the others on their own threads; a range whose
 * thread cannot be started runs on the calling thread. Returns when every
 * range is done. Does not allocate and cannot fail; fn must not fail either
 * (it records errors in ud, e.g. one slot per worker). */
void vs_parallel_for(size_t n, int threads, void (*fn)(void *ud, size_t from, size_t to, int worker),
                     void *ud);
/* Online CPUs, at least 1: the default thread count. */
int vs_parallel_default_threads(void);
/* For tests: makes the n-th thread start from now (1-based) fail as if
 * pthread_create had failed; 0 disables. */
void vs_parallel_fail_nth(uint64_t n);

/* ---- output files: written whole or not at all ----
 * vs_file_out_open creates a temporary file in the target's directory
 * (O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, then fchmod to mode, so the umask does
 * not matter: pass VS_FILE_MODE_PRIVATE for anything holding personal data).
 * vs_file_out_commit flushes, fsyncs, renames it over the target and fsyncs
 * the directory; vs_file_out_abort removes it. A crash leaves the old file (or
 * none) and at worst a hidden ".vaxsync-*.tmp" beside it, never half a file;
 * a writer holds a lock on its temporary, so the first vs_file_out a process
 * opens in that directory removes the ones nobody holds any more.
 * A target that is a symbolic link (at open or at commit) or a directory is
 * refused; a character device or FIFO that exists (/dev/null) is written in
 * place; "-" is stdout, written directly and never closed. Every error is
 * VS_ERR_WRITE (or VS_ERR_NOMEM) with err->file the path and the message the
 * cause with strerror. Commit and abort free the handle, whatever happens. */
#define VS_FILE_MODE_PRIVATE 0600u /* personal data: owner only */
#define VS_FILE_MODE_GROUP 0640u   /* owner writes, group reads */
typedef struct vs_file_out vs_file_out;
/* Opens path for writing; *out is a new handle. The directory named in path
 * is followed if it is a link; the last component never is. */
vs_rc vs_file_out_open(vs_file_out **out, const char *path, unsigned mode, vs_error *err) VS_MUST_CHECK;
/* The same inside an open directory (dir_fd is borrowed, name has no '/'):
 * open dir_fd with O_NOFOLLOW to refuse a linked directory too. path (may be
 * NULL: name) is only used in messages. */
vs_rc vs_file_out_openat(vs_file_out **out, int dir_fd, const char *name, const char *path, unsigned mode,
                         vs_error *err) VS_MUST_CHECK;
/* The stream to write to (owned by the handle). */
FILE *vs_file_out_stream(vs_file_out *fo);
/* The path as given at open. */
const char *vs_file_out_path(const vs_file_out *fo);
/* Puts the file in place (see above) and frees fo. On failure the temporary
 * is removed and the target is untouched. Accepts NULL (VS_OK). */
vs_rc vs_file_out_commit(vs_file_out *fo, vs_error *err) VS_MUST_CHECK;
/* Discards what was written (the target is untouched) and frees fo. Accepts NULL. */
void vs_file_out_abort(vs_file_out *fo);

/* ---- logging (stderr) ---- */
typedef enum vs_log_level { VS_LOG_ERROR = 0, VS_LOG_WARN, VS_LOG_INFO, VS_LOG_DEBUG } vs_log_level;
void vs_log_set_level(vs_log_level level);
vs_log_level vs_log_get_level(void);
void vs_log(vs_log_level level, const char *fmt, ...) VS_PRINTF(2, 3);
#define vs_log_error(...) vs_log(VS_LOG_ERROR, __VA_ARGS__)
#define vs_log_warn(...) vs_log(VS_LOG_WARN, __VA_ARGS__)
#define vs_log_info(...) vs_log(VS_LOG_INFO, __VA_ARGS__)
#define vs_log_debug(...) vs_log(VS_LOG_DEBUG, __VA_ARGS__)

/* ---- progress reporter for long jobs ----
 * On a terminal: a bar with count, rate and ETA, redrawn at most 10x/s.
 * Not a terminal: a plain line every few seconds. quiet: silent.
 * total may be 0 when unknown (no bar, no ETA). */
typedef struct vs_progress vs_progress;
vs_progress *vs_progress_new(const char *label, uint64_t total, bool quiet);
void vs_progress_update(vs_progress *p, uint64_t done);
void vs_progress_add(vs_progress *p, uint64_t n);
void vs_progress_finish(vs_progress *p); /* prints the final line and frees p */
/* Monotonic clock in nanoseconds. */
uint64_t vs_now_ns(void);

#endif

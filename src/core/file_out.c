/* file_out.c - output files written whole or not at all.
 *
 * Invariants: the bytes go to a temporary file made in the target's own
 * directory (so the final rename cannot cross file systems); the temporary is
 * created with O_EXCL|O_NOFOLLOW and its mode is set with fchmod, so neither a
 * planted file nor the umask decides who can read it; the target appears only
 * on commit (fsync, then rename, then fsync of the directory) and is never a
 * symbolic link we write through. Every error names the path and strerror.
 * A writer holds a lock (flock) on its temporary until it is renamed or
 * removed, so a temporary nobody holds was left by a writer that died (kill
 * -9, power loss): the first vs_file_out a process opens in a directory
 * removes those. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaxsync/core.h"

#define TMP_PREFIX ".vaxsync-"
#define TMP_SUFFIX ".tmp"
#define TMP_TRIES 64

struct vs_file_out {
	FILE *f;
	int lock_fd;  /* holds the temporary's lock past fclose, until rename or unlink; -1 none */
	int dir_fd;   /* the target's directory; -1 for stdout */
	bool direct;  /* stdout, a character device or a FIFO: written in place */
	char tmp[64]; /* the temporary's name in dir_fd */
	char *name;   /* the target's name in dir_fd */
	char *path;   /* the target as the caller named it (messages) */
};

/* "PATH: what: strerror" (errnum 0: no strerror) */
static vs_rc fail(vs_error *err, const char *path, const char *what, int errnum)
{
	return vs_error_set(err, VS_ERR_WRITE, path, 0, 0, NULL, "%s%s%s", what, errnum ? ": " : "",
	                    errnum ? strerror(errnum) : "");
}

static void release(vs_file_out *fo)
{
	if (fo->lock_fd >= 0)
		close(fo->lock_fd);
	if (fo->dir_fd >= 0)
		close(fo->dir_fd);
	vs_free(fo->name);
	vs_free(fo->path);
	vs_free(fo);
}

/* A name no other writer is using: pid, a counter and the clock, hashed. */
static void tmp_name(char *out, size_t out_len, unsigned attempt)
{
	static unsigned counter;
	uint64_t seed[3] = {(uint64_t)getpid(), (uint64_t)__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED),
	                    vs_now_ns() + attempt};
	snprintf(out, out_len, TMP_PREFIX "%016llx" TMP_SUFFIX,
	         (unsigned long long)vs_hash_fnv1a(seed, sizeof(seed)));
}

/* True for a name tmp_name makes. */
static bool is_tmp_name(const char *s)
{
	size_t p = sizeof(TMP_PREFIX) - 1;
	if (strncmp(s, TMP_PREFIX, p))
		return false;
	for (size_t i = p; i < p + 16; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return !strcmp(s + p + 16, TMP_SUFFIX);
}

/* True the first time a process asks about a directory (so a directory
 * receiving thousands of files is swept once, not once a file). */
static bool first_visit(dev_t dev, ino_t ino)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static struct {
		dev_t dev;
		ino_t ino;
	} seen[64];
	static unsigned n;
	bool first = true;
	pthread_mutex_lock(&mu);
	for (unsigned i = 0; i < n && i < 64 && first; i++)
		first = seen[i].dev != dev || seen[i].ino != ino;
	if (first) {
		seen[n % 64].dev = dev;
		seen[n % 64].ino = ino;
		n++;
	}
	pthread_mutex_unlock(&mu);
	return first;
}

/* Removes name when it is a temporary no live writer holds: locked here, and
 * still the file the name gives (not replaced meanwhile). */
static void drop_if_left(int dir_fd, const char *name)
{
	struct stat a, b;
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    fstatat(dir_fd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		unlinkat(dir_fd, name, 0);
	close(fd); /* and the lock with it */
}

/* The temporaries writers that died left in the directory (see the header). */
static void sweep(int dir_fd)
{
	struct stat st;
	if (fstat(dir_fd, &st) != 0 || !first_visit(st.st_dev, st.st_ino))
		return;
	int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (is_tmp_name(e->d_name))
			drop_if_left(dir_fd, e->d_name);
	closedir(d);
}

/* What is at the target now: 0 when it may be replaced by a rename (absent or
 * a regular file), 1 when it must be written in place (a character device
 * such as /dev/null, or a FIFO), -1 with errno when it is refused. */
static int check_target(int dir_fd, const char *name)
{
	struct stat st;
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISREG(st.st_mode))
		return 0;
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		return 1;
	errno = S_ISLNK(st.st_mode) ? ELOOP : S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
	return -1;
}

/* Fails with why check_target refused, from its errno. */
static vs_rc refuse(vs_error *err, const char *path, int errnum)
{
	if (errnum == ELOOP)
		return fail(err, path,
		            "refused to write: it is a symbolic link (remove the link or write elsewhere)",
		            0);
	if (errnum == EISDIR || errnum == EINVAL)
		return fail(err, path,
		            errnum == EISDIR ? "cannot write: it is a directory"
		                             : "refused to write: it is not a regular file",
		            0);
	return fail(err, path, "cannot write", errnum);
}

static vs_rc open_direct(vs_file_out *fo, vs_error *err)
{
	int fd = openat(fo->dir_fd, fo->name, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || !(fo->f = fdopen(fd, "wb"))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return fail(err, fo->path, "cannot write", e);
	}
	fo->direct = true;
	return VS_OK;
}

/* Creates and locks a temporary in fo's directory: its fd, or -1 with errno.
 * One a sweep removed between its creation and our lock (its link count is
 * then 0) is made again under another name. */
static int create_tmp(vs_file_out *fo, unsigned mode)
{
	struct stat st;
	for (unsigned i = 0; i < TMP_TRIES; i++) {
		tmp_name(fo->tmp, sizeof(fo->tmp), i);
		int fd = openat(fo->dir_fd, fo->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		                (mode_t)mode);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return -1;
		/* no lock (a file system without flock): written all the same; a
		 * sweep cannot lock it either, so it leaves it alone */
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &st) == 0 && st.st_nlink == 0) {
			close(fd);
			continue;
		}
		fo->lock_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		return fd;
	}
	errno = EEXIST;
	return -1;
}

static vs_rc open_tmp(vs_file_out *fo, unsigned mode, vs_error *err)
{
	sweep(fo->dir_fd);
	int fd = create_tmp(fo, mode);
	if (fd < 0)
		return fail(err, fo->path, "cannot write (a temporary file in its directory)", errno);
	/* the umask may have taken bits away (or the caller's umask may be 0):
	 * the mode is exactly what was asked */
	if (fchmod(fd, (mode_t)mode) != 0 || !(fo->f = fdopen(fd, "wb"))) {
		int e = errno;
		close(fd);
		unlinkat(fo->dir_fd, fo->tmp, 0);
		fo->tmp[0] = '\0';
		return fail(err, fo->path, "cannot write (a temporary file in its directory)", e);
	}
	return VS_OK;
}

vs_rc vs_file_out_openat(vs_file_out **out, int dir_fd, const char *name, const char *path, unsigned mode,
                         vs_error *err)
{
	vs_rc rc = VS_OK;
	*out = NULL;
	if (!path)
		path = name;
	if (!name[0] || strchr(name, '/'))
		return fail(err, path, "cannot write: not a file name", 0);
	vs_file_out *fo = vs_calloc(1, sizeof(*fo));
	if (!fo)
		return vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
	fo->lock_fd = -1;
	fo->dir_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
	fo->name = vs_strdup(name);
	fo->path = vs_strdup(path);
	if (fo->dir_fd < 0) {
		rc = fail(err, path, "cannot write (its directory)", errno);
		goto out;
	}
	if (!fo->name || !fo->path) {
		rc = vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
		goto out;
	}
	int kind = check_target(fo->dir_fd, name);
	if (kind < 0)
		rc = refuse(err, path, errno);
	else
		rc = kind ? open_direct(fo, err) : open_tmp(fo, mode, err);
out:
	if (rc)
		release(fo);
	else
		*out = fo;
	return rc;
}

vs_rc vs_file_out_open(vs_file_out **out, const char *path, unsigned mode, vs_error *err)
{
	*out = NULL;
	if (!strcmp(path, "-")) {
		vs_file_out *fo = vs_calloc(1, sizeof(*fo));
		if (!fo || !(fo->path = vs_strdup(path))) {
			vs_free(fo);
			return vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
		}
		fo->f = stdout;
		fo->lock_fd = -1;
		fo->dir_fd = -1;
		fo->direct = true;
		*out = fo;
		return VS_OK;
	}
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char dir[4096];
	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (slash && (size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else if (slash)
		return fail(err, path, "cannot write (its directory)", ENAMETOOLONG);
	else
		snprintf(dir, sizeof(dir), ".");
	if (!name[0])
		return fail(err, path, "cannot write: not a file name", 0);
	/* the directory the caller named is followed (it may be a link to a data
	 * disk); the file itself never is */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(err, path, "cannot write (its directory)", errno);
	vs_rc rc = vs_file_out_openat(out, dfd, name, path, mode, err);
	close(dfd);
	return rc;
}

FILE *vs_file_out_stream(vs_file_out *fo)
{
	return fo->f;
}

const char *vs_file_out_path(const vs_file_out *fo)
{
	return fo->path;
}

/* fsync of a directory or a device may be unsupported: that is not a failure */
static int sync_fd(int fd)
{
	return fsync(fd) == 0 || errno == EINVAL || errno == ENOTSUP ? 0 : -1;
}

vs_rc vs_file_out_commit(vs_file_out *fo, vs_error *err)
{
	vs_rc rc = VS_OK;
	int e = 0;
	if (!fo)
		return VS_OK;
	bool bad = ferror(fo->f) != 0;
	if (fflush(fo->f) != 0 || bad)
		e = bad ? EIO : errno;
	if (fo->f == stdout) {
		if (e)
			rc = fail(err, "standard output", "cannot write", e);
		release(fo);
		return rc;
	}
	if (!e && sync_fd(fileno(fo->f)) != 0)
		e = errno;
	if (fclose(fo->f) != 0 && !e)
		e = errno;
	fo->f = NULL;
	if (e) {
		rc = fail(err, fo->path, "cannot write", e);
		goto out;
	}
	if (fo->direct)
		goto out;
	/* a link planted while we were writing is refused too */
	int kind = check_target(fo->dir_fd, fo->name);
	if (kind != 0) {
		e = kind < 0 ? errno : EINVAL;
		rc = refuse(err, fo->path, e);
		goto out;
	}
	if (renameat(fo->dir_fd, fo->tmp, fo->dir_fd, fo->name) != 0) {
		rc = fail(err, fo->path, "cannot write (renaming the finished file into place)", errno);
		goto out;
	}
	fo->tmp[0] = '\0';
	if (sync_fd(fo->dir_fd) != 0)
		rc = fail(err, fo->path, "cannot write (syncing its directory)", errno);
out:
	if (fo->tmp[0])
		unlinkat(fo->dir_fd, fo->tmp, 0);
	release(fo);
	return rc;
}

void vs_file_out_abort(vs_file_out *fo)
{
	if (!fo)
		return;
	if (fo->f && fo->f != stdout)
		fclose(fo->f);
	else if (fo->f)
		fflush(fo->f);
	if (!fo->direct && fo->tmp[0])
		unlinkat(fo->dir_fd, fo->tmp, 0);
	release(fo);
}

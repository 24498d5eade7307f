/*
 * core/upload.c: attachments written straight to disk as they arrive.
 *
 * Life of a file (invariants):
 * - begin: a temporary ".part-<32 hex>" file, created O_EXCL | O_NOFOLLOW,
 *   mode 0600, in dir (made 0700 if missing). Only this process knows
 *   its name; it never has the form of a stored name.
 * - write: each chunk is checked against max_bytes *before* it is
 *   written, hashed (SHA-256) and appended; the first CORE_FT_SNIFF bytes
 *   are kept in memory for the type check. Memory per upload is bounded
 *   by CORE_FT_SNIFF, whatever the file's size.
 * - finish: type check (core_ftype_detect), fsync, rename to the stored
 *   name (32 hex digits, libsodium randombytes), fsync of the folder.
 * - Any refusal or error unlinks the temporary file at once; free()
 *   unlinks whatever is left, and the stored file too unless a
 *   transaction that recorded it committed (upload_kept()). A crash
 *   between finish and that commit can leave a stored file no row names
 *   (never a partial one): harmless, and swept by hand if ever needed.
 * - The original name is only ever displayed and sent back in a
 *   Content-Disposition: it never becomes a path.
 */
#include "core/core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

enum upload_state {
	UP_WRITING = 0, /* temporary file open */
	UP_DONE,        /* stored under its random name */
	UP_FAILED,      /* refused or broken: nothing on disk */
};

struct core_upload {
	enum upload_state state;       /* see above */
	int dirfd;                     /* the folder, O_DIRECTORY */
	int fd;                        /* the temporary file, -1 once closed */
	char tmp[48];                  /* its name in dir */
	char stored[33];               /* the stored name (UP_DONE) */
	char sha256[65];               /* hex digest (UP_DONE) */
	char *name;                    /* sanitized original name */
	int64_t max;                   /* max_bytes */
	int64_t size;                  /* bytes written */
	bool kept;                     /* a committed row names it */
	crypto_hash_sha256_state hash; /* running SHA-256 */
	uint8_t head[CORE_FT_SNIFF];   /* the first bytes */
	size_t nhead;                  /* how many of them */
	struct core_upload_info info;  /* what core_upload_info() gives */
};

static void
random_hex(char *out, size_t nbytes)
{
	unsigned char b[32];

	randombytes_buf(b, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, b, nbytes);
}

/* Unlink the temporary file and close it; state FAILED. */
static void
upload_drop(struct core_upload *u)
{
	if (u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
		if (unlinkat(u->dirfd, u->tmp, 0) < 0 && errno != ENOENT)
			log_warn("upload", "cannot remove tmp=%s", u->tmp);
	}
	u->state = UP_FAILED;
}

/* What is left of a client's file name: after its last '/' or '\\',
 * without leading dots and white space, controls and bidi controls
 * dropped, normalized. NULL if nothing is left or it is not UTF-8. */
static char *
clean_name(const char *in)
{
	const char *base = in, *p;
	char *out = NULL, err[SD_ERRLEN];

	for (p = in; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	while (*base == '.' || *base == ' ')
		base++;
	if (strlen(base) > SD_FILE_NAME_MAX * 2)
		return NULL;
	if (core_field_line(base, SD_FILE_NAME_MAX, "file name",
		CORE_FIELD_STRIP, &out, err) != SD_OK)
		return NULL;
	return out;
}

/* mkdir -p dir, each folder made 0700 (existing ones are left as they
 * are). -1 with errno on failure. */
static int
upload_mkdirs(const char *dir)
{
	char buf[SD_CONF_VALUE_MAX];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -1;
		buf[i] = i < n ? '/' : '\0';
	}
	return 0;
}

enum sd_rc
core_upload_begin(const char *dir, const char *name, int64_t max_bytes,
    struct core_upload **out, enum core_ftype_why *why, char err[SD_ERRLEN])
{
	struct core_upload *u;
	char *clean;

	*out = NULL;
	*why = CORE_FTW_OK;
	if (sodium_init() < 0) {
		sd_errf(err, "libsodium cannot start");
		return SD_EINTERNAL;
	}
	clean = clean_name(name != NULL ? name : "");
	if (clean == NULL) {
		*why = CORE_FTW_NAME;
		sd_errf(err, "no usable file name");
		return SD_EINVAL;
	}
	if (upload_mkdirs(dir) < 0) {
		sd_errf(err, "cannot make %s: %s", dir, strerror(errno));
		free(clean);
		return SD_EIO;
	}
	u = xcalloc(1, sizeof(*u));
	u->name = clean;
	u->max = max_bytes;
	u->fd = -1;
	u->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->dirfd < 0) {
		sd_errf(err, "cannot open %s: %s", dir, strerror(errno));
		goto fail;
	}
	memcpy(u->tmp, ".part-", 6);
	random_hex(u->tmp + 6, 16);
	u->fd = openat(u->dirfd, u->tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (u->fd < 0) {
		sd_errf(err, "cannot create a file in %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	crypto_hash_sha256_init(&u->hash);
	u->info.name = u->name;
	*out = u;
	return SD_OK;
fail:
	core_upload_free(u);
	return SD_EIO;
}

enum sd_rc
core_upload_write(struct core_upload *u, const void *p, size_t n,
    enum core_ftype_why *why, char err[SD_ERRLEN])
{
	const uint8_t *b = p;
	size_t k;

	*why = CORE_FTW_OK;
	if (u->state != UP_WRITING) {
		sd_errf(err, "upload not open");
		return SD_ESTATE;
	}
	if (n > (size_t)(u->max - u->size)) {
		*why = CORE_FTW_TOOBIG;
		sd_errf(err, "file over %lld bytes", (long long)u->max);
		upload_drop(u);
		return SD_ETOOBIG;
	}
	if (u->nhead < sizeof(u->head)) {
		k = sizeof(u->head) - u->nhead;
		if (k > n)
			k = n;
		memcpy(u->head + u->nhead, b, k);
		u->nhead += k;
	}
	crypto_hash_sha256_update(&u->hash, b, n);
	while (n > 0) {
		ssize_t w = write(u->fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			sd_errf(err, "cannot write attachment: %s",
			    strerror(errno));
			upload_drop(u);
			return SD_EIO;
		}
		b += w;
		n -= (size_t)w;
		u->size += w;
	}
	return SD_OK;
}

enum sd_rc
core_upload_finish(struct core_upload *u, enum core_ftype_why *why,
    char err[SD_ERRLEN])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	enum core_ftype t;

	if (u->state != UP_WRITING) {
		*why = CORE_FTW_OK;
		sd_errf(err, "upload not open");
		return SD_ESTATE;
	}
	*why = core_ftype_detect(u->head, u->nhead, u->name, &t);
	if (*why != CORE_FTW_OK) {
		sd_errf(err, "file type refused (%d)", (int)*why);
		upload_drop(u);
		return SD_EINVAL;
	}
	if (fsync(u->fd) < 0) {
		sd_errf(err, "cannot sync attachment: %s", strerror(errno));
		upload_drop(u);
		return SD_EIO;
	}
	random_hex(u->stored, 16);
	if (renameat(u->dirfd, u->tmp, u->dirfd, u->stored) < 0) {
		sd_errf(err, "cannot store attachment: %s", strerror(errno));
		upload_drop(u);
		return SD_EIO;
	}
	close(u->fd);
	u->fd = -1;
	(void)fsync(u->dirfd);
	crypto_hash_sha256_final(&u->hash, digest);
	sodium_bin2hex(u->sha256, sizeof(u->sha256), digest, sizeof(digest));
	u->state = UP_DONE;
	u->info.type = t;
	u->info.size = u->size;
	u->info.sha256 = u->sha256;
	u->info.stored = u->stored;
	log_info("upload", "stored type=%s size=%lld", core_ftype_ext(t),
	    (long long)u->size);
	return SD_OK;
}

const struct core_upload_info *
core_upload_info(const struct core_upload *u)
{
	return &u->info;
}

/* core/request.c marks the files of a committed message. */
void
core_upload_keep(struct core_upload *u)
{
	u->kept = true;
}

void
core_upload_free(struct core_upload *u)
{
	if (u == NULL)
		return;
	if (u->state == UP_WRITING)
		upload_drop(u);
	if (u->state == UP_DONE && !u->kept &&
	    unlinkat(u->dirfd, u->stored, 0) < 0 && errno != ENOENT)
		log_warn("upload", "cannot remove stored=%s", u->stored);
	if (u->dirfd >= 0)
		close(u->dirfd);
	free(u->name);
	free(u);
}

/* A stored name as finish() makes it: 32 lower-case hex digits. */
static bool
stored_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 32;
}

enum sd_rc
core_file_open(struct db *db, const struct core_actor *actor, const char *dir,
    int64_t id, struct db_attachment *out, int *fd)
{
	struct db_request r;
	char path[SD_CONF_VALUE_MAX + 40];
	enum sd_rc rc;

	*fd = -1;
	memset(out, 0, sizeof(*out));
	rc = db_attachment_get(db, id, out);
	if (rc != SD_OK)
		return rc;
	/* The request's access check, and its answer, decide. */
	rc = core_request_get(db, actor, out->tracking, &r);
	if (rc != SD_OK) {
		db_attachment_fini(out);
		return rc;
	}
	db_request_fini(&r);
	if (!stored_name_ok(out->stored)) {
		log_warnx("upload", "bad stored name id=%lld", (long long)id);
		db_attachment_fini(out);
		return SD_EINTERNAL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, out->stored);
	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		log_warn("upload", "cannot open attachment id=%lld",
		    (long long)id);
		db_attachment_fini(out);
		return SD_EIO;
	}
	return SD_OK;
}

enum sd_rc
core_request_files(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_attachment **rows, size_t *n)
{
	struct db_request r;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	rc = core_request_get(db, actor, tracking, &r);
	if (rc != SD_OK)
		return rc;
	db_request_fini(&r);
	return db_attachment_list(db, tracking, rows, n);
}

enum sd_rc
core_request_view(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct core_request_view *out)
{
	enum sd_rc rc;

	memset(out, 0, sizeof(*out));
	rc = db_read_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = core_request_get(db, actor, tracking, &out->req);
	if (rc == SD_OK)
		rc = db_message_list(db, tracking, &out->msgs, &out->n_msgs);
	if (rc == SD_OK)
		rc = db_attachment_list(db, tracking, &out->files,
		    &out->n_files);
	db_read_end(db);
	return rc;
}

void
core_request_view_fini(struct core_request_view *v)
{
	db_attachment_list_free(v->files, v->n_files);
	db_message_list_free(v->msgs, v->n_msgs);
	db_request_fini(&v->req);
	memset(v, 0, sizeof(*v));
}

enum sd_rc
core_upload_attach(struct db *db, int64_t msg_id,
    struct core_upload *const *files, size_t n, int64_t now)
{
	struct db_attachment a;
	enum sd_rc rc;
	size_t i;

	if (n > SD_ATTACH_MAX)
		return SD_ETOOBIG;
	for (i = 0; i < n; i++)
		if (files[i] == NULL || files[i]->state != UP_DONE)
			return SD_ESTATE;
	for (i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.message_id = msg_id;
		a.name = files[i]->name;
		a.type = (char *)(uintptr_t)core_ftype_ext(files[i]->info.type);
		a.size = files[i]->size;
		a.sha256 = files[i]->sha256;
		a.stored = files[i]->stored;
		a.created = now;
		rc = db_attachment_add(db, &a, NULL);
		if (rc != SD_OK)
			return rc;
	}
	return SD_OK;
}

enum sd_rc
core_upload_sweep(const char *dir, size_t *removed)
{
	struct dirent *e;
	DIR *d;
	int fd;

	*removed = 0;
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? SD_OK : SD_EIO;
	fd = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, ".part-", 6) != 0)
			continue;
		if (unlinkat(fd, e->d_name, 0) == 0)
			(*removed)++;
		else
			log_warn("upload", "cannot remove tmp=%s", e->d_name);
	}
	closedir(d);
	if (*removed > 0)
		log_info("upload", "swept half-written files n=%zu", *removed);
	return SD_OK;
}

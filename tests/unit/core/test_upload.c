/*
 * tests/unit/core/test_upload.c: the attachment writer (issue #13).
 *
 * A file written in chunks is stored under a random name, 0600 in a 0700
 * folder, with its SHA-256; over the size limit, refused by type, aborted
 * half way or never committed, nothing of it stays on disk. Names lose
 * their path and controls. Files attach to a new request or a reply in
 * the same transaction, and are read back only by who may see the
 * request (anyone else: SD_ENOTFOUND, as for a missing id).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "tests/support/testutil.h"

#define T0 1764138600
#define MB (1024 * 1024)

struct world {
	struct db *db;
	char *tmp;  /* test folder */
	char *dir;  /* attachments_dir inside it (made by begin) */
	int64_t a;  /* applicant */
	int64_t b;  /* another applicant */
	int64_t it; /* staff of department 2 */
	int64_t gz; /* staff of department 4 */
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	static const int d2[] = {2}, d4[] = {4};

	sd_clock_set_fixed(T0);
	w->db = tu_db_open(":memory:");
	w->tmp = tu_tmpdir();
	/* Two levels that do not exist yet: made as mkdir -p would. */
	if (asprintf(&w->dir, "%s/var/att", w->tmp) < 0)
		abort();
	w->a = tu_user(w->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	w->b = tu_user(w->db, "09132222222", CORE_ROLE_APPLICANT, NULL, 0);
	w->it = tu_user(w->db, "09133333333", CORE_ROLE_STAFF, d2, 1);
	w->gz = tu_user(w->db, "09134444444", CORE_ROLE_STAFF, d4, 1);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	db_close(w->db);
	tu_rmtree(w->tmp);
	free(w->tmp);
	free(w->dir);
	free(w);
	sd_clock_set_fixed(0);
	return 0;
}

/* Files in dir (every name, dot files included). */
static int
files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static const uint8_t jpeg_head[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F',
    'I', 'F', 0};

/* A finished JPEG of size bytes named name, written in 1000-byte chunks. */
static struct core_upload *
jpeg(struct world *w, const char *name, size_t size)
{
	struct core_upload *u = NULL;
	enum core_ftype_why why;
	char err[SD_ERRLEN], chunk[1000];
	size_t off = 0;

	assert_int_equal(core_upload_begin(w->dir, name, 6 * MB, &u, &why, err),
	    SD_OK);
	while (off < size) {
		size_t k = size - off < sizeof(chunk) ? size - off :
							sizeof(chunk);
		size_t i;

		for (i = 0; i < k; i++)
			chunk[i] = (char)((off + i) * 7);
		if (off == 0)
			memcpy(chunk, jpeg_head, sizeof(jpeg_head));
		assert_int_equal(core_upload_write(u, chunk, k, &why, err),
		    SD_OK);
		off += k;
	}
	assert_int_equal(core_upload_finish(u, &why, err), SD_OK);
	assert_int_equal(why, CORE_FTW_OK);
	return u;
}

static void
test_store_and_hash(void **state)
{
	struct world *w = *state;
	const struct core_upload_info *in;
	struct core_upload *u = jpeg(w, "Penguins.jpg", 25000);
	char path[1024], hex[65];
	unsigned char digest[32], *buf;
	struct stat st;
	FILE *f;

	in = core_upload_info(u);
	assert_string_equal(in->name, "Penguins.jpg");
	assert_int_equal(in->type, CORE_FT_JPG);
	assert_int_equal(in->size, 25000);
	assert_int_equal(strlen(in->stored), 32);
	assert_int_equal(strspn(in->stored, "0123456789abcdef"), 32);
	assert_int_equal(files_in(w->dir), 1);
	snprintf(path, sizeof(path), "%s/%s", w->dir, in->stored);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 25000);
	assert_int_equal(stat(w->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* The stored bytes hash to the recorded digest. */
	buf = malloc(25000);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, 25000, f), 25000);
	fclose(f);
	crypto_hash_sha256(digest, buf, 25000);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	assert_string_equal(in->sha256, hex);
	free(buf);
	/* Never committed: freeing removes it. */
	core_upload_free(u);
	assert_int_equal(files_in(w->dir), 0);
}

static void
test_over_size_leaves_nothing(void **state)
{
	struct world *w = *state;
	struct core_upload *u = NULL;
	enum core_ftype_why why;
	char err[SD_ERRLEN], chunk[4096];

	memset(chunk, 'x', sizeof(chunk));
	memcpy(chunk, jpeg_head, sizeof(jpeg_head));
	assert_int_equal(core_upload_begin(w->dir, "big.jpg", 10000, &u, &why,
			     err),
	    SD_OK);
	assert_int_equal(core_upload_write(u, chunk, 4096, &why, err), SD_OK);
	assert_int_equal(core_upload_write(u, chunk, 4096, &why, err), SD_OK);
	assert_int_equal(files_in(w->dir), 1); /* the temporary file */
	assert_int_equal(core_upload_write(u, chunk, 4096, &why, err),
	    SD_ETOOBIG);
	assert_int_equal(why, CORE_FTW_TOOBIG);
	/* Removed at once, before the caller frees it. */
	assert_int_equal(files_in(w->dir), 0);
	assert_int_equal(core_upload_write(u, chunk, 1, &why, err), SD_ESTATE);
	assert_int_equal(core_upload_finish(u, &why, err), SD_ESTATE);
	core_upload_free(u);
	assert_int_equal(files_in(w->dir), 0);
	/* Exactly the limit is fine. */
	assert_int_equal(core_upload_begin(w->dir, "ok.jpg", 8192, &u, &why,
			     err),
	    SD_OK);
	assert_int_equal(core_upload_write(u, chunk, 4096, &why, err), SD_OK);
	assert_int_equal(core_upload_write(u, chunk, 4096, &why, err), SD_OK);
	assert_int_equal(core_upload_finish(u, &why, err), SD_OK);
	core_upload_free(u);
}

static void
test_disguised_and_aborted_leave_nothing(void **state)
{
	struct world *w = *state;
	static const uint8_t exe[] = {'M', 'Z', 0x90, 0, 3, 0, 0, 0};
	struct core_upload *u = NULL;
	enum core_ftype_why why;
	char err[SD_ERRLEN];

	assert_int_equal(core_upload_begin(w->dir, "photo.jpg", MB, &u, &why,
			     err),
	    SD_OK);
	assert_int_equal(core_upload_write(u, exe, sizeof(exe), &why, err),
	    SD_OK);
	assert_int_equal(core_upload_finish(u, &why, err), SD_EINVAL);
	assert_int_equal(why, CORE_FTW_REFUSED);
	assert_int_equal(files_in(w->dir), 0);
	core_upload_free(u);

	/* A JPEG named .pdf. */
	assert_int_equal(core_upload_begin(w->dir, "a.pdf", MB, &u, &why, err),
	    SD_OK);
	assert_int_equal(core_upload_write(u, jpeg_head, sizeof(jpeg_head),
			     &why, err),
	    SD_OK);
	assert_int_equal(core_upload_finish(u, &why, err), SD_EINVAL);
	assert_int_equal(why, CORE_FTW_MISMATCH);
	core_upload_free(u);
	assert_int_equal(files_in(w->dir), 0);

	/* Cut off half way (the client went away): abort. */
	assert_int_equal(core_upload_begin(w->dir, "half.jpg", MB, &u, &why,
			     err),
	    SD_OK);
	assert_int_equal(core_upload_write(u, jpeg_head, sizeof(jpeg_head),
			     &why, err),
	    SD_OK);
	assert_int_equal(files_in(w->dir), 1);
	core_upload_free(u);
	assert_int_equal(files_in(w->dir), 0);

	/* Empty. */
	assert_int_equal(core_upload_begin(w->dir, "e.jpg", MB, &u, &why, err),
	    SD_OK);
	assert_int_equal(core_upload_finish(u, &why, err), SD_EINVAL);
	assert_int_equal(why, CORE_FTW_EMPTY);
	core_upload_free(u);
	assert_int_equal(files_in(w->dir), 0);
	core_upload_free(NULL);
}

static void
test_names(void **state)
{
	struct world *w = *state;
	static const struct {
		const char *in, *want; /* want NULL: refused */
	} t[] = {
	    {"../../etc/passwd.jpg", "passwd.jpg"},
	    {"..\\..\\windows\\x.jpg", "x.jpg"},
	    {"/abs/path/a.jpg", "a.jpg"},
	    {"C:\\Users\\me\\تصویر من.jpg", "تصویر من.jpg"},
	    {"a\x01\x1b[31mb.jpg", "a[31mb.jpg"},
	    {"\xe2\x80\xaegpj.exe", "gpj.exe"}, /* RLO dropped */
	    {"..", NULL},
	    {"dir/", NULL},
	    {"", NULL},
	    {"bad\xff.jpg", NULL},
	};
	struct core_upload *u;
	enum core_ftype_why why;
	char err[SD_ERRLEN];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		u = NULL;
		if (t[i].want == NULL) {
			assert_int_equal(core_upload_begin(w->dir, t[i].in, MB,
					     &u, &why, err),
			    SD_EINVAL);
			assert_int_equal(why, CORE_FTW_NAME);
			assert_null(u);
			continue;
		}
		assert_int_equal(core_upload_begin(w->dir, t[i].in, MB, &u,
				     &why, err),
		    SD_OK);
		assert_string_equal(core_upload_info(u)->name, t[i].want);
		core_upload_free(u);
	}
	assert_int_equal(files_in(w->dir), 0);
}

static void
test_attach_and_access(void **state)
{
	struct world *w = *state;
	struct core_upload *f[2], *g[1], *half = NULL;
	struct db_attachment *rows = NULL, row;
	enum core_ftype_why why;
	char err[SD_ERRLEN], path[1024];
	int64_t t = 0, msg = 0;
	size_t n = 0;
	int fd;

	f[0] = jpeg(w, "Penguins.jpg", 3000);
	f[1] = jpeg(w, "plan.jpg", 2000);
	assert_int_equal(core_request_create_files(w->db, &core_env_no_sms,
			     tu_actor(w->db, w->a), 2, CORE_PRIO_URGENT,
			     "تست سیستم مکاتبات", "سلام", CORE_CHAN_WEB, f, 2,
			     &t, err),
	    SD_OK);
	core_upload_free(f[0]);
	core_upload_free(f[1]);
	/* Committed: the files stay. */
	assert_int_equal(files_in(w->dir), 2);
	assert_int_equal(core_request_files(w->db, tu_actor(w->db, w->a), t,
			     &rows, &n),
	    SD_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].name, "Penguins.jpg");
	assert_string_equal(rows[0].type, "jpg");
	assert_int_equal(rows[0].size, 3000);
	assert_int_equal(rows[0].tracking, t);
	db_attachment_list_free(rows, n);

	/* The owner and the department's staff read it. */
	assert_int_equal(core_file_open(w->db, tu_actor(w->db, w->a), w->dir, 1,
			     &row, &fd),
	    SD_OK);
	assert_true(fd >= 0);
	close(fd);
	db_attachment_fini(&row);
	assert_int_equal(core_file_open(w->db, tu_actor(w->db, w->it), w->dir,
			     1, &row, &fd),
	    SD_OK);
	close(fd);
	db_attachment_fini(&row);
	/* Another applicant, another department's staff, a missing id:
	 * the same answer. */
	assert_int_equal(core_file_open(w->db, tu_actor(w->db, w->b), w->dir, 1,
			     &row, &fd),
	    SD_ENOTFOUND);
	assert_int_equal(fd, -1);
	assert_int_equal(core_file_open(w->db, tu_actor(w->db, w->gz), w->dir,
			     1, &row, &fd),
	    SD_ENOTFOUND);
	assert_int_equal(core_file_open(w->db, tu_actor(w->db, w->a), w->dir,
			     999, &row, &fd),
	    SD_ENOTFOUND);
	assert_int_equal(core_request_files(w->db, tu_actor(w->db, w->b), t,
			     &rows, &n),
	    SD_ENOTFOUND);

	/* A reply with a file. */
	g[0] = jpeg(w, "more.jpg", 1500);
	assert_int_equal(core_request_reply_files(w->db, &core_env_no_sms,
			     tu_actor(w->db, w->a), t, "مدرک تکمیلی",
			     CORE_CHAN_WEB, g, 1, &msg, err),
	    SD_OK);
	assert_true(msg > 0);
	core_upload_free(g[0]);
	assert_int_equal(core_request_files(w->db, tu_actor(w->db, w->it), t,
			     &rows, &n),
	    SD_OK);
	assert_int_equal(n, 3);
	assert_int_equal(rows[2].message_id, msg);
	snprintf(path, sizeof(path), "%s/%s", w->dir, rows[2].stored);
	assert_int_equal(access(path, R_OK), 0);
	db_attachment_list_free(rows, n);

	/* An unfinished upload is refused and nothing is stored. */
	assert_int_equal(core_upload_begin(w->dir, "x.jpg", MB, &half, &why,
			     err),
	    SD_OK);
	g[0] = half;
	assert_int_equal(core_request_reply_files(w->db, &core_env_no_sms,
			     tu_actor(w->db, w->a), t, "نیمه", CORE_CHAN_WEB, g,
			     1, NULL, err),
	    SD_ESTATE);
	core_upload_free(half);
	assert_int_equal(files_in(w->dir), 3);
	/* Another applicant cannot attach to it: not found, file gone. */
	g[0] = jpeg(w, "intruder.jpg", 100);
	assert_int_equal(core_request_reply_files(w->db, &core_env_no_sms,
			     tu_actor(w->db, w->b), t, "من", CORE_CHAN_WEB, g,
			     1, NULL, err),
	    SD_ENOTFOUND);
	core_upload_free(g[0]);
	assert_int_equal(files_in(w->dir), 3);
}

/* What a crash leaves (a temporary file) is swept at start; stored
 * files stay. */
static void
test_sweep(void **state)
{
	struct world *w = *state;
	struct core_upload *u = NULL, *kept = jpeg(w, "a.jpg", 100);
	enum core_ftype_why why;
	char err[SD_ERRLEN];
	size_t n = 9;

	assert_int_equal(core_upload_sweep(w->dir, &n), SD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(core_upload_begin(w->dir, "b.jpg", MB, &u, &why, err),
	    SD_OK);
	assert_int_equal(core_upload_write(u, jpeg_head, sizeof(jpeg_head),
			     &why, err),
	    SD_OK);
	assert_int_equal(files_in(w->dir), 2);
	/* As if the process had died here. */
	assert_int_equal(core_upload_sweep(w->dir, &n), SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(files_in(w->dir), 1);
	core_upload_free(u);
	core_upload_free(kept);
	assert_int_equal(files_in(w->dir), 0);
	/* A folder not made yet is nothing to sweep. */
	assert_int_equal(core_upload_sweep("/nonexistent/smsdesk", &n), SD_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_store_and_hash, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_over_size_leaves_nothing,
		setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_disguised_and_aborted_leave_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attach_and_access, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

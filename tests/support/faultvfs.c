/*
 * tests/support/faultvfs.c: the fault-injecting VFS and allocator (see
 * faultvfs.h).
 *
 * The VFS is a shim: each file it opens is a struct tf_file followed by
 * the real VFS's file object, and every method forwards to the real one
 * except that xWrite, xSync and xFileSize first ask tf_hit() whether
 * this call is the one to fail. The io_methods are version 3 like the
 * unix VFS's (WAL needs xShm*, mmap needs xFetch).
 */
#include "tests/support/faultvfs.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The countdown (one thread). */
static struct {
	unsigned ops;    /* armed operations, 0 = disarmed */
	long n;          /* fail the n-th call */
	int code;        /* SQLITE_IOERR or SQLITE_FULL */
	bool persistent; /* and every call after it */
	long calls;      /* calls of ops since armed */
	long fired;      /* calls failed since armed */
} tf;

static sqlite3_vfs *tf_real;
static sqlite3_vfs tf_vfs;
static sqlite3_mem_methods tf_mem_real;

/* Is this call of op the one (or one of those) to fail? */
static bool
tf_hit(unsigned op)
{
	if ((tf.ops & op) == 0)
		return false;
	tf.calls++;
	if (tf.calls == tf.n || (tf.persistent && tf.calls > tf.n)) {
		tf.fired++;
		return true;
	}
	return false;
}

/* The code to return for a failed op: FULL as is, IOERR extended. */
static int
tf_code(int ioerr_ext)
{
	return tf.code == SQLITE_IOERR ? ioerr_ext : tf.code;
}

void
tf_arm(unsigned ops, long n, int code, bool persistent)
{
	tf.ops = ops;
	tf.n = n;
	tf.code = code;
	tf.persistent = persistent;
	tf.calls = 0;
	tf.fired = 0;
}

void
tf_disarm(void)
{
	tf.ops = 0;
}

long
tf_calls(void)
{
	return tf.calls;
}

long
tf_fired(void)
{
	return tf.fired;
}

const char *
tf_op_name(unsigned ops)
{
	switch (ops) {
	case TF_WRITE:
		return "write";
	case TF_SYNC:
		return "sync";
	case TF_FILESIZE:
		return "filesize";
	case TF_MALLOC:
		return "malloc";
	default:
		return "mixed";
	}
}

/* ---- Allocator ---------------------------------------------------------- */

static void *
tf_malloc(int n)
{
	return tf_hit(TF_MALLOC) ? NULL : tf_mem_real.xMalloc(n);
}

static void *
tf_realloc(void *p, int n)
{
	return tf_hit(TF_MALLOC) ? NULL : tf_mem_real.xRealloc(p, n);
}

/* ---- Files -------------------------------------------------------------- */

struct tf_file {
	sqlite3_file base;  /* pMethods = tf_io */
	sqlite3_file *real; /* the real VFS's file, right after this struct */
};

#define REAL(f) (((struct tf_file *)(f))->real)

static int
tf_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
tf_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
tf_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (tf_hit(TF_WRITE))
		return tf_code(SQLITE_IOERR_WRITE);
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
tf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
tf_sync(sqlite3_file *f, int flags)
{
	if (tf_hit(TF_SYNC))
		return tf_code(SQLITE_IOERR_FSYNC);
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
tf_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	if (tf_hit(TF_FILESIZE))
		return tf_code(SQLITE_IOERR_FSTAT);
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
tf_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int
tf_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int
tf_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
tf_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
tf_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
tf_device_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
tf_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, p);
}

static int
tf_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
tf_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
tf_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
tf_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
tf_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods tf_io = {
	3,
	tf_close,
	tf_read,
	tf_write,
	tf_truncate,
	tf_sync,
	tf_file_size,
	tf_lock,
	tf_unlock,
	tf_check_lock,
	tf_file_control,
	tf_sector_size,
	tf_device_chars,
	tf_shm_map,
	tf_shm_lock,
	tf_shm_barrier,
	tf_shm_unmap,
	tf_fetch,
	tf_unfetch,
};

static int
tf_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out_flags)
{
	struct tf_file *p = (struct tf_file *)f;
	int r;

	(void)vfs;
	p->real = (sqlite3_file *)(p + 1);
	r = tf_real->xOpen(tf_real, name, p->real, flags, out_flags);
	/* SQLite calls xClose on a file whose pMethods is set, even after
	 * a failed open; mirror the real file. */
	if (p->real->pMethods != NULL && p->real->pMethods->iVersion < 3) {
		fprintf(stderr, "faultvfs: the default VFS's files are "
		    "version %d, need 3\n", p->real->pMethods->iVersion);
		abort();
	}
	f->pMethods = p->real->pMethods != NULL ? &tf_io : NULL;
	return r;
}

void
tf_install(void)
{
	sqlite3_mem_methods mem;

	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &tf_mem_real) !=
	    SQLITE_OK)
		goto fail;
	mem = tf_mem_real;
	mem.xMalloc = tf_malloc;
	mem.xRealloc = tf_realloc;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK)
		goto fail;
	if (sqlite3_initialize() != SQLITE_OK)
		goto fail;
	tf_real = sqlite3_vfs_find(NULL);
	if (tf_real == NULL)
		goto fail;
	/* The real VFS's own methods keep working when handed the shim:
	 * it carries the same pAppData. Only xOpen needs the real one. */
	tf_vfs = *tf_real;
	tf_vfs.zName = "faultvfs";
	tf_vfs.szOsFile = (int)sizeof(struct tf_file) + tf_real->szOsFile;
	tf_vfs.pNext = NULL;
	tf_vfs.xOpen = tf_open;
	if (sqlite3_vfs_register(&tf_vfs, 1) != SQLITE_OK)
		goto fail;
	return;
fail:
	fprintf(stderr, "faultvfs: cannot install the shim (SQLite already "
	    "initialized?)\n");
	abort();
}

/*
 * tests/support/faultvfs.h: SQLite fault injection through SQLite's own
 * public hooks, as SQLite's test_malloc.c and test6.c do it: a VFS that
 * wraps the default one and a SQLITE_CONFIG_MALLOC shim, both counting
 * down to the N-th call of the operations armed and failing it.
 *
 * tf_install() registers the VFS as the default one, so a database
 * opened through db_open() uses it without db/ knowing. It must run
 * before anything else touches SQLite (the allocator can only be set
 * before sqlite3_initialize()). One thread only: the counters are plain.
 */
#ifndef SMSDESK_TESTS_SUPPORT_FAULTVFS_H
#define SMSDESK_TESTS_SUPPORT_FAULTVFS_H

#include <stdbool.h>

/* What may fail (a mask). */
enum tf_op {
	TF_WRITE = 1 << 0,    /* xWrite of any file (database, WAL, journal) */
	TF_SYNC = 1 << 1,     /* xSync */
	TF_FILESIZE = 1 << 2, /* xFileSize */
	TF_MALLOC = 1 << 3,   /* xMalloc / xRealloc of SQLite's allocator */
};

/* Install the allocator shim and the VFS (as the default). Once, before
 * any other SQLite call. Aborts if SQLite refuses. */
void tf_install(void);

/*
 * Arm: the n-th call (from 1) of the operations in ops fails with code
 * (SQLITE_IOERR, SQLITE_FULL; an I/O error is reported with the
 * operation's extended code, SQLITE_IOERR_WRITE etc.; a failed
 * allocation returns NULL). persistent: every later call fails too (a
 * disk that stays broken); else only the n-th (a transient fault).
 */
void tf_arm(unsigned ops, long n, int code, bool persistent);

/* Disarm: every call succeeds again. Counters stay readable. */
void tf_disarm(void);

/* Calls of the armed operations seen since tf_arm(). */
long tf_calls(void);

/* Calls failed since tf_arm() (0: the fault never fired). */
long tf_fired(void);

/* Short name of an op mask ("write", "sync", ...), for messages. */
const char *tf_op_name(unsigned ops);

#endif

/*
 * core/base/conf.h: table-driven configuration sections.
 *
 * Each module owns one INI section: a struct of settings plus a table of
 * struct sd_conf_key describing every key (type, default, limits, one-line
 * help). The generic functions here fill defaults, set one key with
 * validation, and print the defaults. The INI reader (inih) lives only in
 * smsdesk.c; this file knows nothing of files.
 *
 * Values are stored inside the section struct at the key's offset:
 * SD_CONF_STR as char[SD_CONF_VALUE_MAX], SD_CONF_INT as long,
 * SD_CONF_BOOL as bool, SD_CONF_ENUM as int (index into choices).
 */
#ifndef SMSDESK_CORE_BASE_CONF_H
#define SMSDESK_CORE_BASE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/base/limits.h"
#include "core/base/rc.h"

enum sd_conf_type {
	SD_CONF_STR,  /* char[SD_CONF_VALUE_MAX] */
	SD_CONF_INT,  /* long, within [min, max] */
	SD_CONF_BOOL, /* bool: yes/no, true/false, on/off, 1/0 */
	SD_CONF_ENUM, /* int index into choices */
};

/* Extra validation of a string value; returns SD_EINVAL with a reason. */
typedef enum sd_rc (*sd_conf_check_fn)(const char *value, char err[SD_ERRLEN]);

struct sd_conf_key {
	const char *name;           /* key name in the section */
	enum sd_conf_type type;     /* how the value is parsed and stored */
	size_t off;                 /* offset of the field in the struct */
	const char *def;            /* default, as it would be written */
	long min, max;              /* bounds for SD_CONF_INT */
	const char *const *choices; /* NULL-terminated, for SD_CONF_ENUM */
	sd_conf_check_fn check;     /* optional extra check for strings */
	const char *help;           /* one line, for "config defaults" */
};

/* A section: its name, its key table (terminated by name == NULL). */
struct sd_conf_section {
	const char *name;               /* "[db]" without brackets */
	const struct sd_conf_key *keys; /* the key table */
	void *cfg;                      /* the struct the keys point into */
};

/* Fill every key of the section with its default. Aborts on a bad
 * built-in default (a programmer error). */
void sd_conf_defaults(const struct sd_conf_section *sec);

/* Set key to value in sec. SD_EINVAL with a reason in err for an unknown
 * key or a bad value; the field keeps its previous value then. */
enum sd_rc sd_conf_set(const struct sd_conf_section *sec, const char *key,
    const char *value, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Print "[name]" and each "key = default   ; help" line to fp. */
void sd_conf_print_defaults(const struct sd_conf_section *sec, FILE *fp);

/* Print only the "key = default   ; help" lines: a section that several
 * key tables serve is printed under one "[name]". */
void sd_conf_print_keys(const struct sd_conf_section *sec, FILE *fp);

/* Check a "host:port" value (port 1..65535, host non-empty). */
enum sd_rc sd_conf_check_hostport(const char *value,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Split "host:port" into host (size hn) and port. SD_EINVAL if malformed. */
enum sd_rc sd_conf_split_hostport(const char *value, char *host, size_t hn,
    int *port) SD_MUSTCHECK;

#endif

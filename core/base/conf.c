/* core/base/conf.c: generic, table-driven INI section handling. */
#include "core/base/conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/log.h"

static const struct sd_conf_key *
conf_key_find(const struct sd_conf_section *sec, const char *key)
{
	const struct sd_conf_key *k;

	for (k = sec->keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			return k;
	return NULL;
}

static enum sd_rc
conf_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return SD_OK;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return SD_OK;
		}
	}
	return SD_EINVAL;
}

static enum sd_rc
conf_set_key(const struct sd_conf_section *sec, const struct sd_conf_key *k,
    const char *value, char err[SD_ERRLEN])
{
	char *field = (char *)sec->cfg + k->off;
	enum sd_rc rc;

	switch (k->type) {
	case SD_CONF_STR:
		if (strlen(value) >= SD_CONF_VALUE_MAX) {
			snprintf(err, SD_ERRLEN,
			    "%s: value longer than %d bytes", k->name,
			    SD_CONF_VALUE_MAX - 1);
			return SD_EINVAL;
		}
		if (k->check != NULL) {
			char why[SD_ERRLEN];

			rc = k->check(value, why);
			if (rc != SD_OK) {
				snprintf(err, SD_ERRLEN, "%s: %s", k->name,
				    why);
				return rc;
			}
		}
		memcpy(field, value, strlen(value) + 1);
		return SD_OK;
	case SD_CONF_INT: {
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || errno != 0) {
			snprintf(err, SD_ERRLEN,
			    "%s: '%s' is not a whole number", k->name, value);
			return SD_EINVAL;
		}
		if (v < k->min || v > k->max) {
			snprintf(err, SD_ERRLEN,
			    "%s: %ld is out of range %ld..%ld", k->name, v,
			    k->min, k->max);
			return SD_EINVAL;
		}
		memcpy(field, &v, sizeof(v));
		return SD_OK;
	}
	case SD_CONF_BOOL: {
		bool b;

		if (conf_parse_bool(value, &b) != SD_OK) {
			snprintf(err, SD_ERRLEN,
			    "%s: '%s' is not yes/no, true/false, on/off or 1/0",
			    k->name, value);
			return SD_EINVAL;
		}
		memcpy(field, &b, sizeof(b));
		return SD_OK;
	}
	case SD_CONF_ENUM: {
		int i;
		char list[SD_ERRLEN] = "";

		for (i = 0; k->choices[i] != NULL; i++) {
			if (strcmp(k->choices[i], value) == 0) {
				memcpy(field, &i, sizeof(i));
				return SD_OK;
			}
			if (i > 0)
				strncat(list, " | ",
				    sizeof(list) - strlen(list) - 1);
			strncat(list, k->choices[i],
			    sizeof(list) - strlen(list) - 1);
		}
		snprintf(err, SD_ERRLEN, "%s: '%s' is not one of: %s", k->name,
		    value, list);
		return SD_EINVAL;
	}
	}
	snprintf(err, SD_ERRLEN, "%s: bad key type", k->name);
	return SD_EINTERNAL;
}

void
sd_conf_defaults(const struct sd_conf_section *sec)
{
	const struct sd_conf_key *k;
	char err[SD_ERRLEN];

	for (k = sec->keys; k->name != NULL; k++)
		if (conf_set_key(sec, k, k->def, err) != SD_OK)
			fatalx("config", "bad built-in default [%s] %s",
			    sec->name, err);
}

enum sd_rc
sd_conf_set(const struct sd_conf_section *sec, const char *key,
    const char *value, char err[SD_ERRLEN])
{
	const struct sd_conf_key *k = conf_key_find(sec, key);

	if (k == NULL) {
		snprintf(err, SD_ERRLEN, "unknown key '%s' in section [%s]",
		    key, sec->name);
		return SD_EINVAL;
	}
	return conf_set_key(sec, k, value, err);
}

void
sd_conf_print_defaults(const struct sd_conf_section *sec, FILE *fp)
{
	fprintf(fp, "[%s]\n", sec->name);
	sd_conf_print_keys(sec, fp);
	fputc('\n', fp);
}

void
sd_conf_print_keys(const struct sd_conf_section *sec, FILE *fp)
{
	const struct sd_conf_key *k;

	for (k = sec->keys; k->name != NULL; k++) {
		int n = fprintf(fp, "%s = %s", k->name, k->def);

		fprintf(fp, "%*s; %s\n", n < 38 ? 38 - n : 1, "", k->help);
	}
}

enum sd_rc
sd_conf_split_hostport(const char *value, char *host, size_t hn, int *port)
{
	const char *colon = strrchr(value, ':');
	char *end;
	long p;

	if (colon == NULL || colon == value || (size_t)(colon - value) >= hn)
		return SD_EINVAL;
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p < 1 ||
	    p > 65535)
		return SD_EINVAL;
	memcpy(host, value, (size_t)(colon - value));
	host[colon - value] = '\0';
	*port = (int)p;
	return SD_OK;
}

enum sd_rc
sd_conf_check_hostport(const char *value, char err[SD_ERRLEN])
{
	char host[256];
	int port;

	if (sd_conf_split_hostport(value, host, sizeof(host), &port) != SD_OK) {
		snprintf(err, SD_ERRLEN,
		    "'%s' is not host:port with a port of 1..65535", value);
		return SD_EINVAL;
	}
	return SD_OK;
}

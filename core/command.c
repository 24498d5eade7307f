/*
 * core/command.c: the SMS command channel. An MO text is normalized
 * (Persian and Arabic-Indic digits, Arabic letters, ZWNJ, spaces), its
 * first word looked up in the command table (Persian or English, any
 * case), and the command run against the database in the caller's
 * transaction; its answer is queued in the outbox there. The answer is
 * Persian, or English when the command was English.
 *
 * Commands so far: STATUS (or a bare tracking number) and HELP. Anything
 * else gets a short hint, never silence; a number nobody registered gets
 * the way to sign up.
 */
#include "core/core.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

/* Longest reply built (two UCS-2 parts are 134 characters; Persian
 * characters take two bytes). */
#define REPLY_MAX 1024
/* Characters of the latest answer quoted in a STATUS reply. */
#define EXCERPT_CHARS 50

enum cmd_id {
	CMD_NONE = 0,
	CMD_HELP,
	CMD_STATUS,
};

/* A command word: Persian or English, its command. */
static const struct {
	const char *word; /* after normalization, ASCII lower-case */
	enum cmd_id id;
	bool en;
} cmd_words[] = {
	{"help", CMD_HELP, true},
	{"?", CMD_HELP, true},
	{"راهنما", CMD_HELP, false},
	{"؟", CMD_HELP, false},
	{"status", CMD_STATUS, true},
	{"st", CMD_STATUS, true},
	{"وضعیت", CMD_STATUS, false},
};

/* A parsed command. */
struct cmd {
	enum cmd_id id;
	bool en;          /* answer in English */
	int64_t tracking; /* STATUS: the number, 0 if missing or bad */
};

/* Parse a decimal tracking number: digits only, in range. */
static int64_t
parse_tracking(const char *s, size_t len)
{
	int64_t v = 0;
	size_t i;

	if (len == 0 || len > 12)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Split norm (normalized, lower-cased) into the command and its
 * argument. */
static void
cmd_parse(const char *norm, struct cmd *c)
{
	const char *sp = strchr(norm, ' ');
	size_t wlen = sp != NULL ? (size_t)(sp - norm) : strlen(norm);
	const char *arg = sp != NULL ? sp + 1 : "";
	size_t i;

	memset(c, 0, sizeof(c[0]));
	/* A bare tracking number asks for its status. */
	c->tracking = parse_tracking(norm, wlen);
	if (c->tracking != 0 && *arg == '\0') {
		c->id = CMD_STATUS;
		c->en = false;
		return;
	}
	c->tracking = 0;
	for (i = 0; i < sizeof(cmd_words) / sizeof(cmd_words[0]); i++) {
		if (strlen(cmd_words[i].word) == wlen &&
		    memcmp(cmd_words[i].word, norm, wlen) == 0) {
			c->id = cmd_words[i].id;
			c->en = cmd_words[i].en;
			break;
		}
	}
	if (c->id == CMD_STATUS) {
		sp = strchr(arg, ' ');
		c->tracking = parse_tracking(arg,
		    sp != NULL ? (size_t)(sp - arg) : strlen(arg));
	}
	if (c->id == CMD_NONE) {
		/* English if the text is plain ASCII letters at the start. */
		c->en = isalpha((unsigned char)norm[0]) != 0;
	}
}

/* Append the first max characters of s (one line) to out, with "…" when
 * cut. */
static void
excerpt(const char *s, size_t max, char *out, size_t outsz)
{
	size_t i = 0, chars = 0, o = strlen(out);

	while (s[i] != '\0' && chars < max && o + 5 < outsz) {
		unsigned char ch = (unsigned char)s[i];
		size_t n = ch < 0x80 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;

		if (ch == '\n' || ch == '\r') {
			out[o++] = ' ';
			i++;
		} else {
			if (o + n + 4 >= outsz)
				break;
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
		chars++;
	}
	out[o] = '\0';
	if (s[i] != '\0' && o + 4 < outsz)
		strcat(out, "…");
}

static void SD_PRINTF(3, 4)
add(char *buf, size_t sz, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len >= sz - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, sz - len, fmt, ap);
	va_end(ap);
}

/* STATUS: department, status, last update, priority, an excerpt of the
 * latest answer, the link. Not visible = not found. */
static enum sd_rc
cmd_status(struct db *db, const struct core_cmd_config *cfg,
    const struct db_user *u, const struct cmd *c, char *out, size_t outsz)
{
	struct db_request r;
	struct db_message m;
	struct db_dept d;
	struct core_jdate j;
	char when[32] = "?", ex[256] = "";
	enum sd_rc rc;

	rc = core_request_get(db, u->id, c->tracking, &r);
	if (rc == SD_ENOTFOUND) {
		core_txt_add(out, outsz, TXT_NOT_FOUND, c->en,
		    (long long)c->tracking);
		return SD_OK;
	}
	if (rc != SD_OK)
		return rc;
	rc = db_dept_get(db, r.dept, &d);
	if (rc != SD_OK) {
		db_request_fini(&r);
		return rc;
	}
	if (core_jalali_from_utc(r.updated, &j) == SD_OK)
		snprintf(when, sizeof(when), "%04d/%02d/%02d %02d:%02d", j.year,
		    j.month, j.day, j.hour, j.minute);
	core_txt_add(out, outsz, TXT_STATUS, c->en, (long long)r.tracking,
	    d.short_name, c->en ? core_status_label_en(r.status) :
	    core_status_label(r.status), when);
	core_txt_add(out, outsz, TXT_STATUS_PRIO, c->en,
	    core_priority_label(r.prio));
	rc = db_message_last_answer(db, r.tracking, &m);
	if (rc == SD_OK) {
		excerpt(m.body, EXCERPT_CHARS, ex, sizeof(ex));
		core_txt_add(out, outsz, TXT_STATUS_ANSWER, c->en, ex);
		db_message_fini(&m);
	} else if (rc != SD_ENOTFOUND) {
		db_dept_fini(&d);
		db_request_fini(&r);
		return rc;
	}
	core_txt_add(out, outsz, TXT_LINK, c->en, cfg->base_url,
	    (long long)r.tracking);
	db_dept_fini(&d);
	db_request_fini(&r);
	return SD_OK;
}

enum sd_rc
core_mo_handle(struct db *db, const struct core_cmd_config *cfg,
    const struct core_mo *mo, int64_t *reply_id)
{
	char e164[SD_MOBILE_LEN], err[SD_ERRLEN], reply[REPLY_MAX] = "";
	char *norm = NULL;
	struct db_user u;
	struct core_out m;
	struct cmd c;
	bool known = false;
	enum sd_rc rc;
	size_t i;

	*reply_id = 0;
	memset(&u, 0, sizeof(u));
	if (core_text_normalize(mo->text, CORE_NORM_ALL | CORE_NORM_ZWNJ_DROP,
		&norm, err) != SD_OK) {
		norm = xstrdup("");
	}
	for (i = 0; norm[i] != '\0'; i++)
		norm[i] = (char)tolower((unsigned char)norm[i]);
	cmd_parse(norm, &c);
	free(norm);
	if (core_mobile_parse(mo->from, e164, err) == SD_OK) {
		rc = db_user_by_mobile(db, e164, &u);
		if (rc == SD_OK)
			known = true;
		else if (rc != SD_ENOTFOUND)
			return rc;
	}
	rc = SD_OK;
	if (c.id == CMD_HELP) {
		add(reply, sizeof(reply), "%s", core_txt(TXT_HELP, c.en));
	} else if (!known) {
		core_txt_add(reply, sizeof(reply), TXT_UNREGISTERED, c.en,
		    cfg->base_url);
	} else if (c.id == CMD_STATUS && c.tracking != 0) {
		rc = cmd_status(db, cfg, &u, &c, reply, sizeof(reply));
	} else {
		add(reply, sizeof(reply), "%s", core_txt(TXT_UNKNOWN, c.en));
	}
	if (known)
		db_user_fini(&u);
	if (rc != SD_OK)
		return rc;
	memset(&m, 0, sizeof(m));
	m.kind = mo->ussd ? CORE_OUT_USSD : CORE_OUT_REPLY;
	m.dest = mo->from;
	m.text = reply;
	m.ussd_session = mo->ussd_session;
	return core_out_queue(db, &m, reply_id);
}

/*
 * core/alert.c: SMS alerts that follow a change of a request: an answer,
 * a closure, an escalation to the head's office (to the applicant, unless
 * they sent STOP), and a new very urgent request (to the department's
 * staff, when the department wants it). Each is queued in the same
 * transaction as the change, as kind alert (after OTPs and replies).
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/core_int.h"

/* Characters of an answer quoted in an alert. */
#define ALERT_EXCERPT 40

void
core_link(const struct core_env *env, int64_t tracking, char *out, size_t n)
{
	const char *base = env != NULL && env->base_url != NULL ?
	    env->base_url : "";
	size_t len = strlen(base);

	/* "https://x/" + "r/1" without a doubled slash. */
	if (len > 0 && base[len - 1] == '/')
		len--;
	snprintf(out, n, "%.*s/r/%lld", (int)len, base, (long long)tracking);
}

void
core_excerpt(const char *text, size_t max, char *out, size_t outsz)
{
	/* What a phone would act on (controls, bidi overrides that would
	 * reorder the rest of the SMS, link included) is shown escaped. */
	char *s = core_text_escape(text, CORE_ESC_LINES);
	size_t i = 0, chars = 0, o = strlen(out);

	while (s[i] != '\0' && chars < max) {
		unsigned char ch = (unsigned char)s[i];
		size_t n = ch < 0x80 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;

		if (o + n + 4 >= outsz)
			break;
		if (ch == '\n' || ch == '\r' || ch == '\t') {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
		chars++;
	}
	out[o] = '\0';
	if (s[i] != '\0' && o + 4 < outsz)
		strcat(out, "…");
	free(s);
}

static enum sd_rc
alert_queue(struct db *db, const char *mobile, int64_t tracking,
    const char *text)
{
	struct core_out m;

	memset(&m, 0, sizeof(m));
	m.kind = CORE_OUT_ALERT;
	m.dest = mobile;
	m.text = text;
	m.tracking = tracking;
	return core_out_queue(db, &m, NULL);
}

enum sd_rc
core_alert_user(struct db *db, const struct core_env *env, int64_t user_id,
    int64_t tracking, enum core_alert a, const char *excerpt)
{
	char text[1024] = "", link[SD_CONF_VALUE_MAX + 32], ex[256] = "";
	struct db_user u;
	enum sd_rc rc;

	if (env == NULL)
		return SD_OK;
	rc = db_user_get(db, user_id, &u);
	if (rc != SD_OK)
		return rc;
	if (u.alerts_off) {
		log_debug("core", "alert not sent (STOP) tracking=%lld",
		    (long long)tracking);
		db_user_fini(&u);
		return SD_OK;
	}
	core_link(env, tracking, link, sizeof(link));
	switch (a) {
	case CORE_ALERT_ANSWER:
		core_excerpt(excerpt != NULL ? excerpt : "", ALERT_EXCERPT, ex,
		    sizeof(ex));
		core_txt_add(text, sizeof(text), false, TXT_ALERT_ANSWER,
		    (long long)tracking, ex, link);
		break;
	case CORE_ALERT_CLOSED:
		core_txt_add(text, sizeof(text), false, TXT_ALERT_CLOSED,
		    (long long)tracking, link);
		break;
	case CORE_ALERT_ESCALATED:
		core_txt_add(text, sizeof(text), false, TXT_ALERT_ESCALATED,
		    (long long)tracking, link);
		break;
	}
	rc = alert_queue(db, u.mobile, tracking, text);
	db_user_fini(&u);
	return rc;
}

enum sd_rc
core_alert_very_urgent(struct db *db, const struct core_env *env,
    int64_t tracking, int dept, const char *title)
{
	char text[1024], link[SD_CONF_VALUE_MAX + 32], ex[256] = "";
	struct db_user *staff = NULL;
	struct db_dept d;
	size_t n = 0, i;
	enum sd_rc rc;

	if (env == NULL)
		return SD_OK;
	rc = db_dept_get(db, dept, &d);
	if (rc != SD_OK)
		return rc;
	if (!d.alert_very_urgent) {
		db_dept_fini(&d);
		return SD_OK;
	}
	rc = db_staff_of_dept(db, dept, &staff, &n);
	core_link(env, tracking, link, sizeof(link));
	core_excerpt(title, ALERT_EXCERPT, ex, sizeof(ex));
	for (i = 0; i < n && rc == SD_OK; i++) {
		if (staff[i].alerts_off)
			continue;
		text[0] = '\0';
		core_txt_add(text, sizeof(text), false, TXT_ALERT_VERY_URGENT,
		    (long long)tracking, d.short_name, ex, link);
		rc = alert_queue(db, staff[i].mobile, tracking, text);
	}
	db_user_list_free(staff, n);
	db_dept_fini(&d);
	return rc;
}

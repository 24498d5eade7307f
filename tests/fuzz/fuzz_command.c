/*
 * tests/fuzz/fuzz_command.c: the SMS command parser, and the whole MO
 * handler against an in-memory database (one applicant, one staff member,
 * one request; each input runs in a transaction that is rolled back).
 * Asserted: the parse is one of the commands, its fields terminated; the
 * handler never fails on input alone, and any reply it queues is valid
 * UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/core.h"
#include "tests/fuzz/fuzz.h"

static struct db *db;
static struct core_sms_config sms = {2, 1000000, 7, 1000000,
    CORE_THANKS_DEFAULT, "off",
    "نظام مهندسی کرمان"};
static const struct core_env env = {"https://desk.example", &sms, NULL,
	NULL, NULL, CORE_FX_SMS, NULL};

static void
world(void)
{
	static const int d2[] = {2};
	struct db_config cfg;
	char err[SD_ERRLEN];
	int64_t a, s, t;

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.path, ":memory:");
	cfg.busy_timeout_ms = 1000;
	log_set_level(LOG_LVL_ERROR);
	if (db_open(&cfg, &db, err) != SD_OK ||
	    core_user_add(db, 0, "09131111111", "a", "b", CORE_ROLE_APPLICANT,
		"", NULL, 0, &a, err) != SD_OK ||
	    core_user_add(db, 0, "09133333333", "c", "d", CORE_ROLE_STAFF, "t",
		d2, 1, &s, err) != SD_OK ||
	    core_request_create(db, &core_env_no_sms,
		&(struct core_actor){CORE_ACTOR_APPLICANT, a}, 2,
		CORE_PRIO_URGENT, "t", "x",
		CORE_CHAN_WEB, &t, err) != SD_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_cmd c;
	struct core_mo mo;
	struct db_outbox_row r;
	int64_t id = 0;
	char *text;
	enum sd_rc rc;

	if (db == NULL)
		world();
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	core_cmd_parse(text, &c);
	if (c.id > CORE_CMD_LAST || strlen(c.text) >= sizeof(c.text) ||
	    strlen(c.last) >= sizeof(c.last))
		abort();
	memset(&mo, 0, sizeof(mo));
	/* The first byte picks the sender: applicant, staff, stranger. */
	mo.from = size > 0 && data[0] % 3 == 1 ? "989133333333" :
	    size > 0 && data[0] % 3 == 2 ? "989139999999" : "989131111111";
	mo.to = "3000";
	mo.text = text;
	mo.ussd_session = -1;
	if (db_begin(db) != SD_OK)
		abort();
	rc = core_mo_handle(db, &env, &mo, &id, NULL);
	if (rc != SD_OK)
		abort();
	if (id != 0) {
		if (db_outbox_get(db, id, &r, NULL) != SD_OK ||
		    !core_text_utf8_valid(r.body, strlen(r.body)))
			abort();
		db_outbox_row_fini(&r);
	}
	db_rollback(db);
	free(text);
	return 0;
}

/*
 * smsc/http_receipt.c: a delivery report from the HTTP SMS provider,
 * stored. The report is parsed by smsc_http_parse_receipt() (http.c) and
 * applied by db_outbox_receipt_http(), which checks the route, the state
 * and the row's secret; this file holds the transaction around it and
 * the log line that says what was refused and why. It runs on the web
 * thread, so it touches nothing of the transport (no curl here).
 */
#include "smsc/smsc.h"

#include <stdint.h>

#include "smsc/smsc_int.h"

#include "core/base/log.h"
#include "db/db.h"

enum sd_rc
smsc_http_receipt_store(struct db *db, const struct smsc_http_config *cfg,
    const char *query)
{
	char tok[SMSC_HTTP_TOKEN_LEN + 1];
	const char *why;
	uint64_t id;
	int state;
	enum sd_rc rc;

	if (smsc_http_parse_receipt(cfg, query, &id, &state, tok) != SD_OK) {
		log_warnx("http", "receipt refused: not a delivery report");
		return SD_EINVAL;
	}
	rc = db_begin(db);
	if (rc == SD_OK)
		rc = db_outbox_receipt_http(db, (int64_t)id, tok,
		    smsc_receipt_out_state(state), "http receipt");
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK)
		db_rollback(db);
	switch (rc) {
	case SD_OK:
		log_info("http", "receipt id=%llu state=%d",
		    (unsigned long long)id, state);
		return SD_OK;
	case SD_ENOTFOUND: why = "no such message"; break;
	case SD_ESTATE:
		why = "not sent over http or not awaiting a receipt";
		break;
	case SD_EPERM: why = tok[0] == '\0' ? "no token" : "wrong token"; break;
	default:
		log_warnx("http", "receipt not stored id=%llu rc=%s",
		    (unsigned long long)id, sd_rc_str(rc));
		return rc;
	}
	/* The token itself is never logged. */
	log_warnx("http", "receipt refused id=%llu state=%d reason=\"%s\"",
	    (unsigned long long)id, state, why);
	return SD_EPERM;
}

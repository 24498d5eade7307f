/*
 * smsc/ussd.c: USSD dialogues as operators carry them over SMPP 3.4.
 *
 * A dial arrives as a deliver_sm with ussd_service_op [ussd] op_begin
 * (PSSR indication, 1), the user's answers with op_answer (USSR confirm,
 * 18); we send each screen with op_continue (USSR request, 2) and the
 * last one with op_end (PSSR response, 17). What names a dialogue
 * differs by operator ([ussd] session_key):
 *
 *   its_session_info (0x1383, SMPP 3.4 5.3.2.43): octet 1 the session
 *     number, octet 2 the dialogue unit's sequence number in bits 7..1
 *     and the end-of-session indicator in bit 0. The session number is
 *     the key; the TLV is echoed on the answer, bit 0 set on the last
 *     screen only.
 *   user_message_reference (0x0204): a vendor's 16-bit dialogue id,
 *     echoed as is.
 *   msisdn: the number alone (a handset holds one dialogue at a time).
 *
 * A USSN confirm (op 19, a handset acknowledging our notification when
 * op_end is USSN, 3) is acknowledged and not handed up: nothing was typed.
 * So is a step whose its_session_info has the end bit: the handset (or
 * the network) closed the dialogue, there is nobody to answer; the menu
 * lets it go after session_s.
 *
 * Whatever the profile, the TLVs of a number's last step are echoed when
 * they came: an operator that sends them expects them back. The table is
 * bounded (SMSC_USSD_TRACK_MAX) and lives on the gw thread, in the ESME.
 */
#include "smsc/smsc_int.h"

#include <string.h>

#include "smsc/smsc.h"

/* The end-of-session indicator: bit 0 of its_session_info's octet 2. */
#define USSD_ITS_END 0x0001u

bool
smsc_ussd_is_dial(const char *text, size_t len)
{
	size_t i;

	if (len < 3 || text[0] != '*' || text[len - 1] != '#')
		return false;
	for (i = 1; i + 1 < len; i++)
		if ((text[i] < '0' || text[i] > '9') && text[i] != '*')
			return false;
	return true;
}

/* The key of a number: its last SMSC_USSD_NUM_DIGITS digits. */
static void
ussd_num_key(const char *num, char out[SMSC_USSD_NUM_DIGITS + 1])
{
	char d[SMSC_ADDR_LEN];
	size_t n = 0, i;

	for (i = 0; num[i] != '\0' && n + 1 < sizeof(d); i++)
		if (num[i] >= '0' && num[i] <= '9')
			d[n++] = num[i];
	i = n > SMSC_USSD_NUM_DIGITS ? n - SMSC_USSD_NUM_DIGITS : 0;
	memcpy(out, d + i, n - i);
	out[n - i] = '\0';
}

/* The entry of num, or NULL. */
static struct smsc_ussd_peer *
ussd_find(struct smsc_ussd_track *t, const char *key)
{
	size_t i;

	if (key[0] == '\0')
		return NULL;
	for (i = 0; i < SMSC_USSD_TRACK_MAX; i++)
		if (strcmp(t->v[i].num, key) == 0)
			return &t->v[i];
	return NULL;
}

/* The entry of key, taking a free or the least recently used place. */
static struct smsc_ussd_peer *
ussd_take(struct smsc_ussd_track *t, const char *key)
{
	struct smsc_ussd_peer *pe = ussd_find(t, key), *old = &t->v[0];
	size_t i;

	if (pe != NULL)
		return pe;
	for (i = 0; i < SMSC_USSD_TRACK_MAX; i++) {
		if (t->v[i].num[0] == '\0') {
			old = &t->v[i];
			break;
		}
		if (t->v[i].used < old->used)
			old = &t->v[i];
	}
	memset(old, 0, sizeof(*old));
	memcpy(old->num, key, strlen(key) + 1);
	return old;
}

bool
smsc_ussd_inbound(const struct smsc_ussd_config *c, struct smsc_ussd_track *t,
    struct smsc_mo *mo)
{
	char key[SMSC_USSD_NUM_DIGITS + 1];
	struct smsc_ussd_peer *pe;

	ussd_num_key(mo->from, key);
	if ((mo->ussd_op == SMSC_USSD_OP_USSN_CONF &&
		c->op_begin != SMSC_USSD_OP_USSN_CONF &&
		c->op_answer != SMSC_USSD_OP_USSN_CONF) ||
	    (mo->has_session && (mo->ussd_session & USSD_ITS_END) != 0)) {
		pe = ussd_find(t, key);
		if (pe != NULL)
			memset(pe, 0, sizeof(*pe));
		mo->ussd_key = -1;
		return false;
	}

	if (mo->ussd_op == c->op_begin)
		mo->ussd_begin = true;
	else if (mo->ussd_op == c->op_answer)
		mo->ussd_begin = false;
	else
		mo->ussd_begin = smsc_ussd_is_dial(mo->text, mo->text_len);
	switch ((enum smsc_ussd_key)c->session_key) {
	case SMSC_USSD_KEY_ITS:
		mo->ussd_key = mo->has_session ? mo->ussd_session >> 8 : -1;
		break;
	case SMSC_USSD_KEY_UMR:
		mo->ussd_key = mo->has_umr ? (int)mo->umr : -1;
		break;
	case SMSC_USSD_KEY_MSISDN:
	default: mo->ussd_key = -1; break;
	}
	if (key[0] == '\0')
		return true; /* no digits: nothing to find it by again */
	pe = ussd_take(t, key);
	pe->has_its = mo->has_session;
	pe->its = mo->ussd_session;
	pe->has_umr = mo->has_umr;
	pe->umr = mo->umr;
	pe->used = ++t->tick;
	return true;
}

void
smsc_ussd_outbound(const struct smsc_ussd_config *c, struct smsc_ussd_track *t,
    const char *dest, bool end, int key, struct smsc_ussd_out *o)
{
	char k[SMSC_USSD_NUM_DIGITS + 1];
	struct smsc_ussd_peer *pe;

	memset(o, 0, sizeof(*o));
	o->op = (uint8_t)(end ? c->op_end : c->op_continue);
	ussd_num_key(dest, k);
	pe = ussd_find(t, k);
	/* A newer dialogue of the number (dialled again while the old
	 * one's answer was queued) keeps its TLVs. */
	if (pe != NULL && key >= 0 &&
	    ((c->session_key == SMSC_USSD_KEY_ITS &&
		 (!pe->has_its || pe->its >> 8 != key)) ||
		(c->session_key == SMSC_USSD_KEY_UMR &&
		    (!pe->has_umr || pe->umr != key))))
		pe = NULL;
	if (pe != NULL) {
		o->has_its = pe->has_its;
		o->its = (uint16_t)(pe->its & ~USSD_ITS_END);
		o->has_umr = pe->has_umr;
		o->umr = pe->umr;
	} else if (key >= 0 && c->session_key == SMSC_USSD_KEY_ITS) {
		o->has_its = true;
		o->its = (uint16_t)((key & 0xff) << 8);
	} else if (key >= 0 && c->session_key == SMSC_USSD_KEY_UMR) {
		o->has_umr = true;
		o->umr = (uint16_t)key;
	}
	if (end && o->has_its)
		o->its |= USSD_ITS_END;
	if (end && pe != NULL)
		memset(pe, 0, sizeof(*pe));
}

/*
 * tests/fuzz/fuzz_receipt.c: the delivery receipt parser on its text form,
 * with and without TLVs, and the message id comparison. Printable output
 * and bounded fields are asserted.
 */
#include <stdlib.h>
#include <string.h>

#include "smsc/smsc_int.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smsc_dlr_tlv t;
	struct smsc_dlr d;
	char err[SD_ERRLEN], id[SMSC_MSGID_MAX + 1];
	size_t i, n;

	if (smsc_dlr_parse(data, size, NULL, &d, err) == SD_OK) {
		for (i = 0; d.id[i] != '\0'; i++)
			if (d.id[i] < 0x20 || d.id[i] > 0x7e)
				abort();
		if (strlen(d.id) > SMSC_MSGID_MAX)
			abort();
		(void)smsc_msgid_equal(d.id, d.id, SMSC_MSGID_AUTO);
	}
	/* The same bytes as a receipted_message_id. */
	n = size < SMSC_MSGID_MAX ? size : SMSC_MSGID_MAX;
	memcpy(id, data, n);
	id[n] = '\0';
	memset(&t, 0, sizeof(t));
	t.receipted_message_id = id;
	t.has_message_state = size > 0;
	t.message_state = size > 0 ? data[0] : 0;
	if (smsc_dlr_parse(data, size, &t, &d, err) == SD_OK && d.id[0] == 0)
		abort(); /* an id is required */
	if (size > 2) {
		char a[33], b[33];

		n = (size - 1) / 2 < 32 ? (size - 1) / 2 : 32;
		memcpy(a, data + 1, n);
		a[n] = '\0';
		memcpy(b, data + 1 + n, n);
		b[n] = '\0';
		if (smsc_msgid_equal(a, b, (enum smsc_msgid_mode)(data[0] % 4)) !=
		    smsc_msgid_equal(a, b, (enum smsc_msgid_mode)(data[0] % 4)))
			abort();
	}
	return 0;
}

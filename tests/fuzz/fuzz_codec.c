/*
 * tests/fuzz/fuzz_codec.c: the text codecs both ways. Any bytes are
 * decoded in every alphabet (output must be a C string of the stated
 * length); valid UTF-8 is cut into parts with smsc_seg_split() in every
 * mode, each part must fit one short_message, smsc_seg_count() must agree,
 * and decoding the parts again must give the input back exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "smsc/smsc_int.h"
#include "tests/fuzz/fuzz.h"

static void
check_roundtrip(const char *z, size_t n, const struct smsc_seg_opts *o)
{
	struct smsc_seg seg;
	char err[SD_ERRLEN], *acc, *pt;
	size_t i, cnt, al = 0, pl;

	if (smsc_seg_split(z, n, o, 7, &seg, err) != SD_OK)
		return;
	if (smsc_seg_count(z, n, o, &cnt, NULL, err) != SD_OK ||
	    cnt != seg.nparts)
		abort();
	acc = malloc(n + 8);
	for (i = 0; i < seg.nparts; i++) {
		const struct smsc_part *p = &seg.parts[i];
		size_t h = p->esm_class != 0 ? 6 : 0;

		if (!seg.payload && p->len > 166)
			abort(); /* 6 UDH + 160 septets, unpacked */
		if (smsc_text_decode(seg.alphabet, p->sm + h, p->len - h, 0,
			&pt, &pl, err) != SD_OK)
			abort();
		if (al + pl > n)
			abort();
		memcpy(acc + al, pt, pl);
		al += pl;
		free(pt);
	}
	if (al != n || memcmp(acc, z, n) != 0)
		abort();
	free(acc);
	smsc_seg_fini(&seg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smsc_seg_opts o;
	char err[SD_ERRLEN], *t, *z;
	size_t tl;
	int a;

	if (size < 1 || size > 4096)
		return 0;
	for (a = 0; a < 4; a++) {
		if (smsc_text_decode((enum smsc_alphabet)a, data + 1, size - 1,
			data[0] & 1 ? SMSC_DECODE_LENIENT : 0, &t, &tl,
			err) == SD_OK) {
			if (strlen(t) != tl)
				abort();
			free(t);
		}
	}
	z = malloc(size);
	memcpy(z, data + 1, size - 1);
	z[size - 1] = '\0';
	smsc_seg_opts_default(&o);
	o.max_parts = 1 + data[0] % 255;
	for (a = 0; a < 3; a++) {
		o.mode = (enum smsc_seg_mode)a;
		check_roundtrip(z, size - 1, &o);
	}
	free(z);
	return 0;
}

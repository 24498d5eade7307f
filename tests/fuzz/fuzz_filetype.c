/*
 * tests/fuzz/fuzz_filetype.c: attachment type detection (issue #13) on
 * any head of a file: the first byte picks the name's extension, the rest
 * is the content. A verdict is one of the enum's; an accepted type is an
 * allowed one whose extension the name carries (or zip for an Office
 * document named .zip), never CORE_FT_NONE.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"a.jpg", "a.jpeg", "a.png",
	    "a.pdf", "a.doc", "a.xls", "a.docx", "a.xlsx", "a.pptx", "a.zip",
	    "a.dwg", "a.exe", "a", "a.JPG", ".jpg", "a.jpg.exe"};
	const char *name;
	enum core_ftype t = CORE_FT_COUNT;
	enum core_ftype_why why;

	if (size == 0)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	why = core_ftype_detect(data + 1,
	    size - 1 > CORE_FT_SNIFF ? CORE_FT_SNIFF : size - 1, name, &t);
	if ((unsigned)why >= CORE_FTW_COUNT)
		abort();
	if (why != CORE_FTW_OK) {
		if (t != CORE_FT_NONE)
			abort();
		return 0;
	}
	if (t <= CORE_FT_NONE || t >= CORE_FT_COUNT)
		abort();
	if (strstr(name, ".exe") != NULL || strchr(name, '.') == NULL)
		abort();
	if (strcmp(core_ftype_ext(t), "jpg") != 0 &&
	    strcasestr(name, core_ftype_ext(t)) == NULL)
		abort();
	return 0;
}

/*
 * tests/unit/core/test_filetype.c: attachment types by content (issue #13).
 *
 * Table-driven: each row is a file's first bytes and its name, and the
 * verdict core_ftype_detect() must give. The disguised files (an .exe
 * renamed .jpg, a PDF named .png, a bare ZIP named .docx, a Word document
 * named .xlsx) are refused; allowed content under a name without its
 * extension is refused too. Labels are the seed's («تصویر (jpg)»).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

/* A ZIP local file header for a stored member name (no data). */
static size_t
zip_member(uint8_t *out, const char *name)
{
	size_t n = strlen(name);

	memset(out, 0, 30);
	memcpy(out, "PK\x03\x04", 4);
	out[4] = 20;
	out[26] = (uint8_t)n;
	memcpy(out + 30, name, n);
	return 30 + n;
}

/* An OOXML head: [Content_Types].xml, _rels/.rels, then dir's member. */
static size_t
ooxml(uint8_t *out, const char *dir)
{
	size_t n = 0;
	char member[64];

	n += zip_member(out + n, "[Content_Types].xml");
	n += zip_member(out + n, "_rels/.rels");
	if (dir != NULL) {
		snprintf(member, sizeof(member), "%sdocument.xml", dir);
		n += zip_member(out + n, member);
	}
	return n;
}

struct row {
	const char *what;
	const uint8_t *head;
	size_t n;
	const char *name;
	enum core_ftype_why why;
	enum core_ftype type;
};

static void
check(const struct row *r)
{
	enum core_ftype t = CORE_FT_COUNT;
	enum core_ftype_why why = core_ftype_detect(r->head, r->n, r->name, &t);

	if (why != r->why || t != r->type)
		fail_msg("%s (%s): why %d type %d, want why %d type %d",
		    r->what, r->name, (int)why, (int)t, (int)r->why,
		    (int)r->type);
}

static void
test_table(void **state)
{
	static const uint8_t jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F',
	    'I', 'F', 0};
	static const uint8_t png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a,
	    0x0a, 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'};
	static const uint8_t pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
	static const uint8_t ole[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a,
	    0xe1, 0, 0};
	static const uint8_t dwg[] = "AC1032\0\0\0\0";
	static const uint8_t dwg_bad[] = "AC10XY\0\0";
	static const uint8_t exe[] = {'M', 'Z', 0x90, 0, 3, 0, 0, 0, 4, 0};
	static const uint8_t elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
	static const uint8_t html[] = "<html><script>alert(1)</script>";
	static const uint8_t svg[] = "<?xml version=\"1.0\"?><svg>";
	static const uint8_t empty_zip[] = {'P', 'K', 5, 6, 0, 0, 0, 0};
	static uint8_t zip[256], docx[512], xlsx[512], bare_ooxml[512];
	size_t nzip, ndocx, nxlsx, nbare;

	(void)state;
	nzip = zip_member(zip, "photos/a.jpg");
	ndocx = ooxml(docx, "word/");
	nxlsx = ooxml(xlsx, "xl/");
	nbare = ooxml(bare_ooxml, NULL);
	{
		const struct row rows[] = {
		    {"jpeg", jpg, sizeof(jpg), "Penguins.jpg", CORE_FTW_OK,
			CORE_FT_JPG},
		    {"jpeg .JPEG", jpg, sizeof(jpg), "a.JPEG", CORE_FTW_OK,
			CORE_FT_JPG},
		    {"png", png, sizeof(png), "نقشه.png", CORE_FTW_OK,
			CORE_FT_PNG},
		    {"pdf", pdf, sizeof(pdf) - 1, "x.pdf", CORE_FTW_OK,
			CORE_FT_PDF},
		    {"doc", ole, sizeof(ole), "x.doc", CORE_FTW_OK,
			CORE_FT_DOC},
		    {"xls", ole, sizeof(ole), "x.xls", CORE_FTW_OK,
			CORE_FT_XLS},
		    {"docx", docx, ndocx, "x.docx", CORE_FTW_OK, CORE_FT_DOCX},
		    {"xlsx", xlsx, nxlsx, "x.xlsx", CORE_FTW_OK, CORE_FT_XLSX},
		    {"ooxml, kind not in head", bare_ooxml, nbare, "x.pptx",
			CORE_FTW_OK, CORE_FT_PPTX},
		    {"docx as zip", docx, ndocx, "x.zip", CORE_FTW_OK,
			CORE_FT_ZIP},
		    {"zip", zip, nzip, "x.zip", CORE_FTW_OK, CORE_FT_ZIP},
		    {"empty zip", empty_zip, sizeof(empty_zip), "x.zip",
			CORE_FTW_OK, CORE_FT_ZIP},
		    {"dwg", dwg, sizeof(dwg) - 1, "plan.DWG", CORE_FTW_OK,
			CORE_FT_DWG},
		    /* Disguised. */
		    {"exe as jpg", exe, sizeof(exe), "photo.jpg",
			CORE_FTW_REFUSED, CORE_FT_NONE},
		    {"elf as pdf", elf, sizeof(elf), "a.pdf", CORE_FTW_REFUSED,
			CORE_FT_NONE},
		    {"html as png", html, sizeof(html) - 1, "a.png",
			CORE_FTW_REFUSED, CORE_FT_NONE},
		    {"svg", svg, sizeof(svg) - 1, "a.svg", CORE_FTW_REFUSED,
			CORE_FT_NONE},
		    {"pdf as jpg", pdf, sizeof(pdf) - 1, "a.jpg",
			CORE_FTW_MISMATCH, CORE_FT_NONE},
		    {"png as jpg", png, sizeof(png), "a.jpg", CORE_FTW_MISMATCH,
			CORE_FT_NONE},
		    {"zip as docx", zip, nzip, "a.docx", CORE_FTW_MISMATCH,
			CORE_FT_NONE},
		    {"docx as xlsx", docx, ndocx, "a.xlsx", CORE_FTW_MISMATCH,
			CORE_FT_NONE},
		    {"doc as docx", ole, sizeof(ole), "a.docx",
			CORE_FTW_MISMATCH, CORE_FT_NONE},
		    {"jpeg as exe", jpg, sizeof(jpg), "a.exe",
			CORE_FTW_MISMATCH, CORE_FT_NONE},
		    {"jpeg, no extension", jpg, sizeof(jpg), "photo",
			CORE_FTW_MISMATCH, CORE_FT_NONE},
		    {"jpeg, double extension", jpg, sizeof(jpg), "a.jpg.exe",
			CORE_FTW_MISMATCH, CORE_FT_NONE},
		    {"bad dwg version", dwg_bad, sizeof(dwg_bad) - 1, "a.dwg",
			CORE_FTW_REFUSED, CORE_FT_NONE},
		    {"truncated jpeg magic", jpg, 2, "a.jpg", CORE_FTW_REFUSED,
			CORE_FT_NONE},
		    {"empty", jpg, 0, "a.jpg", CORE_FTW_EMPTY, CORE_FT_NONE},
		};
		size_t i;

		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			check(&rows[i]);
	}
}

/* A ZIP whose member sizes walk past the head, or lie, is read safely. */
static void
test_zip_walk_bounds(void **state)
{
	uint8_t b[256];
	enum core_ftype t;
	size_t n = ooxml(b, NULL);

	(void)state;
	/* A compressed size that points far past the buffer. */
	b[18] = b[19] = b[20] = b[21] = 0xff;
	assert_int_equal(core_ftype_detect(b, n, "a.docx", &t), CORE_FTW_OK);
	assert_int_equal(t, CORE_FT_DOCX);
	/* A name length past the end. */
	b[26] = 0xff;
	assert_int_equal(core_ftype_detect(b, n, "a.docx", &t), CORE_FTW_OK);
}

static void
test_labels(void **state)
{
	int t;

	(void)state;
	assert_string_equal(core_ftype_label(CORE_FT_JPG), "تصویر (jpg)");
	assert_string_equal(core_ftype_mime(CORE_FT_JPG), "image/jpeg");
	assert_string_equal(core_ftype_mime(CORE_FT_NONE),
	    "application/octet-stream");
	for (t = CORE_FT_NONE + 1; t < CORE_FT_COUNT; t++) {
		char want[16];

		assert_int_equal(core_ftype_parse(
				     core_ftype_ext((enum core_ftype)t)),
		    t);
		/* Each label ends with its extension in parentheses. */
		snprintf(want, sizeof(want), "(%s)",
		    core_ftype_ext((enum core_ftype)t));
		assert_non_null(
		    strstr(core_ftype_label((enum core_ftype)t), want));
	}
	assert_int_equal(core_ftype_parse("exe"), CORE_FT_NONE);
	assert_int_equal(core_ftype_parse(""), CORE_FT_NONE);
	for (t = CORE_FTW_EMPTY; t < CORE_FTW_COUNT; t++)
		assert_non_null(
		    strstr(core_ftype_why_text((enum core_ftype_why)t), "%s"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_zip_walk_bounds),
	    cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

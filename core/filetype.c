/*
 * core/filetype.c: what an attached file is, from its first bytes.
 *
 * An attachment is accepted only if its content is one of the allowed
 * families (below) and the extension of its name is one of that family's:
 * the name alone decides nothing (an .exe renamed .jpg is refused), and
 * neither does the content alone (a PDF named .jpg would open in the wrong
 * program). The type kept is the extension's, normalized (.jpeg -> jpg).
 *
 * Families, by magic bytes at offset 0:
 *   JPEG  FF D8 FF                            jpg jpeg
 *   PNG   89 'PNG' 0D 0A 1A 0A                png
 *   PDF   "%PDF-"                             pdf
 *   OLE2  D0 CF 11 E0 A1 B1 1A E1             doc xls (Office 97-2003)
 *   ZIP   "PK" 03 04 (or 05 06, empty)        zip; with a member named
 *         "[Content_Types].xml" it is an Office Open XML document
 *         (docx xlsx pptx), told apart by its "word/", "xl/" or "ppt/"
 *         members when the head shows them
 *   DWG   "AC10" and two digits (R13..2018+)  dwg
 */
#include "core/core.h"

#include <string.h>

/* One allowed type. */
struct ftype_def {
	const char *ext;  /* the type's key and extension */
	const char *mime; /* Content-Type of a download */
};

static const struct ftype_def ftypes[CORE_FT_COUNT] = {
    [CORE_FT_NONE] = {"", "application/octet-stream"},
    [CORE_FT_JPG] = {"jpg", "image/jpeg"},
    [CORE_FT_PNG] = {"png", "image/png"},
    [CORE_FT_PDF] = {"pdf", "application/pdf"},
    [CORE_FT_DOCX] = {"docx",
	"application/vnd.openxmlformats-officedocument."
	"wordprocessingml.document"},
    [CORE_FT_XLSX] = {"xlsx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    [CORE_FT_PPTX] = {"pptx",
	"application/vnd.openxmlformats-officedocument."
	"presentationml.presentation"},
    [CORE_FT_DOC] = {"doc", "application/msword"},
    [CORE_FT_XLS] = {"xls", "application/vnd.ms-excel"},
    [CORE_FT_ZIP] = {"zip", "application/zip"},
    [CORE_FT_DWG] = {"dwg", "image/vnd.dwg"},
};

/* Families of content. */
enum family {
	FAM_NONE = 0,
	FAM_JPEG,
	FAM_PNG,
	FAM_PDF,
	FAM_OLE2,
	FAM_ZIP,
	FAM_OOXML,
	FAM_DWG,
};

/* The extension's type: each extension names one type. */
static const struct {
	const char *ext;
	enum core_ftype type;
	enum family fam;
} exts[] = {
    {"jpg", CORE_FT_JPG, FAM_JPEG},
    {"jpeg", CORE_FT_JPG, FAM_JPEG},
    {"png", CORE_FT_PNG, FAM_PNG},
    {"pdf", CORE_FT_PDF, FAM_PDF},
    {"doc", CORE_FT_DOC, FAM_OLE2},
    {"xls", CORE_FT_XLS, FAM_OLE2},
    {"docx", CORE_FT_DOCX, FAM_OOXML},
    {"xlsx", CORE_FT_XLSX, FAM_OOXML},
    {"pptx", CORE_FT_PPTX, FAM_OOXML},
    {"zip", CORE_FT_ZIP, FAM_ZIP},
    {"dwg", CORE_FT_DWG, FAM_DWG},
};

static bool
has(const uint8_t *p, size_t n, const void *needle, size_t k)
{
	size_t i;

	if (k == 0 || n < k)
		return false;
	for (i = 0; i + k <= n; i++)
		if (p[i] == *(const uint8_t *)needle &&
		    memcmp(p + i, needle, k) == 0)
			return true;
	return false;
}

/* The ZIP local-header member names in head start with prefix (only the
 * headers that the head holds whole are walked; a member with a data
 * descriptor ends the walk, its size being unknown here). */
static bool
zip_member_prefix(const uint8_t *p, size_t n, const char *prefix)
{
	size_t off = 0, k = strlen(prefix);

	while (off + 30 <= n && memcmp(p + off, "PK\x03\x04", 4) == 0) {
		unsigned flags = p[off + 6] | (unsigned)p[off + 7] << 8;
		uint32_t csize = p[off + 18] | (uint32_t)p[off + 19] << 8 |
		    (uint32_t)p[off + 20] << 16 | (uint32_t)p[off + 21] << 24;
		size_t nlen = p[off + 26] | (size_t)p[off + 27] << 8;
		size_t xlen = p[off + 28] | (size_t)p[off + 29] << 8;

		if (off + 30 + nlen > n)
			break;
		if (nlen >= k && memcmp(p + off + 30, prefix, k) == 0)
			return true;
		if ((flags & 0x08) != 0)
			break;
		off += 30 + nlen + xlen + csize;
	}
	return false;
}

static enum family
family_of(const uint8_t *p, size_t n)
{
	static const uint8_t png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a,
	    0x0a};
	static const uint8_t ole[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a,
	    0xe1};
	static const char ct[] = "[Content_Types].xml";

	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return FAM_JPEG;
	if (n >= 8 && memcmp(p, png, 8) == 0)
		return FAM_PNG;
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return FAM_PDF;
	if (n >= 8 && memcmp(p, ole, 8) == 0)
		return FAM_OLE2;
	if (n >= 4 && memcmp(p, "PK\x05\x06", 4) == 0)
		return FAM_ZIP;
	if (n >= 30 && memcmp(p, "PK\x03\x04", 4) == 0)
		return has(p, n, ct, sizeof(ct) - 1) ? FAM_OOXML : FAM_ZIP;
	if (n >= 6 && memcmp(p, "AC10", 4) == 0 && p[4] >= '0' && p[4] <= '9' &&
	    p[5] >= '0' && p[5] <= '9')
		return FAM_DWG;
	return FAM_NONE;
}

/* The extension of name (after its last '.'), lower-cased ASCII, in out;
 * "" if none or not short ASCII. */
static void
ext_of(const char *name, char out[8])
{
	const char *dot = strrchr(name, '.');
	size_t i;

	out[0] = '\0';
	if (dot == NULL || dot[1] == '\0' || strlen(dot + 1) >= 8)
		return;
	for (i = 0; dot[1 + i] != '\0'; i++) {
		char c = dot[1 + i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			out[0] = '\0';
			return;
		}
		out[i] = c;
	}
	out[i] = '\0';
}

enum core_ftype_why
core_ftype_detect(const uint8_t *head, size_t n, const char *name,
    enum core_ftype *type)
{
	enum family fam = family_of(head, n);
	char ext[8];
	size_t i;

	*type = CORE_FT_NONE;
	if (n == 0)
		return CORE_FTW_EMPTY;
	if (fam == FAM_NONE)
		return CORE_FTW_REFUSED;
	ext_of(name != NULL ? name : "", ext);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (strcmp(ext, exts[i].ext) != 0)
			continue;
		/* A .docx, .xlsx or .pptx is a ZIP too, but a bare ZIP named
		 * .docx is not a document: the other way only. */
		if (exts[i].fam != fam &&
		    !(fam == FAM_OOXML && exts[i].fam == FAM_ZIP))
			return CORE_FTW_MISMATCH;
		if (fam == FAM_OOXML && exts[i].fam == FAM_OOXML) {
			static const char *const dir[] = {"word/", "xl/",
			    "ppt/"};
			static const enum core_ftype t[] = {CORE_FT_DOCX,
			    CORE_FT_XLSX, CORE_FT_PPTX};
			size_t k;

			for (k = 0; k < 3; k++)
				if (t[k] != exts[i].type &&
				    zip_member_prefix(head, n, dir[k]))
					return CORE_FTW_MISMATCH;
		}
		*type = exts[i].type;
		return CORE_FTW_OK;
	}
	/* Allowed content under a name that does not say so (none, .exe,
	 * .txt): refused, as the name decides how it will be opened. */
	return CORE_FTW_MISMATCH;
}

const char *
core_ftype_ext(enum core_ftype t)
{
	return (unsigned)t < CORE_FT_COUNT ? ftypes[t].ext : "";
}

const char *
core_ftype_mime(enum core_ftype t)
{
	return (unsigned)t < CORE_FT_COUNT ? ftypes[t].mime :
					     ftypes[CORE_FT_NONE].mime;
}

enum core_ftype
core_ftype_parse(const char *ext)
{
	int t;

	for (t = CORE_FT_NONE + 1; t < CORE_FT_COUNT; t++)
		if (ext != NULL && strcmp(ext, ftypes[t].ext) == 0)
			return (enum core_ftype)t;
	return CORE_FT_NONE;
}

/*
 * db/fts.c: full-text search of requests (issue #14, schema 15) and the
 * FTS5 tokenizer "sd_fa" that makes Persian text typed either way match.
 *
 * requests_fts (schema 15) holds, by rowid = tracking, a request's title
 * and the body of its first message. db/request.c writes it in the
 * transaction that stores the request or its first message;
 * db_fts_catch_up() indexes rows written behind db/'s back (the sqlite3
 * shell, a bulk load), and runs at `serve` start-up and in `sla sweep`.
 *
 * sd_fa wraps FTS5's unicode61 (registered on every connection by
 * db_open, before any statement can touch the table) and first rewrites
 * the text, the same way for what is indexed and for a query:
 *   Arabic yeh ي (U+064A) and alef maksura ى (U+0649) -> Persian yeh ی
 *   Arabic kaf ك (U+0643) -> Persian keheh ک
 *   teh marbuta ة (U+0629) and heh with yeh ۀ (U+06C0) -> heh ه
 *   Persian (U+06F0..) and Arabic-Indic (U+0660..) digits -> ASCII
 *   harakat (U+064B..U+065F, superscript alef U+0670) and tatweel
 *   (U+0640): dropped
 *   ZWNJ (U+200C): dropped, so it JOINS: "mi<ZWNJ>ravam" and
 *   "miravam" are one word; a space (or any separator of unicode61)
 *   splits: "mi ravam" is two words and does not match "miravam".


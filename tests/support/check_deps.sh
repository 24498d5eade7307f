#!/bin/sh
# Fail on a forbidden #include edge (style.md A1):
#   core/base: libc + POSIX only; db/: core/base, core/model.h, sqlite3.h;
#   core/: core/base, core/model.h, db/db.h, ICU, sodium;
#   smsc/ and web-min/ never include each other; each library header stays
#   in its own module; inih only in smsdesk_conf.c.
set -u
bad=0
check() { # dir pattern reason
	hits=$(grep -nE "$2" $1 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "check-deps: $3:"
		echo "$hits"
		bad=1
	fi
}
inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*'
check "core/base/*.[ch]" "$inc\"(db|core/[a-z_]+\.h|smsc|web-min)" "core/base includes a module"
check "core/base/*.[ch] db/*.[ch] core/*.[ch]" "$inc\"(smsc|web-min)/" "core or db includes smsc/web-min"
check "db/*.[ch]" "$inc\"core/core" "db includes core/core.h"
check "smsc/*.[ch]" "$inc\"web-min/" "smsc includes web-min"
check "web-min/*.[ch]" "$inc\"smsc/" "web-min includes smsc"
check "core/*.[ch] core/base/*.[ch] smsc/*.[ch] web-min/*.[ch] smsdesk*.c" "$inc<sqlite3\.h>" "sqlite3.h outside db/"
check "core/*.[ch] core/base/*.[ch] db/*.[ch] web-min/*.[ch] smsdesk*.c" "$inc<(smpp34|curl/)" "smpp34.h or curl outside smsc/"
check "core/*.[ch] core/base/*.[ch] db/*.[ch] smsc/*.[ch] smsdesk*.c" "$inc<microhttpd\.h>" "microhttpd.h outside web-min/"
pub=$(ls */*.h */*/*.h 2>/dev/null | grep -v '_int\.h$' | grep -v '^tests/')
check "$pub" "$inc<(sqlite3|smpp34|microhttpd|ini)\.h>" "a library header in a public header"
check "core/*.[ch] core/base/*.[ch] db/*.[ch] smsc/*.[ch] web-min/*.[ch] $(ls smsdesk*.[ch] | grep -v '^smsdesk_conf\.c$')" "$inc<ini\.h>" "ini.h outside smsdesk_conf.c"
# SQL lives only in db/.
sql=$(grep -nE '"[[:space:]]*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN)[[:space:]]' \
    core/*.c core/base/*.c smsc/*.c web-min/*.c smsdesk*.c 2>/dev/null)
if [ -n "$sql" ]; then
	echo "check-deps: SQL outside db/:"
	echo "$sql"
	bad=1
fi
# The program's rooms hold no transaction and no audit row: domain writes
# go through core/, the adapters' own bookkeeping through smsc/ (issue 10).
check "smsdesk*.c" "db_(begin|commit|rollback|audit_add)\(" "a transaction or audit row in smsdesk*.c (move it into core/ or smsc/)"
[ $bad -eq 0 ] && echo "check-deps: ok"
exit $bad

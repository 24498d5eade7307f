#!/bin/sh
# Install what the build and the tests need, from Debian's packages
# (with the argument "bench": also what make bench needs).
# Each pkg-config name maps to its -dev package; tools are checked by path.
# As root, missing packages are installed with apt-get; otherwise one line
# says which command to run.
set -u
missing=""
need_pkg() { missing="$missing $1"; }

command -v pkg-config >/dev/null 2>&1 || need_pkg pkg-config
command -v cc >/dev/null 2>&1 || need_pkg gcc
command -v curl >/dev/null 2>&1 || need_pkg curl
command -v sqlite3 >/dev/null 2>&1 || need_pkg sqlite3
command -v python3 >/dev/null 2>&1 || need_pkg python3
# The npm smpp package as an independent SMSC (tests/npm).
command -v node >/dev/null 2>&1 || need_pkg nodejs
command -v npm >/dev/null 2>&1 || need_pkg npm
# libFuzzer (make fuzz, and its short run in make test).
command -v clang >/dev/null 2>&1 || need_pkg clang
# The format check of make test (make check-fmt; .clang-format is pinned to
# clang-format 14, Debian 12's).
command -v clang-format >/dev/null 2>&1 || need_pkg clang-format
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
    >/dev/null 2>&1 || need_pkg libclang-rt-14-dev
# Independent SMPP peers for the interoperability tests.
[ -x /usr/lib/kannel/test/drive_smpp ] || need_pkg kannel-extras
# Kannel's bearerbox and smsbox, the HTTP transport's peer (fakesmsc, its
# SMSC, comes with kannel-extras).
[ -x /usr/sbin/bearerbox ] && [ -x /usr/sbin/smsbox ] || need_pkg kannel
# openssl s_server, the TLS peer of tests/integ/test_http_tls.sh.
command -v openssl >/dev/null 2>&1 || need_pkg openssl
# The browser test of the web view (tests/integ/test_web_browser.sh):
# Debian's Chromium, driven by npm playwright-core (tests/browser).
[ -x /usr/bin/chromium ] || need_pkg chromium
# ... and a font with Persian letters, so its screenshots and its widths
# at 320 px are those of real text, not of missing-glyph boxes.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] ||
    need_pkg fonts-dejavu-core
# make bench (deps.sh bench): wrk against the web view and nginx serving
# the same bytes as a static file (tests/bench/bench_web.sh).
if [ "${1:-}" = bench ]; then
	command -v wrk >/dev/null 2>&1 || need_pkg wrk
	[ -x /usr/sbin/nginx ] || need_pkg nginx
fi

for pair in libsmpp34:libsmpp34-dev sqlite3:libsqlite3-dev \
    libmicrohttpd:libmicrohttpd-dev libcurl:libcurl4-openssl-dev \
    icu-i18n:libicu-dev libsodium:libsodium-dev inih:libinih-dev \
    cmocka:libcmocka-dev; do
	pc=${pair%%:*}
	deb=${pair#*:}
	if ! command -v pkg-config >/dev/null 2>&1 ||
	    ! pkg-config --exists "$pc" 2>/dev/null; then
		need_pkg "$deb"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages; run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q $missing >/dev/null; then
	apt-get update -q >/dev/null &&
	    apt-get install -y -q $missing >/dev/null || {
		echo "deps: apt-get install$missing failed" >&2
		exit 1
	}
fi
exit 0

#!/bin/sh
# tests/integ/test_web_browser.sh: the web view in headless Chromium
# (issue #13), tests/browser/web_browser.js: sign up with the code the
# SMSC simulator received, a request with an image, the list, the page,
# the download, a staff answer from the CLI and its SMS alert, a
# follow-up, sign out; JavaScript off. Screenshots of each page at 360 px
# in $(dirname $BIN)/screens (build/screens); each page checked for
# horizontal scrolling at 320 px and for its size (< 30 KB).
#
# Needs Debian's chromium (tests/support/deps.sh installs it), node and
# npm; tests/browser/node_modules (playwright-core, pinned with its
# lockfile) is installed with npm ci when missing, without any browser
# download (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
set -u
BIN=${BIN:-build/smsdesk}
SIM=${SIM:-build/smsdesk-smsc-sim}
DIR=tests/browser
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$BIN" ] && [ -x "$SIM" ] || { echo "FAIL - build first (make)"; exit 1; }
[ -x "$CHROMIUM" ] ||
    { echo "FAIL - $CHROMIUM not found (apt-get install chromium; tests/support/deps.sh)"; exit 1; }
command -v node >/dev/null 2>&1 ||
    { echo "FAIL - node not found (apt-get install nodejs npm)"; exit 1; }
if [ ! -d "$DIR/node_modules/playwright-core" ]; then
	command -v npm >/dev/null 2>&1 ||
	    { echo "FAIL - npm not found (apt-get install npm)"; exit 1; }
	echo "installing $DIR/node_modules (npm ci)"
	(cd "$DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
	    npm ci --no-audit --no-fund --loglevel=error) ||
	    { echo "FAIL - npm ci in $DIR failed"; exit 1; }
fi
# The script bounds itself (DEADLINE_S) and stops what it started;
# timeout is the last resort. Under a sanitizer serve is slower.
case "$BIN" in
*asan* | *tsan*) dl=120 ;;
*) dl=60 ;;
esac
# BROWSER_TEST: the script (web_browser.js; test_staff_browser.sh runs
# staff_browser.js), SCREENS_DIR: its screenshots' folder under the build.
BIN=$BIN SIM=$SIM CHROMIUM=$CHROMIUM \
    SCREENS="$(dirname "$BIN")/${SCREENS_DIR:-screens}" \
    DEADLINE_S=$dl timeout -k 5 $((dl + 15)) \
    node "$DIR/${BROWSER_TEST:-web_browser.js}"

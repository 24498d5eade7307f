#!/bin/sh
# tests/integ/test_staff_browser.sh: the staff console in headless
# Chromium (issue #14), tests/browser/staff_browser.js: a staff member's
# first password by SMS code, sign-in with password and code, the inbox
# filtered, a request answered with an attachment, the applicant's alert
# at the simulator and its delivery state on the staff page. Screenshots
# in $(dirname $BIN)/screens-staff. The setup (chromium, node,
# playwright-core) is test_web_browser.sh's.
set -u
BROWSER_TEST=staff_browser.js SCREENS_DIR=screens-staff \
    exec sh "$(dirname "$0")/test_web_browser.sh"

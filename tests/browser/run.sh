#!/usr/bin/env bash
# The console in headless Chromium: starts live wxlogin servers on free loopback ports (a
# `serve --dev`, a non-dev server with a fixed JWT secret and WXLOGIN_CONSOLE=on whose admin is
# made with `wxlogin admin set-role`, and one with the console off) and drives the page with
# Selenium (console_test.py).
#
#   tests/browser/run.sh                       # uses build/wxlogin
#   WXLOGIN_BIN=/path/to/wxlogin tests/browser/run.sh
#   CONSOLE_SCREENSHOTS=docs/console tests/browser/run.sh   # also copy the panels' screenshots there
#
# Exit status: 0 when every test passed, non-zero otherwise. Needs Debian's chromium,
# chromium-driver and python3-selenium (scripts/lib.sh installs them). Downloads nothing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WXBIN=${WXLOGIN_BIN:-$ROOT/build/wxlogin}
# Debian's python3-selenium belongs to Debian's python3, not to a pyenv or venv one on PATH.
PY=${CONSOLE_PYTHON:-/usr/bin/python3}

die() { printf 'tests/browser/run.sh: %s\n' "$*" >&2; exit 1; }
[[ -x $WXBIN ]] || die "no wxlogin binary at $WXBIN (build it, or set WXLOGIN_BIN)"
for tool in "$PY" "${CHROMIUM_BIN:-/usr/bin/chromium}" "${CHROMEDRIVER_BIN:-/usr/bin/chromedriver}"; do
  command -v "$tool" >/dev/null || die "$tool is required (apt-get install chromium chromium-driver python3-selenium)"
done
"$PY" -c 'import selenium' 2>/dev/null || die "python3-selenium is required (for $PY)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wxlogin-console.XXXXXX")
rc=0
WXLOGIN_BIN=$WXBIN CONSOLE_TEST_DIR=$TMP timeout 300 "$PY" "$HERE/console_test.py" || rc=$?

if [[ $rc -ne 0 ]]; then
  for log in "$TMP"/*.log; do
    [[ -s $log ]] || continue
    printf '\n--- last lines of %s ---\n' "$(basename "$log")" >&2
    tail -n 30 "$log" >&2
  done
fi
if [[ -n ${CONSOLE_SCREENSHOTS:-} && $rc -eq 0 ]]; then
  mkdir -p "$CONSOLE_SCREENSHOTS"
  for panel in dev admin health; do cp "$TMP/$panel.png" "$CONSOLE_SCREENSHOTS/$panel.png"; done
  printf '==> screenshots copied to %s\n' "$CONSOLE_SCREENSHOTS" >&2
fi
# The screenshots and logs stay for a look; the databases and the browser profile go.
rm -rf "$TMP"/*.db "$TMP"/*.db-* "$TMP/chromium-profile"
printf '==> tests/browser/run.sh: %s; screenshots and logs in %s\n' \
  "$([[ $rc -eq 0 ]] && echo passed || echo "FAILED (exit $rc)")" "$TMP" >&2
exit "$rc"

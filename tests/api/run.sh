#!/usr/bin/env bash
# API docs that run: lints docs/openapi.yaml, starts `wxlogin serve --dev` on a free loopback port
# with a throw-away SQLite file, makes an admin account there (register, stop the server,
# `wxlogin admin set-role`, start it again), puts two Prism proxies in front of it that check every
# answer against the spec, and runs the Postman collection through them with newman.
#
#   tests/api/run.sh                       # uses build/wxlogin
#   WXLOGIN_BIN=/path/to/wxlogin tests/api/run.sh
#
# Exit status: 0 when the lint and every newman assertion pass, non-zero otherwise.
# Needs node >= 18.20.1 with npm, python3 and curl. Downloads nothing but the packages of
# package-lock.json (npm ci). Set WXLOGIN_API_SKIP_NPM_CI=1 to reuse an existing node_modules.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WXBIN=${WXLOGIN_BIN:-$ROOT/build/wxlogin}
SPEC=$ROOT/docs/openapi.yaml
COLLECTION=$ROOT/docs/postman/wxlogin.postman_collection.json
BIN=$HERE/node_modules/.bin
START=$(date +%s)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'tests/api/run.sh: %s\n' "$*" >&2; exit 1; }

# --- preconditions -----------------------------------------------------------------------------
for tool in node npm python3 curl; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
node -e 'const [a,b,c]=process.versions.node.split(".").map(Number);
         process.exit(a>18||(a===18&&(b>20||(b===20&&c>=1)))?0:1)' ||
  die "node >= 18.20.1 is required (found $(node --version))"
[[ -x $WXBIN ]] || die "no wxlogin binary at $WXBIN (build it, or set WXLOGIN_BIN)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wxlogin-api.XXXXXX")
PIDS=()
cleanup() {
  local rc=$? pid i
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ $rc -ne 0 && -d $TMP ]]; then
    for log in "$TMP"/*.log; do
      [[ -s $log ]] || continue
      printf '\n--- last lines of %s ---\n' "$(basename "$log")" >&2
      tail -n 40 "$log" >&2
    done
  fi
  rm -rf "$TMP"
  printf '==> tests/api/run.sh: %s in %ss\n' "$([[ $rc -eq 0 ]] && echo passed || echo "FAILED (exit $rc)")" \
    "$(($(date +%s) - START))" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits (at most $2 seconds) until URL $1 answers 200; fails early if process $3 died.
wait_for() {
  local url=$1 seconds=$2 pid=$3 name=$4 i
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$name exited before it served $url"
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true) == 200 ]]; then return 0; fi
    sleep 0.1
  done
  die "$name did not answer $url within ${seconds}s"
}

# --- 1. tools, pinned by package-lock.json -------------------------------------------------------
cd "$HERE"
if [[ ${WXLOGIN_API_SKIP_NPM_CI:-0} == 1 && -x $BIN/newman ]]; then
  say "reusing tests/api/node_modules (WXLOGIN_API_SKIP_NPM_CI=1)"
else
  say "npm ci (tests/api)"
  # No install scripts: none of these tools needs one (the only one in the tree prints a banner).
  timeout 600 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi

# --- 2. lint -----------------------------------------------------------------------------------
say "redocly lint docs/openapi.yaml"
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  timeout 120 "$BIN/redocly" lint --config "$HERE/redocly.yaml" --format stylish "$SPEC"

# --- 3. wxlogin ----------------------------------------------------------------------------------
# Three distinct free loopback ports, held open together so that they differ.
read -r WX_PORT PRISM_PORT LAX_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
for s in socks: s.close()')
WX_URL=http://127.0.0.1:$WX_PORT

# Runs a wxlogin subcommand against the throw-away database. Nothing from the caller's environment
# may point it elsewhere (Redis, MySQL, ...).
wxlogin_env() {
  for v in $(compgen -e); do [[ $v == WXLOGIN_* ]] && unset "$v"; done
  export WXLOGIN_DATABASE_URL=sqlite://$TMP/wxlogin.db
}
# Starts `wxlogin serve --dev` (log $TMP/$1.log) and waits until it serves.
start_wxlogin() {
  local log=$1
  (
    wxlogin_env
    export WXLOGIN_LISTEN=127.0.0.1:$WX_PORT
    exec "$WXBIN" serve --dev
  ) >"$TMP/$log.log" 2>&1 &
  PIDS+=($!)
  wait_for "$WX_URL/healthz" 20 "${PIDS[-1]}" wxlogin
}
# Stops the wxlogin started last (SIGTERM, at most 20 s) and drops it from PIDS.
stop_wxlogin() {
  local pid=${PIDS[-1]} i rc=0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && die "wxlogin did not exit within 20s of SIGTERM"
  wait "$pid" || rc=$?
  unset 'PIDS[-1]'
  [[ $rc -eq 0 ]] || die "wxlogin exited with status $rc after SIGTERM"
}

# 3a. An admin account, for the collection's "Administration" folder: registered over HTTP, then
# promoted with `wxlogin admin set-role` while no server holds the SQLite file.
say "wxlogin serve --dev on $WX_URL ($WXBIN), to register the admin account"
start_wxlogin wxlogin-bootstrap
ADMIN_USERNAME=api-admin
ADMIN_PASSWORD=$(python3 -c 'import secrets; print("Api-" + secrets.token_urlsafe(24))')
ANSWER=$TMP/register-admin.json
STATUS=$(python3 -c 'import json, sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' \
           "$ADMIN_USERNAME" "$ADMIN_PASSWORD" |
         curl -s -o "$ANSWER" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' \
           --data-binary @- "$WX_URL/api/v1/auth/register" || true)
[[ $STATUS == 201 ]] || die "registering $ADMIN_USERNAME answered $STATUS: $(cat "$ANSWER" 2>/dev/null)"
ADMIN_ID=$(python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["user"]["id"]))' "$ANSWER") ||
  die "no user id in the answer to the registration: $(cat "$ANSWER")"
stop_wxlogin

say "wxlogin admin set-role --user $ADMIN_ID --role admin"
RC=0
( wxlogin_env; exec timeout 60 "$WXBIN" admin set-role --user "$ADMIN_ID" --role admin ) \
  >"$TMP/set-role.log" 2>&1 || RC=$?
[[ $RC -eq 0 ]] || die "wxlogin admin set-role exited with status $RC (see set-role.log)"

# 3b. The server the collection talks to: the same port and database file.
say "wxlogin serve --dev on $WX_URL ($WXBIN)"
start_wxlogin wxlogin

# --- 4. Prism: one validating everything, one validating answers only ------------------------------
start_prism() {
  local port=$1 name=$2; shift 2
  "$BIN/prism" proxy "$SPEC" "$WX_URL" --errors --host 127.0.0.1 --port "$port" --multiprocess=false "$@" \
    >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
}
say "prism proxy --errors on 127.0.0.1:$PRISM_PORT, and with --validate-request=false on 127.0.0.1:$LAX_PORT"
start_prism "$PRISM_PORT" prism
start_prism "$LAX_PORT" prism-lax --validate-request=false
wait_for "http://127.0.0.1:$PRISM_PORT/healthz" 60 "${PIDS[-2]}" prism
wait_for "http://127.0.0.1:$LAX_PORT/healthz" 60 "${PIDS[-1]}" prism-lax

# --- 5. the collection -----------------------------------------------------------------------------
say "newman run docs/postman/wxlogin.postman_collection.json"
FORCE_COLOR=0 timeout 300 "$BIN/newman" run "$COLLECTION" \
  --env-var "baseUrl=http://127.0.0.1:$PRISM_PORT" \
  --env-var "laxUrl=http://127.0.0.1:$LAX_PORT" \
  --env-var "directUrl=$WX_URL" \
  --env-var "adminUsername=$ADMIN_USERNAME" \
  --env-var "adminPassword=$ADMIN_PASSWORD" \
  --reporters cli --color off --timeout-request 10000 --timeout 240000

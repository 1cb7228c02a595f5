#!/usr/bin/env bash
# Instructions per request of one wxlogin binary, counted by callgrind: repeatable for the same
# binary and inputs whatever else the machine does (wrk's figures are not on a shared 2-core box),
# so two builds can be compared exactly — e.g. before and after a refactor.
#
#   FAKEWX=path/to/fakewx bench/instructions_per_request.sh BINARY [users_me|wx_login|healthz] [REQUESTS]
#
# PROFILE=FILE keeps callgrind's profile of the measured requests there, for
# `callgrind_annotate --inclusive=yes FILE` (docs/performance.md's records are made so).
#
# One I/O thread, SQLite in a temp dir, the peers' fake WeChat upstream (scripts/bench builds it),
# `ab` (apache2-utils) with 2 keep-alive connections; warm-up first, then callgrind's counters are
# zeroed, REQUESTS are sent and the counters dumped. Prints "Ir_per_request=N". Loopback only.
set -euo pipefail
bin=$1; scenario=${2:-users_me}; n=${3:-2000}
: "${FAKEWX:?set FAKEWX to the fakewx binary of the peers folder (scripts/bench builds it)}"
for tool in valgrind callgrind_control ab curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (valgrind, apache2-utils, curl)" >&2; exit 2; }
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); wxport=$(free_port)
tmp=$(mktemp -d /tmp/wxlogin-ir.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

APPID=wxbench0000000001; SECRET=bench-app-secret-0123456789abcdef
"$FAKEWX" -listen "127.0.0.1:$wxport" -appid "$APPID" -secret "$SECRET" >"$tmp/fakewx.log" 2>&1 & pids+=($!)
WXLOGIN_LISTEN=127.0.0.1:$port WXLOGIN_DATABASE_URL="sqlite://$tmp/wx.db" \
  WXLOGIN_JWT_SECRET=bench-jwt-secret-0123456789abcdef0123456789 WXLOGIN_IO_THREADS=1 \
  WXLOGIN_WECHAT_APPID=$APPID WXLOGIN_WECHAT_SECRET=$SECRET WXLOGIN_WECHAT_API_BASE="http://127.0.0.1:$wxport" \
  WXLOGIN_RATE_WECHAT_LOGIN=0 WXLOGIN_RATE_REGISTER=0 \
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bin" serve >"$tmp/server.log" 2>&1 & spid=$!
pids+=("$spid")
base=http://127.0.0.1:$port
for _ in $(seq 300); do curl -fs -m 1 "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
echo '{"code":"bench7"}' >"$tmp/login.json"
token=$(curl -s -H 'Content-Type: application/json' -d @"$tmp/login.json" "$base/api/v1/auth/wechat/login" |
  sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[[ -n $token ]] || { tail "$tmp/server.log" >&2; exit 1; }
case $scenario in
  users_me) load=(-H "Authorization: Bearer $token" "$base/api/v1/users/me") ;;
  wx_login) load=(-p "$tmp/login.json" -T application/json "$base/api/v1/auth/wechat/login") ;;
  healthz) load=("$base/healthz") ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
ab -q -n 200 -c 2 -k "${load[@]}" >/dev/null
callgrind_control -z "$spid" >/dev/null 2>&1
ab -q -n "$n" -c 2 -k "${load[@]}" >"$tmp/ab.txt"
callgrind_control -d "$spid" >/dev/null 2>&1
grep -q '^Failed requests: *0' "$tmp/ab.txt" || { cat "$tmp/ab.txt" >&2; exit 1; }
total=$(awk '/^(summary|totals):/{print $2; exit}' "$tmp/cg.out.1")
[[ -z ${PROFILE:-} ]] || cp "$tmp/cg.out.1" "$PROFILE"
echo "scenario=$scenario requests=$n Ir_per_request=$((total / n)) binary=$bin"

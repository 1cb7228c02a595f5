#!/usr/bin/env bash
# Memory at rest and with COUNT idle keep-alive connections (issue 13: idle <= 10 MiB, 10 000 idle
# connections < 100 MiB). Starts BINARY `serve` on a temp SQLite file and a free loopback port,
# with the connection limit and idle timeout raised so that the connections stay open while
# measured; prints one IDLE line (VmRSS, and its anonymous and file-backed parts, before and with
# the connections). Bounded: 60 s.
#
#   bench/idle_connections.sh [BINARY] [COUNT]     (default build/wxlogin, 10000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/servers.sh"
bin=${1:-$here/../build/wxlogin}
count=${2:-10000}
ulimit -n $((count + 1024))
tmp=$(mktemp -d /tmp/wxlogin-idle.XXXXXX)
pid=""
cleanup() {
  [[ -n $pid ]] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT
port=$(free_port)
WXLOGIN_LISTEN=127.0.0.1:$port WXLOGIN_DATABASE_URL="sqlite://$tmp/wxlogin.db" \
  WXLOGIN_JWT_SECRET=idle-bench-jwt-secret-0123456789abcdef0123 \
  WXLOGIN_WECHAT_APPID=wxbench0000000001 WXLOGIN_WECHAT_SECRET=idle-bench-app-secret \
  WXLOGIN_WECHAT_API_BASE=http://127.0.0.1:9 WXLOGIN_MAX_CONNECTIONS=$((count + 100)) \
  WXLOGIN_IDLE_TIMEOUT_MS=120000 WXLOGIN_LOG_LEVEL=warn \
  "$bin" serve >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs -m 1 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
curl -fs -m 1 "http://127.0.0.1:$port/healthz" >/dev/null || { tail "$tmp/server.log" >&2; exit 1; }
sleep 1  # start-up work (migrations, the hasher's dummy hash) is over
timeout 60 python3 "$here/idle_connections.py" "$port" "$pid" "$count"

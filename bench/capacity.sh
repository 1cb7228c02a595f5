#!/usr/bin/env bash
# The capacity model's figures (docs/deployment.md "Capacity model"), measured on one wxlogin on a
# private MariaDB + Redis (bench/servers.sh) behind `wxlogin wechat-sim`: Redis memory per cached
# user, per active and per revoked session, per brute-force and per rate-limit key; the instance's
# memory per revoked session; rows and bytes per session in MariaDB; database connections in use
# under concurrent logins. Bounded: a few thousand requests, all on 127.0.0.1.
#
#   bench/capacity.sh [BINARY]     (default build/wxlogin)     Env: USERS (2000) SESSIONS (5000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/servers.sh"
bin=${1:-$here/../build/wxlogin}
tmp=$(mktemp -d /tmp/wxlogin-capacity.XXXXXX)
pids=""
cleanup() {
  for p in $pids $BENCH_SERVER_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $pids $BENCH_SERVER_PIDS; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

start_mariadb "$tmp"
start_redis "$tmp"
sim_port=$(free_port); port=$(free_port)
"$bin" wechat-sim --listen "127.0.0.1:$sim_port" >"$tmp/sim.log" 2>&1 &
pids+=" $!"
WXLOGIN_LISTEN=127.0.0.1:$port WXLOGIN_DATABASE_URL=$MARIADB_URL WXLOGIN_REDIS_URL=$REDIS_URL \
  WXLOGIN_JWT_SECRET=capacity-jwt-secret-0123456789abcdef0123 \
  WXLOGIN_WECHAT_APPID=wxcapacity00000001 WXLOGIN_WECHAT_SECRET=capacity-app-secret \
  WXLOGIN_WECHAT_API_BASE=http://127.0.0.1:$sim_port WXLOGIN_TRUSTED_PROXIES=127.0.0.1 \
  WXLOGIN_RATE_WECHAT_LOGIN=0 WXLOGIN_PASSWORD_MEMLIMIT_KIB=19456 WXLOGIN_LOG_LEVEL=warn \
  "$bin" serve >"$tmp/server.log" 2>&1 &
wxpid=$!
pids+=" $wxpid"
for _ in $(seq 200); do curl -fs -m 1 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
curl -fs -m 1 "http://127.0.0.1:$port/healthz" >/dev/null || { tail "$tmp/server.log" >&2; exit 1; }

WX_PORT=$port SIM_PORT=$sim_port WX_PID=$wxpid REDIS_PORT=$REDIS_PORT MARIADB_SOCKET=$MARIADB_SOCKET \
  USERS=${USERS:-2000} SESSIONS=${SESSIONS:-5000} python3 "$here/capacity_probe.py"

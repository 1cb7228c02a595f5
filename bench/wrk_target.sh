#!/usr/bin/env bash
# One wxlogin load run, step for step like ../shared/peers/bench/run.sh (fake WeChat upstream,
# warm-up, peak-RSS reset, measured wrk run per scenario, one SUMMARY line each), except that the
# token comes from a WeChat login. Scenarios (SCENARIOS, default "users_me wx_login healthz
# users_me_pw20"):
#   users_me, wx_login, healthz  the peers' three (wx_login: 1000 existing users)
#   users_me_pw20   /users/me while a second load sends 20 password logins a second beside it
#   wx_login_new    first-time WeChat logins: every code is new, every login creates a user
#   password_login  password logins of one account, 4 connections (no more than the 5 attempts
#                   one account may have in flight): the hashing pool's saturated rate
#   refresh         refresh-token rotation, one connection per wrk thread (-c2; see lua/refresh.lua)
#   mixed           90 % /users/me, 10 % WeChat login of existing users
#
#   FAKEWX=path/to/fakewx LUA_DIR=path/to/peers/bench/lua bench/wrk_target.sh [--name N] BASE_URL 'COMMAND'
#
# Env: DURATION (10s) CONNS (64) THREADS (2) WARMUP (3s) FAKEWX_PORT (18099) RESULTS (append here)
#      STACK: sqlite (default: a file in the temp dir) or mariadb-redis (a private mariadbd and
#      redis-server started for this run, bench/servers.sh)
set -euo pipefail
source "$(dirname "$0")/servers.sh"
name=wxlogin
[[ ${1:-} == --name ]] && { name=$2; shift 2; }
base=${1%/}; cmd=$2
hostport=${base#http://}
[[ ${hostport%:*} == 127.0.0.1 ]] || { echo "loopback only" >&2; exit 2; }
DURATION=${DURATION:-10s}; CONNS=${CONNS:-64}; THREADS=${THREADS:-2}; WARMUP=${WARMUP:-3s}
FAKEWX_PORT=${FAKEWX_PORT:-18099}
STACK=${STACK:-sqlite}
SCENARIOS=${SCENARIOS:-"users_me wx_login healthz users_me_pw20"}
export CODE_POOL=${CODE_POOL:-1000} CODE_PREFIX=${CODE_PREFIX:-bench}
export WX_LUA_DIR=$(cd "$(dirname "$0")/lua" && pwd)

tmp=$(mktemp -d /tmp/wxlogin-bench.XXXXXX)
spid=""; wxpid=""
cleanup() {
  for p in $spid $wxpid $BENCH_SERVER_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $spid $wxpid $BENCH_SERVER_PIDS; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

APPID=wxbench0000000001; APPSECRET=bench-app-secret-0123456789abcdef
GOMAXPROCS=1 "$FAKEWX" -listen "127.0.0.1:$FAKEWX_PORT" -appid "$APPID" -secret "$APPSECRET" >"$tmp/fakewx.log" 2>&1 &
wxpid=$!
stack_env=(WXLOGIN_DATABASE_URL="sqlite://$tmp/wxlogin.db")
case $STACK in
  sqlite) ;;
  mariadb-redis)
    start_mariadb "$tmp"
    start_redis "$tmp"
    stack_env=(WXLOGIN_DATABASE_URL="$MARIADB_URL" WXLOGIN_REDIS_URL="$REDIS_URL") ;;
  *) echo "wrk_target: STACK must be sqlite or mariadb-redis" >&2; exit 2 ;;
esac
env "${stack_env[@]}" WXLOGIN_LISTEN=$hostport \
  WXLOGIN_JWT_SECRET=bench-jwt-secret-0123456789abcdef0123456789 \
  WXLOGIN_WECHAT_APPID=$APPID WXLOGIN_WECHAT_SECRET=$APPSECRET WXLOGIN_WECHAT_API_BASE="http://127.0.0.1:$FAKEWX_PORT" \
  WXLOGIN_RATE_WECHAT_LOGIN=0 WXLOGIN_RATE_REGISTER=0 \
  bash -c "exec $cmd" >"$tmp/server.log" 2>&1 &
spid=$!
for _ in $(seq 150); do curl -fs -m 1 "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs -m 1 "$base/healthz" >/dev/null || { tail "$tmp/server.log" >&2; exit 1; }

token=$(curl -s -m 10 -H 'Content-Type: application/json' -d "{\"code\":\"${CODE_PREFIX}0\"}" "$base/api/v1/auth/wechat/login" |
  sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[[ -n $token ]] || { echo "wrk_target: WeChat login failed" >&2; exit 1; }

curl -s -m 10 -o /dev/null -H 'Content-Type: application/json' \
  -d '{"username":"benchpw","password":"bench password 123"}' "$base/api/v1/auth/register"
# 20 password logins a second until killed: one curl every 50 ms, each in the background.
password_load() {
  while :; do
    curl -s -o /dev/null -m 5 -H 'Content-Type: application/json' \
      -d '{"username":"benchpw","password":"bench password 123"}' "$base/api/v1/auth/login" &
    sleep 0.05
  done
}

cpu_ticks() { sed 's/^.*) //' /proc/"$1"/stat | awk '{print $12 + $13}'; }
# CPU of the MariaDB and Redis servers (0 on SQLite): they share the machine with wxlogin.
servers_ticks() {
  local t=0 p
  for p in $BENCH_SERVER_PIDS; do t=$((t + $(cpu_ticks "$p"))); done
  echo "$t"
}
HZ=$(getconf CLK_TCK)
for sc in $SCENARIOS; do
  conns=$CONNS
  case $sc in
    users_me | users_me_pw20) url=$base/api/v1/users/me; script=$LUA_DIR/report.lua; hdr=(-H "Authorization: Bearer $token") ;;
    wx_login) url=$base/api/v1/auth/wechat/login; script=$LUA_DIR/login.lua; hdr=() ;;
    healthz) url=$base/healthz; script=$LUA_DIR/report.lua; hdr=() ;;
    wx_login_new) url=$base/api/v1/auth/wechat/login; script=$WX_LUA_DIR/login_new.lua; hdr=() ;;
    password_login) url=$base/api/v1/auth/login; script=$WX_LUA_DIR/password_login.lua; hdr=(); conns=4 ;;
    refresh) url=$base/api/v1/auth/refresh; script=$WX_LUA_DIR/refresh.lua; hdr=(); conns=$THREADS ;;
    mixed) url=$base/api/v1/users/me; script=$WX_LUA_DIR/mixed.lua; hdr=(-H "Authorization: Bearer $token") ;;
    *) echo "wrk_target: unknown scenario $sc" >&2; exit 2 ;;
  esac
  wrk -t"$THREADS" -c"$conns" -d"$WARMUP" -s "$script" "${hdr[@]}" "$url" >/dev/null 2>&1 || true
  echo 5 >/proc/"$spid"/clear_refs 2>/dev/null || true
  loadpid=""
  if [[ $sc == users_me_pw20 ]]; then password_load & loadpid=$!; fi
  c0=$(cpu_ticks "$spid"); d0=$(servers_ticks)
  wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s "$script" "${hdr[@]}" "$url" >"$tmp/wrk_$sc.txt" 2>&1
  c1=$(cpu_ticks "$spid"); d1=$(servers_ticks)
  if [[ -n $loadpid ]]; then kill "$loadpid" 2>/dev/null; wait "$loadpid" 2>/dev/null || true; fi
  hwm=$(awk '/^VmHWM:/{print $2}' /proc/"$spid"/status)
  eval "$(grep '^RESULT ' "$tmp/wrk_$sc.txt" | tail -1 | sed 's/^RESULT //' | tr ' ' '\n' | sed 's/^/r_/')"
  line=$(awk -v a="$r_requests" -v c=$((c1 - c0)) -v d=$((d1 - d0)) -v hz="$HZ" -v rps="$r_rps" -v p50="$r_p50_us" -v p99="$r_p99_us" -v hwm="$hwm" \
    'BEGIN{printf "rps=%.0f p50_ms=%.2f p99_ms=%.2f rss_peak_mib=%.1f cpu_us_per_req=%.1f servers_cpu_us_per_req=%.1f", rps, p50/1000, p99/1000, hwm/1024, (a>0 ? c*1e6/hz/a : 0), (a>0 ? d*1e6/hz/a : 0)}')
  sum="SUMMARY name=$name scenario=$sc $line non2xx=$r_non2xx sockerr=$r_sockerr"
  echo "$sum"
  [[ -n ${RESULTS:-} ]] && echo "$sum" >>"$RESULTS"
done

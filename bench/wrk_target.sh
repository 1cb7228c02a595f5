#!/usr/bin/env bash
# One wxlogin load run, step for step like ../shared/peers/bench/run.sh (fake WeChat upstream,
# warm-up, peak-RSS reset, measured wrk run per scenario, one SUMMARY line each), except that the
# token comes from a WeChat login. Scenarios (SCENARIOS picks a subset, in this order):
#   users_me        GET /api/v1/users/me with a valid token (as run.sh)
#   wx_login        WeChat login, codes from a pool of CODE_POOL existing users (as run.sh)
#   healthz         GET /healthz (as run.sh)
#   users_me_pw20   users_me while a second load sends 20 password logins a second (Argon2id at
#                   the default cost) beside it
#   wx_login_new    first-time WeChat logins: every request sends a code never seen before
#                   ("new<run>_<thread>_<n>"; fakewx maps any code to openid "o_<code>"), so
#                   every request creates a user
#   password_login  POST /api/v1/auth/login for "benchpw" with -c4: Argon2id is slow and the
#                   hashing pool bounds the rate. Four, because one account may have five
#                   attempts in flight before the sixth is refused (429): more connections would
#                   measure that lock, not the pool. 429/503 answers (503: pool queue full) are in
#                   non2xx and counted as status_429 / status_503
#   refresh         POST /api/v1/auth/refresh with the newest refresh token: tokens rotate and a
#                   reused one revokes the session, so each thread keeps its latest token, parsed
#                   from the previous response in wrk's response() callback (the first one from a
#                   WeChat login). Runs with -t2 -c2, one connection per thread, so request and
#                   response strictly alternate and no request ever carries a stale token.
#   mixed           90 % users_me with the bench token, 10 % WeChat login of existing users
#                   (codes from the pool). A simplification of "90 % reads, 8 % refresh, 2 % login":
#                   refresh needs per-connection token state that a 64-connection run cannot keep.
#
#   FAKEWX=path/to/fakewx LUA_DIR=path/to/peers/bench/lua bench/wrk_target.sh [--name N] BASE_URL 'COMMAND'
#
# Env: DURATION (10s) CONNS (64) THREADS (2) WARMUP (3s) FAKEWX_PORT (18099) RESULTS (append here)
#      SCENARIOS (all of the above)
#      STACK: sqlite (default: a file in the temp dir) or mariadb-redis (a private mariadbd and
#      redis-server started for this run, bench/servers.sh)
# SUMMARY lines also carry other_load_pct (share of the machine used by anything but the server,
# fakewx, wrk and the DB servers: a VM with steal time; high values mean contaminated figures)
# and steal_pct, computed as in run.sh. In users_me_pw20 the password-login curls count as other.
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
SCENARIOS=${SCENARIOS:-"users_me wx_login healthz users_me_pw20 wx_login_new password_login refresh mixed"}
export CODE_POOL=${CODE_POOL:-1000} CODE_PREFIX=${CODE_PREFIX:-bench}

tmp=$(mktemp -d /tmp/wxlogin-bench.XXXXXX)
spid=""; wxpid=""; loadpid=""
cleanup() {
  for p in $loadpid $spid $wxpid $BENCH_SERVER_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $loadpid $spid $wxpid $BENCH_SERVER_PIDS; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ wrk scripts (written per run)
# The RESULT line of the peers' lua/report.lua, plus status_429/status_503 when counted.
cat >"$tmp/done.lua" <<'LUA'
threads = {}
function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  local c429, c503 = 0, 0
  for _, t in ipairs(threads) do c429 = c429 + (t:get("c429") or 0); c503 = c503 + (t:get("c503") or 0) end
  io.write(string.format(
    "RESULT requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d sockerr=%d s429=%d s503=%d\n",
    summary.requests, s, summary.requests / s,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(90)),
    math.floor(latency:percentile(99)), math.floor(latency.max),
    e.status, e.connect + e.read + e.write + e.timeout, c429, c503))
end
LUA
# Every request a new code; RUN_TAG differs between warm-up and measured run so codes never repeat.
{ cat "$tmp/done.lua"; cat <<'LUA'
local tag = os.getenv("RUN_TAG") or "m"
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"code":"new' .. tag .. '_' .. (tid or 0) .. '_' .. n .. '"}')
end
LUA
} >"$tmp/wx_login_new.lua"
# Password logins; counts 429 and 503 per thread (summed in done()).
{ cat "$tmp/done.lua"; cat <<'LUA'
c429, c503 = 0, 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"benchpw","password":"bench password 123"}'
response = function(status, headers, body)
  if status == 429 then c429 = c429 + 1 elseif status == 503 then c503 = c503 + 1 end
end
LUA
} >"$tmp/password_login.lua"
# Refresh chain per thread (run with one connection per thread, see the header).
{ cat "$tmp/done.lua"; cat <<'LUA'
local rt = nil
local J = { ["Content-Type"] = "application/json" }
request = function()
  if rt == nil then
    return wrk.format("POST", "/api/v1/auth/wechat/login", J, '{"code":"refresh' .. (tid or 0) .. '"}')
  end
  return wrk.format("POST", "/api/v1/auth/refresh", J, '{"refresh_token":"' .. rt .. '"}')
end
response = function(status, headers, body)
  -- a failed refresh (should not happen) starts a new chain with a fresh WeChat login
  rt = (status == 200) and string.match(body, '"refresh_token"%s*:%s*"([^"]+)"') or nil
end
LUA
} >"$tmp/refresh.lua"
# 9 of 10 requests GET /users/me (token from TOKEN), 1 of 10 WeChat login from the code pool.
{ cat "$tmp/done.lua"; cat <<'LUA'
local pool = tonumber(os.getenv("CODE_POOL") or "1000")
local prefix = os.getenv("CODE_PREFIX") or "bench"
local auth = { ["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "") }
local J = { ["Content-Type"] = "application/json" }
local i, n = 0, 0
function init(args) n = ((tid or 0) * 509) % pool end
request = function()
  i = i + 1
  if i % 10 == 0 then
    n = (n + 1) % pool
    return wrk.format("POST", "/api/v1/auth/wechat/login", J, '{"code":"' .. prefix .. n .. '"}')
  end
  return wrk.format("GET", "/api/v1/users/me", auth)
end
LUA
} >"$tmp/mixed.lua"

# ------------------------------------------------------------ start processes
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
machine_ticks() { awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; t=b+$5+$6; print b, t, $9; exit}' /proc/stat; }
# user+sys of reaped children of this shell (wrk); `times` must run in this shell (see run.sh).
children_ticks() {
  awk -v hz="$HZ" 'NR==2{ split($1,a,"m"); split($2,b,"m");
    printf "%d\n", ((a[1]*60 + a[2]+0) + (b[1]*60 + b[2]+0)) * hz + 0.5 }' "$1"
}
HZ=$(getconf CLK_TCK)
for sc in $SCENARIOS; do
  c=$CONNS; t=$THREADS; hdr=(); url=$base/api/v1/users/me
  case $sc in
    users_me | users_me_pw20) script=$LUA_DIR/report.lua; hdr=(-H "Authorization: Bearer $token") ;;
    wx_login) url=$base/api/v1/auth/wechat/login; script=$LUA_DIR/login.lua ;;
    healthz) url=$base/healthz; script=$LUA_DIR/report.lua ;;
    wx_login_new) url=$base/api/v1/auth/wechat/login; script=$tmp/wx_login_new.lua ;;
    password_login) url=$base/api/v1/auth/login; script=$tmp/password_login.lua; c=4 ;;
    refresh) url=$base/; script=$tmp/refresh.lua; c=2; t=2 ;;
    mixed) url=$base/; script=$tmp/mixed.lua ;;
    *) echo "wrk_target: unknown scenario $sc" >&2; exit 2 ;;
  esac
  RUN_TAG=w TOKEN=$token wrk -t"$t" -c"$c" -d"$WARMUP" -s "$script" "${hdr[@]}" "$url" >"$tmp/warmup_$sc.txt" 2>&1 || true
  echo 5 >/proc/"$spid"/clear_refs 2>/dev/null || true
  loadpid=""
  if [[ $sc == users_me_pw20 ]]; then password_load & loadpid=$!; fi
  c0=$(cpu_ticks "$spid"); d0=$(servers_ticks); f0=$(cpu_ticks "$wxpid")
  times >"$tmp/times0"; m0=$(machine_ticks)
  RUN_TAG=m TOKEN=$token wrk -t"$t" -c"$c" -d"$DURATION" --latency -s "$script" "${hdr[@]}" "$url" >"$tmp/wrk_$sc.txt" 2>&1 ||
    { cat "$tmp/wrk_$sc.txt" >&2; echo "wrk_target: wrk failed for $sc" >&2; exit 1; }
  m1=$(machine_ticks); times >"$tmp/times1"
  c1=$(cpu_ticks "$spid"); d1=$(servers_ticks); f1=$(cpu_ticks "$wxpid")
  w=$(( $(children_ticks "$tmp/times1") - $(children_ticks "$tmp/times0") ))
  if [[ -n $loadpid ]]; then kill "$loadpid" 2>/dev/null; wait "$loadpid" 2>/dev/null || true; loadpid=""; fi
  hwm=$(awk '/^VmHWM:/{print $2}' /proc/"$spid"/status)
  grep -q '^RESULT ' "$tmp/wrk_$sc.txt" || { cat "$tmp/wrk_$sc.txt" >&2; echo "wrk_target: no RESULT for $sc" >&2; exit 1; }
  r_s429=0; r_s503=0
  eval "$(grep '^RESULT ' "$tmp/wrk_$sc.txt" | tail -1 | sed 's/^RESULT //' | tr ' ' '\n' | sed 's/^/r_/')"
  line=$(awk -v a="$r_requests" -v c=$((c1 - c0)) -v d=$((d1 - d0)) -v hz="$HZ" -v rps="$r_rps" -v p50="$r_p50_us" -v p99="$r_p99_us" -v hwm="$hwm" \
    'BEGIN{printf "rps=%.0f p50_ms=%.2f p99_ms=%.2f rss_peak_mib=%.1f cpu_us_per_req=%.1f servers_cpu_us_per_req=%.1f", rps, p50/1000, p99/1000, hwm/1024, (a>0 ? c*1e6/hz/a : 0), (a>0 ? d*1e6/hz/a : 0)}')
  load=$(awk -v a="$m0" -v b="$m1" -v ours=$(( (c1 - c0) + (d1 - d0) + (f1 - f0) + w )) 'BEGIN{split(a,x," "); split(b,y," ");
    t=y[2]-x[2]; if (t<=0) t=1; o=100*((y[1]-x[1])-ours)/t; if (o<0) o=0;
    printf "other_load_pct=%.0f steal_pct=%.0f", o, 100*(y[3]-x[3])/t }')
  extra=""
  [[ $sc == password_login ]] && extra=" status_429=$r_s429 status_503=$r_s503"
  sum="SUMMARY name=$name scenario=$sc $line non2xx=$r_non2xx sockerr=$r_sockerr $load$extra"
  echo "$sum"
  [[ -n ${RESULTS:-} ]] && echo "$sum" >>"$RESULTS"
done

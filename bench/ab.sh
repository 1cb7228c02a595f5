#!/usr/bin/env bash
# A/B of wxlogin builds: bench/ab.sh SCENARIO BIN [BIN...]
#
# Each binary in turn, each on a fresh SQLite file, with the peers' fake WeChat upstream
# (build-bench/peers, built by scripts/bench). Name a binary twice or more to alternate builds in
# one session, the only comparison this VM's drift allows (docs/performance.md). Prints rps, p50,
# p99, non-2xx answers and the CPU per request of wxlogin and of the fake upstream.
#   SCENARIO  login (WeChat login of 1000 existing users), me (GET /api/v1/users/me), healthz
#   DUR       measured seconds per binary (default 8), after 3 s of warm-up
# Loopback only. Each binary runs for at most DUR + 3 s of load plus its start-up.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/servers.sh"
scenario=${1:?usage: bench/ab.sh login|me|healthz BIN [BIN...]}
shift
(($# > 0)) || { echo "usage: bench/ab.sh login|me|healthz BIN [BIN...]" >&2; exit 2; }
peers=$root/build-bench/peers/bench
[[ -x $peers/bin/fakewx ]] || { echo "no $peers/bin/fakewx: run scripts/bench --quick once" >&2; exit 2; }
dur=${DUR:-8}
appid=wxbench0000000001
appsecret=bench-app-secret-0123456789abcdef
work=$(mktemp -d)
pids=()
cleanup() {
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

upstream_port=$(free_port)
GOMAXPROCS=1 "$peers/bin/fakewx" -listen "127.0.0.1:$upstream_port" -appid "$appid" -secret "$appsecret" \
  >"$work/fakewx.log" 2>&1 &
upstream=$!
pids+=("$upstream")

for bin in "$@"; do
  dir=$(mktemp -d -p "$work")
  port=$(free_port)
  env WXLOGIN_DATABASE_URL="sqlite://$dir/wxlogin.db" WXLOGIN_LISTEN="127.0.0.1:$port" \
    WXLOGIN_JWT_SECRET=bench-jwt-secret-0123456789abcdef0123456789 \
    WXLOGIN_WECHAT_APPID=$appid WXLOGIN_WECHAT_SECRET=$appsecret \
    WXLOGIN_WECHAT_API_BASE="http://127.0.0.1:$upstream_port" \
    WXLOGIN_RATE_WECHAT_LOGIN=0 WXLOGIN_RATE_REGISTER=0 "$bin" serve >"$dir/log" 2>&1 &
  server=$!
  pids+=("$server")
  for _ in $(seq 100); do curl -fs -m1 "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  base=http://127.0.0.1:$port
  case $scenario in
    login)
      export CODE_POOL=1000 CODE_PREFIX=bench
      args=(-s "$peers/lua/login.lua" "$base/api/v1/auth/wechat/login")
      ;;
    me)
      token=$(curl -fs -H 'Content-Type: application/json' -d '{"code":"bench0"}' "$base/api/v1/auth/wechat/login" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
      args=(-H "Authorization: Bearer $token" "$base/api/v1/users/me")
      ;;
    healthz) args=("$base/healthz") ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  wrk -t2 -c64 -d3s "${args[@]}" >/dev/null
  s0=$(cpu_ticks "$server") u0=$(cpu_ticks "$upstream")
  out=$(wrk -t2 -c64 -d"${dur}s" --latency "${args[@]}")
  s1=$(cpu_ticks "$server") u1=$(cpu_ticks "$upstream")
  n=$(awk '/requests in/{print $1}' <<<"$out")
  ticks_per_s=$(getconf CLK_TCK)
  printf '%s %s rps=%s p50=%s p99=%s non2xx=%s wxlogin_us=%s upstream_us=%s\n' "$bin" "$scenario" \
    "$(awk '/Requests\/sec/{print $2}' <<<"$out")" "$(awk '$1=="50%"{print $2}' <<<"$out")" \
    "$(awk '$1=="99%"{print $2}' <<<"$out")" "$(awk '/Non-2xx/{print $NF}' <<<"$out" | grep . || echo 0)" \
    $(((s1 - s0) * 1000000 / ticks_per_s / n)) $(((u1 - u0) * 1000000 / ticks_per_s / n))
  kill "$server"
  wait "$server" 2>/dev/null || true
done

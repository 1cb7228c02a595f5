#!/usr/bin/env bash
# Makes deploy/ run: parses every file, unit-tests the alert rules, starts two wxlogin instances
# (SQLite; MariaDB + Redis) and checks that every metric the alerts and the dashboard name is
# exported, starts wxlogin with the Kubernetes ConfigMap's settings, puts the nginx example in
# front of an instance, and runs a real Prometheus with the rules loaded that scrapes both
# instances under a short load, then runs every dashboard query against it.
#
#   WXLOGIN_BIN=/path/to/wxlogin tests/deploy/run.sh      # default: build/wxlogin
#
# Everything listens on 127.0.0.1 (free ports), lives in one temporary directory, and is stopped
# on exit. Every wait is bounded. A missing tool is a failure, not a skip. Needs (Debian
# bookworm): prometheus (prometheus, promtool), nginx, python3 + python3-yaml, curl, openssl,
# mariadb-server, redis-server. Exit status 0 when every check passed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WXBIN=${WXLOGIN_BIN:-$ROOT/build/wxlogin}
START=$(date +%s)
SUMMARY=()

say() { printf '==> [%3ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
die() { printf 'tests/deploy/run.sh: FAILED: %s\n' "$*" >&2; exit 1; }
note() { SUMMARY+=("$*"); }

# --- tools -----------------------------------------------------------------------------------
[[ -x $WXBIN ]] || die "no wxlogin binary at $WXBIN (build it, or set WXLOGIN_BIN)"
WXBIN=$(cd "$(dirname "$WXBIN")" && pwd)/$(basename "$WXBIN")
export PATH=$PATH:/usr/sbin:/sbin   # nginx and mariadbd live in /usr/sbin
for tool in promtool prometheus nginx curl openssl ldd dpkg mariadbd mariadb-install-db mariadb \
  redis-server redis-cli timeout; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool is required (Debian: prometheus nginx curl openssl mariadb-server redis-server)"
done
# PyYAML: Debian's python3-yaml is for /usr/bin/python3; a python3 earlier on PATH may lack it.
PY=
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done
[[ -n $PY ]] || die "python3 with PyYAML is required (Debian: python3-yaml)"
CHECK=("$PY" "$HERE/check.py")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wxlogin-deploy.XXXXXX")
PIDS=()
BENCH_SERVER_PIDS=""
cleanup() {
  local rc=$? pid i
  trap - EXIT INT TERM
  # shellcheck disable=SC2206
  local all=("${PIDS[@]}" $BENCH_SERVER_PIDS)
  for pid in "${all[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${all[@]}"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ $rc -ne 0 ]]; then
    for log in "$TMP"/*.log "$TMP"/nginx/error.log; do
      [[ -s $log ]] || continue
      printf '\n--- last lines of %s ---\n' "${log#"$TMP"/}" >&2
      tail -n 25 "$log" >&2
    done
  fi
  rm -rf "$TMP"
  printf '==> tests/deploy/run.sh: %s in %ss\n' "$([[ $rc -eq 0 ]] && echo passed || echo "FAILED (exit $rc)")" \
    "$(($(date +%s) - START))" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_for URL SECONDS PID NAME [STATUS]: until URL answers STATUS (200); fails if PID died.
wait_for() {
  local url=$1 seconds=$2 pid=$3 name=$4 want=${5:-200} i
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$name exited before it served $url"
    [[ $(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true) == "$want" ]] && return 0
    sleep 0.1
  done
  die "$name did not answer $url with $want within ${seconds}s"
}

# --- 1. files parse; Kubernetes, settings, Dockerfile -----------------------------------------
say "1. deploy/ parses; Kubernetes manifests, settings and Dockerfile check out"
"$WXBIN" serve --help >"$TMP/serve-help.txt"
"${CHECK[@]}" static "$ROOT" "$TMP/serve-help.txt" "$WXBIN"

# --- 2. promtool -----------------------------------------------------------------------------
say "2. promtool: check rules, check config, test rules"
promtool check rules "$ROOT/deploy/prometheus/alerts.yml" >"$TMP/promtool.log" 2>&1 || { cat "$TMP/promtool.log" >&2; die "promtool check rules"; }
promtool check config "$ROOT/deploy/prometheus/prometheus.yml" >"$TMP/promtool.log" 2>&1 || { cat "$TMP/promtool.log" >&2; die "promtool check config"; }
(cd "$ROOT/deploy/prometheus" && promtool test rules alerts_test.yml) >"$TMP/promtool.log" 2>&1 ||
  { cat "$TMP/promtool.log" >&2; die "promtool test rules"; }
echo "  alerts.yml and prometheus.yml are valid; alerts_test.yml passes" >&2
"${CHECK[@]}" promtests "$ROOT"
note "promtool: alerts.yml, prometheus.yml valid; alerts_test.yml passes, every alert tested firing and quiet"

# --- 3. two instances: SQLite, and MariaDB + Redis ---------------------------------------------
say "3. wxlogin: SQLite instance, MariaDB + Redis instance"
PA=$(free_port)
# A is the one behind nginx (step 5): it believes 127.0.0.1's X-Forwarded-For.
WXLOGIN_LISTEN=127.0.0.1:$PA WXLOGIN_DATABASE_URL=sqlite://$TMP/a.db WXLOGIN_TRUSTED_PROXIES=127.0.0.1 \
  "$WXBIN" serve --dev >"$TMP/wxlogin-sqlite.log" 2>&1 &
PIDS+=($!)
PID_A=$!
# shellcheck source=SCRIPTDIR/../../bench/servers.sh
source "$ROOT/bench/servers.sh"
start_mariadb "$TMP" || die "MariaDB did not start"
start_redis "$TMP" || die "Redis did not start"
PB=$(free_port)
WXLOGIN_LISTEN=127.0.0.1:$PB WXLOGIN_DATABASE_URL=$MARIADB_URL WXLOGIN_REDIS_URL=$REDIS_URL \
  "$WXBIN" serve --dev >"$TMP/wxlogin-mariadb-redis.log" 2>&1 &
PIDS+=($!)
PID_B=$!
wait_for "http://127.0.0.1:$PA/readyz" 20 "$PID_A" "wxlogin (SQLite)"
wait_for "http://127.0.0.1:$PB/readyz" 30 "$PID_B" "wxlogin (MariaDB + Redis)"
[[ $(curl -s --max-time 2 "http://127.0.0.1:$PB/readyz") == *'"redis":"ok"'* ]] || die "instance B's Redis is not ok"
echo "  127.0.0.1:$PA (SQLite), 127.0.0.1:$PB (MariaDB + Redis) ready" >&2

# Prometheus now, so that it has scraped a while by step 6. Its config is deploy/prometheus/
# prometheus.yml with the two local instances as job "wxlogin", 1 s intervals, the rules loaded.
PP=$(free_port)
"${CHECK[@]}" promconfig "$ROOT" "$TMP/prometheus.yml" "127.0.0.1:$PA" "127.0.0.1:$PB"
promtool check config "$TMP/prometheus.yml" >"$TMP/promtool.log" 2>&1 || { cat "$TMP/promtool.log" >&2; die "promtool check config (generated)"; }
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
  --web.listen-address="127.0.0.1:$PP" --log.level=warn >"$TMP/prometheus.log" 2>&1 &
PIDS+=($!)
PID_P=$!

# --- 3b. the ConfigMap's settings --------------------------------------------------------------
say "3b. wxlogin accepts the ConfigMap's settings; refuses the Secret's placeholders"
mapfile -t CM_ENV < <("${CHECK[@]}" env "$ROOT")
mapfile -t SECRET_ENV < <("${CHECK[@]}" secret-env "$ROOT")
[[ ${#CM_ENV[@]} -gt 5 && ${#SECRET_ENV[@]} -gt 3 ]] || die "ConfigMap or Secret data not found"
PC=$(free_port)
# The ConfigMap as it is, test secrets in place of the Secret, a local listen address and database.
env -i PATH="$PATH" "${CM_ENV[@]}" \
  WXLOGIN_LISTEN="127.0.0.1:$PC" WXLOGIN_DATABASE_URL="sqlite://$TMP/configmap.db" \
  WXLOGIN_JWT_SECRET="$(openssl rand -base64 48)" WXLOGIN_DATA_KEY="$(openssl rand -hex 32)" \
  WXLOGIN_WECHAT_SECRET=test-app-secret \
  "$WXBIN" serve >"$TMP/wxlogin-configmap.log" 2>&1 &
PIDS+=($!)
PID_C=$!
wait_for "http://127.0.0.1:$PC/readyz" 20 "$PID_C" "wxlogin with the ConfigMap's settings"
kill "$PID_C"
rc=0
wait "$PID_C" || rc=$?
keep=()   # reaped: never signal that number again
for p in "${PIDS[@]}"; do [[ $p == "$PID_C" ]] || keep+=("$p"); done
PIDS=("${keep[@]}")
[[ $rc == 0 ]] || die "wxlogin (ConfigMap) exited $rc on SIGTERM, not 0"
"$PY" -c 'import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert lines, "no log line"
for l in lines: json.loads(l)' "$TMP/wxlogin-configmap.log" ||
  die "WXLOGIN_LOG_FORMAT=json from the ConfigMap: a log line is not JSON"
# Each placeholder of the Secret alone, among valid values, stops wxlogin with a configuration
# error naming it — except the AppSecret, which only WeChat can judge (40125: the alert
# WxloginWeChatCredentialsRejected).
GOOD_SECRETS=(WXLOGIN_DATABASE_URL="sqlite://$TMP/placeholders.db" WXLOGIN_REDIS_URL=
  WXLOGIN_JWT_SECRET="$(openssl rand -base64 48)" WXLOGIN_DATA_KEY="$(openssl rand -hex 32)"
  WXLOGIN_WECHAT_SECRET=test-app-secret)
refused=()
for kv in "${SECRET_ENV[@]}"; do
  key=${kv%%=*}
  [[ $key == WXLOGIN_WECHAT_SECRET ]] && continue
  rc=0
  env -i PATH="$PATH" "${CM_ENV[@]}" "${GOOD_SECRETS[@]}" "$kv" WXLOGIN_LISTEN="127.0.0.1:$PC" \
    timeout 10 "$WXBIN" serve >"$TMP/wxlogin-placeholders.log" 2>&1 || rc=$?
  [[ $rc == 2 ]] || die "wxlogin with the Secret's placeholder for $key exited $rc, not 2 (configuration error)"
  grep -q "configuration error: $key" "$TMP/wxlogin-placeholders.log" ||
    die "the placeholder of $key was refused for another reason: $(cat "$TMP/wxlogin-placeholders.log")"
  refused+=("$key")
done
echo "  serves with the ConfigMap's ${#CM_ENV[@]} settings (JSON logs, exit 0 on SIGTERM);" \
  "each placeholder stops it (exit 2): ${refused[*]}" >&2
note "ConfigMap: ${#CM_ENV[@]} settings accepted by a live wxlogin; ${#refused[@]} Secret placeholders each refused (exit 2)"

# --- 4. every metric name the alerts and the dashboard use is exported ---------------------------
say "4. metric names of alerts.yml and the dashboard against both instances' /metrics"
curl -fsS --max-time 5 "http://127.0.0.1:$PA/metrics" >"$TMP/metrics-sqlite.txt"
curl -fsS --max-time 5 "http://127.0.0.1:$PB/metrics" >"$TMP/metrics-mariadb-redis.txt"
"${CHECK[@]}" metrics "$ROOT" "$TMP/metrics-sqlite.txt" "$TMP/metrics-mariadb-redis.txt" | tee "$TMP/metrics-check.txt" >&2
note "metrics: $(tail -n 1 "$TMP/metrics-check.txt" | sed 's/^ *//')"

# --- 5. nginx in front of instance A -------------------------------------------------------------
say "5. nginx example: nginx -t, then HTTPS through it to instance A"
mkdir -p "$TMP/nginx"
chmod 711 "$TMP"
chmod 755 "$TMP/nginx"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$TMP/nginx/key.pem" -out "$TMP/nginx/cert.pem" 2>/dev/null
NH=$(free_port)
NS=$(free_port)
# deploy/nginx/wxlogin.conf with local addresses: the upstream is instance A, ports are free ones.
sed -e "s|server 10\.0\.1\.11:8080|server 127.0.0.1:$PA|" -e '/server 10\.0\.1\.12:8080/d' \
  -e "s|listen 80;|listen 127.0.0.1:$NH;|" -e '/listen \[::\]:80;/d' \
  -e "s|listen 443 ssl http2;|listen 127.0.0.1:$NS ssl http2;|" -e '/listen \[::\]:443 ssl http2;/d' \
  -e "s|/etc/nginx/tls/login.example.com/fullchain.pem|$TMP/nginx/cert.pem|" \
  -e "s|/etc/nginx/tls/login.example.com/privkey.pem|$TMP/nginx/key.pem|" \
  "$ROOT/deploy/nginx/wxlogin.conf" >"$TMP/nginx/wxlogin.conf"
if grep -nE '^[^#]*(10\.0\.1\.|listen (80|443)|\[::\]|/etc/nginx)' "$TMP/nginx/wxlogin.conf" >&2; then
  die "deploy/nginx/wxlogin.conf changed shape: the lines above were not localised"
fi
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 128; }
http {
    access_log $TMP/nginx/access.log;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    include $TMP/nginx/wxlogin.conf;
}
EOF
NGINX=(nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log")
"${NGINX[@]}" -t 2>"$TMP/nginx-t.log" || { cat "$TMP/nginx-t.log" >&2; die "nginx -t"; }
"${NGINX[@]}" >"$TMP/nginx.log" 2>&1 &
PIDS+=($!)
PID_N=$!
wait_for "https://127.0.0.1:$NS/healthz" 10 "$PID_N" nginx
got=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 3 "http://127.0.0.1:$NH/api/v1/users/me")
[[ $got == "301 https://127.0.0.1/api/v1/users/me" ]] || die "nginx HTTP -> HTTPS redirect: got '$got'"
for v in 1.2 1.3; do
  got=$(curl -sk -o /dev/null -w '%{http_code} %{http_version}' --max-time 3 --tlsv$v --tls-max $v "https://127.0.0.1:$NS/healthz")
  [[ $got == "200 2" ]] || die "nginx over TLS $v with HTTP/2: got '$got'"
done
if curl -sk -o /dev/null --max-time 3 --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-SHA "https://127.0.0.1:$NS/healthz"; then
  die "nginx accepted a TLS 1.2 CBC suite (ECDHE-ECDSA-AES128-SHA)"
fi
if timeout 5 openssl s_client -connect "127.0.0.1:$NS" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null >/dev/null 2>&1; then
  die "nginx accepted TLS 1.1"
fi
got=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 3 "https://127.0.0.1:$NS/metrics")
[[ $got == 404 ]] || die "nginx serves /metrics publicly: $got"
head -c 70000 /dev/zero | tr '\0' 'a' >"$TMP/big.json"
got=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 -XPOST "https://127.0.0.1:$NS/api/v1/auth/login" \
  -H 'Content-Type: application/json' --data-binary @"$TMP/big.json")
[[ $got == 413 ]] || die "nginx let a 70 000-byte body through: $got"
# X-Forwarded-For: the client (127.0.0.2) forges an entry; wxlogin trusts nginx (127.0.0.1) and must
# log 127.0.0.2, the address nginx saw, with nginx's request id.
curl -sk -o /dev/null -D "$TMP/xff-headers" --max-time 3 --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.9' \
  "https://127.0.0.1:$NS/api/v1/users/me"
rid=$(tr -d '\r' <"$TMP/xff-headers" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: *//p')
[[ -n $rid ]] || die "no X-Request-Id through nginx"
for ((i = 0; i < 20; i++)); do grep -q "request_id=$rid" "$TMP/wxlogin-sqlite.log" && break; sleep 0.1; done
line=$(grep "request_id=$rid" "$TMP/wxlogin-sqlite.log" || true)
[[ $line == *"client=127.0.0.2"* ]] || die "wxlogin did not see the client through nginx's X-Forwarded-For: '$line'"
echo "  nginx -t ok; redirect, TLS 1.2 and 1.3 (HTTP/2), CBC and TLS 1.1 refused, /metrics hidden, 413 over 64 KiB," \
  "X-Forwarded-For gives wxlogin the client (forged entry ignored), request id passed through" >&2
note "nginx: config valid; redirect, TLS policy, /metrics hidden, 64 KiB limit, X-Forwarded-For and request id checked through it"

# --- 6. a real Prometheus, under load ---------------------------------------------------------------
say "6. Prometheus scraping both instances every second, under a short load"
wait_for "http://127.0.0.1:$PP/-/ready" 30 "$PID_P" prometheus
# req EXPECTED_STATUS curl-args...: one request; prints the body; fails on another status.
req() {
  local want=$1 out status
  shift
  out=$(curl -sS --max-time 5 -w '\n%{http_code}' "$@") || die "curl $* failed"
  status=${out##*$'\n'}
  echo >>"$TMP/requests"   # counted in a file: req often runs in a $(...) subshell
  [[ $status == "$want" ]] || die "expected $want, got $status from curl $* : ${out%$'\n'*}"
  printf '%s' "${out%$'\n'*}"
}
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
JSON=(-H 'Content-Type: application/json')
load() {
  local base=$1 i code body tok refresh
  for ((i = 0; i < 20; i++)); do
    code=$(req 200 -XPOST "$base/wechat-sim/control/login-code" "${JSON[@]}" -d '{}' | field code)
    body=$(req 200 -XPOST "$base/api/v1/auth/wechat/login" "${JSON[@]}" -d "{\"code\":\"$code\"}")
    tok=$(field access_token <<<"$body")
    refresh=$(field refresh_token <<<"$body")
    req 200 "$base/api/v1/users/me" -H "Authorization: Bearer $tok" >/dev/null
    req 200 "$base/api/v1/users/me" -H "Authorization: Bearer $tok" >/dev/null
  done
  req 200 -XPOST "$base/api/v1/auth/refresh" "${JSON[@]}" -d "{\"refresh_token\":\"$refresh\"}" >/dev/null
  req 204 -XPOST "$base/api/v1/auth/logout" -H "Authorization: Bearer $tok" >/dev/null   # a revoked session
  req 401 "$base/api/v1/users/me" -H "Authorization: Bearer $tok" >/dev/null
  req 401 -XPOST "$base/api/v1/auth/wechat/login" "${JSON[@]}" -d "{\"code\":\"$code\"}" >/dev/null  # code used
  for ((i = 0; i < 3; i++)); do
    req 401 "$base/api/v1/users/me" >/dev/null
    req 404 "$base/api/v1/no-such-thing" >/dev/null
  done
  req 400 -XPOST "$base/api/v1/auth/wechat/login" "${JSON[@]}" -d '{"code":' >/dev/null
  # WeChat busy twice: the call and its one retry fail -> 502
  req 200 -XPOST "$base/wechat-sim/control/fail" "${JSON[@]}" -d '{"api":"jscode2session","errcode":-1,"times":2}' >/dev/null
  code=$(req 200 -XPOST "$base/wechat-sim/control/login-code" "${JSON[@]}" -d '{}' | field code)
  req 502 -XPOST "$base/api/v1/auth/wechat/login" "${JSON[@]}" -d "{\"code\":\"$code\"}" >/dev/null
  # a password account and two wrong passwords (auth events)
  req 201 -XPOST "$base/api/v1/auth/register" "${JSON[@]}" -d '{"username":"deploy_check","password":"correct horse battery"}' >/dev/null
  req 401 -XPOST "$base/api/v1/auth/login" "${JSON[@]}" -d '{"username":"deploy_check","password":"wrong password 1"}' >/dev/null
  req 401 -XPOST "$base/api/v1/auth/login" "${JSON[@]}" -d '{"username":"deploy_check","password":"wrong password 2"}' >/dev/null
}
load "http://127.0.0.1:$PA"
load "http://127.0.0.1:$PB"
echo "  $(wc -l <"$TMP/requests") requests sent (WeChat logins, profile, refresh, logout, 4xx, a forced WeChat failure, password logins)" >&2
# Until Prometheus has scraped both instances after the load, and at least 10 times in all.
PROMQ() { curl -s --max-time 3 -G "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1"; }
ready=
for ((i = 0; i < 300; i++)); do
  if [[ $(PROMQ 'count(sum by (instance) (wxlogin_http_requests_total{job="wxlogin", route="/api/v1/users/me"}) >= 40) == 2 and count(count_over_time(up{job="wxlogin"}[1m]) >= 10) == 2') == *'"result":[{'* ]]; then
    ready=1
    break
  fi
  sleep 0.1
done
[[ -n $ready ]] || die "Prometheus did not scrape both instances' load within 30 s (targets: $(curl -s --max-time 3 "http://127.0.0.1:$PP/api/v1/targets" | head -c 600))"
sleep 2   # two more scrapes after the load for the rates, and two more rule evaluations
"${CHECK[@]}" live "$ROOT" "http://127.0.0.1:$PP" | tee "$TMP/live-check.txt" >&2
note "prometheus: $(tail -n 1 "$TMP/live-check.txt" | sed 's/^ *//')"

# An alert on live series: Redis stops, instance B's next Redis command fails, wxlogin_redis_up
# drops to 0 and WxloginRedisDown turns pending (it would fire after its `for: 1m`).
say "6b. Redis stops: WxloginRedisDown goes pending in Prometheus"
redis_pid=${BENCH_SERVER_PIDS##* }
[[ $(tr '\0' ' ' <"/proc/$redis_pid/cmdline" 2>/dev/null) == redis-server* ]] || die "cannot find the Redis server's pid"
kill "$redis_pid"
wait "$redis_pid" 2>/dev/null || true
BENCH_SERVER_PIDS=${BENCH_SERVER_PIDS% *}
pending=
for ((i = 0; i < 150; i++)); do
  # any request that needs Redis: a WeChat login counts against the per-address rate limit there
  code=$(curl -s --max-time 3 -XPOST "http://127.0.0.1:$PB/wechat-sim/control/login-code" "${JSON[@]}" -d '{}' | field code)
  curl -s -o /dev/null --max-time 3 -XPOST "http://127.0.0.1:$PB/api/v1/auth/wechat/login" "${JSON[@]}" -d "{\"code\":\"$code\"}" || true
  if [[ $(PROMQ 'ALERTS{alertname="WxloginRedisDown", alertstate="pending", instance="127.0.0.1:'"$PB"'"}') == *'"result":[{'* ]]; then
    pending=1
    break
  fi
  sleep 0.1
done
[[ -n $pending ]] || die "WxloginRedisDown did not turn pending within 15 s of Redis stopping (ALERTS: $(PROMQ ALERTS | head -c 400))"
[[ $(curl -s --max-time 3 "http://127.0.0.1:$PB/readyz") == *'"status":"degraded"'* ]] || die "instance B is not degraded without Redis"
echo "  ALERTS{alertname=\"WxloginRedisDown\", alertstate=\"pending\"} for 127.0.0.1:$PB; /readyz degraded" >&2
note "live alert: WxloginRedisDown pending within seconds of Redis stopping"

say "summary"
for s in "${SUMMARY[@]}"; do printf '  %s\n' "$s" >&2; done

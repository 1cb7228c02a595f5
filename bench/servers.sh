# Sourced by the bench scripts: private MariaDB and Redis servers for one run, in a directory of
# the caller's, on free loopback ports — the same way the tests start theirs (no system service,
# no fixed port). The caller kills $BENCH_SERVER_PIDS when done.
#
#   start_mariadb DIR   -> MARIADB_URL (mysql://bench:...@127.0.0.1:PORT/wxlogin)
#   start_redis DIR     -> REDIS_URL   (redis://127.0.0.1:PORT)
BENCH_SERVER_PIDS=""

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_mariadb() {
  local dir=$1/mariadb port user=()
  mkdir -p "$dir"
  port=$(free_port)
  [[ $(id -u) == 0 ]] && user=(--user=root)
  mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve "${user[@]}" >"$dir/install.log" 2>&1 ||
    { tail "$dir/install.log" >&2; return 1; }
  # Durable across a crash of mariadbd, not of the machine (no fsync per commit): the same
  # settings as the tests' servers; a production server would use the defaults.
  mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \
    --log-error="$dir/error.log" --tmpdir="$dir" --bind-address=127.0.0.1 --port="$port" \
    --skip-name-resolve --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
    --max-connections=500 "${user[@]}" >"$dir/out.log" 2>&1 &
  BENCH_SERVER_PIDS+=" $!"
  for _ in $(seq 300); do mariadb --socket="$dir/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.1; done
  mariadb --socket="$dir/sock" -uroot -e "CREATE DATABASE wxlogin;
    CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench-db-password';
    GRANT ALL ON wxlogin.* TO 'bench'@'127.0.0.1';" || { tail "$dir/error.log" >&2; return 1; }
  MARIADB_SOCKET=$dir/sock
  MARIADB_URL="mysql://bench:bench-db-password@127.0.0.1:$port/wxlogin"
}

start_redis() {
  local dir=$1/redis port
  mkdir -p "$dir"
  port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" >"$dir/out.log" 2>&1 &
  BENCH_SERVER_PIDS+=" $!"
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  REDIS_PORT=$port
  REDIS_URL="redis://127.0.0.1:$port"
}

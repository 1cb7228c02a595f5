"""The measuring half of bench/capacity.sh: drives a running wxlogin over keep-alive HTTP and
reads Redis (redis-cli), MariaDB (mariadb client) and /proc. Prints one `CAPACITY name=value` line
per figure and a short explanation of each."""
import concurrent.futures
import http.client
import json
import os
import subprocess
import threading

WX_PORT = int(os.environ["WX_PORT"])
SIM_PORT = int(os.environ["SIM_PORT"])
WX_PID = int(os.environ["WX_PID"])
REDIS_PORT = os.environ["REDIS_PORT"]
MARIADB_SOCKET = os.environ["MARIADB_SOCKET"]
USERS = int(os.environ["USERS"])
SESSIONS = int(os.environ["SESSIONS"])

local = threading.local()


def conn(port):
    key = f"c{port}"
    c = getattr(local, key, None)
    if c is None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        setattr(local, key, c)
    return c


def call(port, method, path, body=None, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    c = conn(port)
    c.request(method, path, body=None if body is None else json.dumps(body), headers=h)
    r = c.getresponse()
    data = r.read()
    return r.status, (json.loads(data) if data else None)


def login(openid=None):
    mint = {"app_id": "wxcapacity00000001"}
    if openid is not None:
        mint["openid"] = openid
    status, minted = call(SIM_PORT, "POST", "/control/login-code", mint)
    assert status == 200, minted
    status, pair = call(WX_PORT, "POST", "/api/v1/auth/wechat/login", {"code": minted["code"]})
    assert status == 200, pair
    return pair


def redis(*args):
    return subprocess.run(["redis-cli", "-p", REDIS_PORT, *args], check=True, capture_output=True, text=True).stdout.strip()


def redis_memory():
    for line in redis("INFO", "memory").splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    raise RuntimeError("no used_memory")


def sql(query):
    out = subprocess.run(["mariadb", f"--socket={MARIADB_SOCKET}", "-uroot", "-N", "-B", "-e", query],
                         check=True, capture_output=True, text=True).stdout.strip()
    return out


def rss_kib():
    with open(f"/proc/{WX_PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def report(name, value, what):
    print(f"CAPACITY {name}={value}    # {what}", flush=True)


# 1. Cached users: every login puts its user in the shared cache (user:ID and user:ID:gen).
keys0, mem0 = int(redis("DBSIZE")), redis_memory()
pairs = [login() for _ in range(USERS)]
keys1, mem1 = int(redis("DBSIZE")), redis_memory()
report("redis_bytes_per_cached_user", round((mem1 - mem0) / USERS), f"used_memory delta over {USERS} new users")
report("redis_keys_per_cached_user", round((keys1 - keys0) / USERS, 2), "user:ID and its generation counter user:ID:gen")
sample = pairs[0]["user"]["id"]
report("redis_memory_usage_user_key", redis("MEMORY", "USAGE", f"wxlogin:user:{sample}"), "MEMORY USAGE of one user:ID")

# 2. Sessions: SESSIONS more logins of one user, then every one of them logged out.
mem2, keys2, rss2 = redis_memory(), int(redis("DBSIZE")), rss_kib()
tokens = [login("o_capacity_sessions")["access_token"] for _ in range(SESSIONS)]
mem3, keys3 = redis_memory(), int(redis("DBSIZE"))
report("redis_bytes_per_active_session", round((mem3 - mem2) / SESSIONS),
       f"used_memory delta over {SESSIONS} sessions of one user ({keys3 - keys2} keys added)")
rss3 = rss_kib()
for t in tokens:
    status, _ = call(WX_PORT, "POST", "/api/v1/auth/logout", None, {"Authorization": f"Bearer {t}"})
    assert status == 204
mem4, keys4, rss4 = redis_memory(), int(redis("DBSIZE")), rss_kib()
report("redis_bytes_per_revoked_session", round((mem4 - mem3) / SESSIONS),
       f"used_memory delta over {SESSIONS} logouts ({keys4 - keys3} keys added: revocations travel by pub/sub)")
report("instance_bytes_per_revoked_session", round((rss4 - rss3) * 1024 / SESSIONS),
       f"wxlogin VmRSS delta over {SESSIONS} logouts (the local revocation list until the access tokens expire)")
sql("ANALYZE TABLE wxlogin.sessions, wxlogin.refresh_tokens, wxlogin.changes")
for table in ("sessions", "refresh_tokens", "changes"):
    rows, data, index = sql("SELECT TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH FROM information_schema.TABLES "
                            f"WHERE TABLE_SCHEMA='wxlogin' AND TABLE_NAME='{table}'").split()
    exact = int(sql(f"SELECT COUNT(*) FROM wxlogin.{table}"))
    report(f"mariadb_{table}_bytes_per_row", round((int(data) + int(index)) / max(exact, 1)),
           f"{exact} rows, data+index {int(data) + int(index)} bytes (InnoDB pages, so an upper bound)")

# 3. Brute-force keys: failed logins for distinct unknown names from one address.
FAILS = 300
mem5 = redis_memory()
for i in range(FAILS):
    status, _ = call(WX_PORT, "POST", "/api/v1/auth/login", {"username": f"nobody{i}", "password": "wrong password"},
                     {"X-Forwarded-For": f"198.51.100.{i % 200}"})
    assert status in (401, 429), status
mem6 = redis_memory()
report("redis_bytes_per_attempt_key", round((mem6 - mem5) / (FAILS + 200)),
       f"used_memory delta over {FAILS} account keys + 200 address keys (attempts:*, 12 h / 1 h)")

# 4. Rate-limit windows: registrations from distinct addresses (one rate: key per address and minute).
ADDRS = 500
mem7 = redis_memory()
for i in range(ADDRS):
    status, _ = call(WX_PORT, "POST", "/api/v1/auth/register", {"username": "x", "password": "short"},
                     {"X-Forwarded-For": f"203.0.{i // 250}.{i % 250}"})
mem8 = redis_memory()
report("redis_bytes_per_rate_window", round((mem8 - mem7) / ADDRS), f"used_memory delta over {ADDRS} addresses (60 s each)")

# 5. Database connections: 32 concurrent logins, Threads_connected sampled meanwhile.
pool_max = [0]
stop = threading.Event()


def sample_connections():
    while not stop.is_set():
        n = int(sql("SHOW STATUS LIKE 'Threads_connected'").split()[1]) - 1  # minus this client
        pool_max[0] = max(pool_max[0], n)


sampler = threading.Thread(target=sample_connections)
sampler.start()
with concurrent.futures.ThreadPoolExecutor(32) as ex:
    list(ex.map(lambda _: login(), range(1000)))
stop.set()
sampler.join()
report("mariadb_connections_under_load", pool_max[0], "most connections seen during 1000 logins from 32 clients (WXLOGIN_DB_POOL_SIZE 10)")

"""Opens COUNT keep-alive connections to wxlogin, one complete GET /healthz on each, then holds
them idle and reports the server's memory. Run by bench/idle_connections.sh, which starts the
server; loopback only, bounded by the caller's timeout."""
import os
import socket
import sys
import time


def rss_kib(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                fields[key] = int(value.split()[0])
    return fields


def main():
    port, pid, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    before = rss_kib(pid)
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    conns = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(request)
        conns.append(s)
    # Read every answer only after all are sent: the server holds COUNT connections at once.
    answered = 0
    for s in conns:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        answered += data.startswith(b"HTTP/1.1 200")
    time.sleep(2)
    after = rss_kib(pid)
    for s in conns:
        s.close()
    mib = lambda kib: kib / 1024
    per_conn = (after["VmRSS"] - before["VmRSS"]) / max(count, 1)
    print(f"IDLE rss_mib={mib(before['VmRSS']):.1f} anon_mib={mib(before['RssAnon']):.1f} "
          f"file_mib={mib(before['RssFile']):.1f} conns={count} answered={answered} "
          f"rss_with_conns_mib={mib(after['VmRSS']):.1f} anon_with_conns_mib={mib(after['RssAnon']):.1f} "
          f"per_conn_kib={per_conn:.1f}")
    if answered != count:
        sys.exit(f"idle_connections: only {answered} of {count} connections were answered")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks of deploy/ for tests/deploy/run.sh (python3 + PyYAML, nothing else).

  check.py static ROOT HELP_FILE WXLOGIN_BIN         files parse; Kubernetes, config, Docker checks
  check.py env ROOT                                  the ConfigMap's data as NAME=VALUE lines
  check.py secret-env ROOT                           the Secret's stringData as NAME=VALUE lines
  check.py promtests ROOT                            every alert has a firing and a quiet unit test
  check.py metrics ROOT METRICS_FILE...              every metric name used exists (or is allowed)
  check.py promconfig ROOT OUT TARGET...             prometheus.yml for local targets, 1 s intervals
  check.py live ROOT PROMETHEUS_URL                  every panel query returns data; rules healthy

Each prints what it checked and exits non-zero with the reasons when something is wrong.
"""
import glob
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

import yaml

# Names that other exporters export: allowed in PromQL here, and only these.
ALLOWED_FOREIGN = {
    # Prometheus itself, per scrape target (1 answered, 0 failed): WxloginInstanceDown and the
    # dashboard's "Instances up".
    "up": "Prometheus: scrape health of each target",
    # redis_exporter (oliver006/redis_exporter): WxloginRedisMemoryHigh, the seed's "Redis memory
    # > 80%"; wxlogin does not export Redis's memory.
    "redis_memory_used_bytes": "redis_exporter: Redis used_memory",
    "redis_memory_max_bytes": "redis_exporter: Redis maxmemory",
}

PROMQL_FUNCTIONS = {
    # aggregation operators
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
    "topk", "quantile",
    # functions
    "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
    "day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor",
    "histogram_count", "histogram_sum", "histogram_fraction", "histogram_quantile", "holt_winters",
    "hour", "idelta", "increase", "irate", "label_join", "label_replace", "ln", "log2", "log10",
    "minute", "month", "predict_linear", "rate", "resets", "round", "scalar", "sgn", "sort",
    "sort_desc", "sqrt", "time", "timestamp", "vector", "year", "avg_over_time", "min_over_time",
    "max_over_time", "sum_over_time", "count_over_time", "quantile_over_time", "stddev_over_time",
    "stdvar_over_time", "last_over_time", "present_over_time", "acos", "acosh", "asin", "asinh",
    "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad", "pi",
}
PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
                   "group_left", "group_right", "inf", "nan", "atan2", "start", "end"}

# Grafana's variables, as a dashboard query would see them at query time.
GRAFANA_VARS = {"$__rate_interval": "30s", "$__interval": "15s", "$__range": "5m",
                "${__rate_interval}": "30s", "$job": "wxlogin", "$instance": ".*",
                "${job}": "wxlogin", "${instance}": ".*"}

errors = []


def fail(msg):
    errors.append(msg)


def done(summary):
    if errors:
        for e in errors:
            print("  FAIL: " + e, file=sys.stderr)
        sys.exit(1)
    print("  " + summary)


def load_yaml_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# ---------------------------------------------------------------- PromQL
def metric_names(expr):
    """Metric names in a PromQL expression: identifiers followed by { or [ or standing bare, minus
    functions, keywords, label names of by/without/on/ignoring/group_* lists and label matchers."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)  # string literals
    e = re.sub(r"\{[^{}]*\}", "{}", e)                                           # label matchers
    e = re.sub(r"\[[^\[\]]*\]", "[]", e)                                         # ranges, subqueries
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", e)
    e = re.sub(r"\boffset\s+-?[0-9a-zA-Z]+", " ", e)
    names = set()
    for m in re.finditer(r"(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)", e):
        word = m.group(1)
        rest = e[m.end():].lstrip()
        if word.lower() in PROMQL_KEYWORDS:
            continue
        if rest.startswith("(") and word in PROMQL_FUNCTIONS:
            continue
        if word in PROMQL_FUNCTIONS and not rest.startswith(("{", "[")):
            fail(f"{word!r} used as a name in: {expr}")
            continue
        if re.fullmatch(r"[0-9.]+(e[0-9]+)?", word):
            continue
        names.add(word)
    return names


def substitute_grafana(expr):
    for k in sorted(GRAFANA_VARS, key=len, reverse=True):
        expr = expr.replace(k, GRAFANA_VARS[k])
    left = re.findall(r"\$\{?\w+\}?", expr)
    if left:
        fail(f"unknown Grafana variable(s) {left} in: {expr}")
    return expr


def label_values_query(q):
    """Grafana's label_values(SELECTOR, label) -> the PromQL selector it reads."""
    m = re.fullmatch(r"\s*label_values\((.*),\s*\w+\s*\)\s*", q)
    return m.group(1) if m else None


def dashboard(root):
    with open(os.path.join(root, "deploy/grafana/wxlogin-dashboard.json"), encoding="utf-8") as f:
        return json.load(f)


def dashboard_queries(root):
    """[(where, expr)] for every panel target and every query variable of the dashboard."""
    d = dashboard(root)
    out = []

    def walk(panels):
        for p in panels:
            if p.get("type") == "row":
                walk(p.get("panels", []))
                continue
            targets = p.get("targets", [])
            if not targets:
                fail(f"panel {p.get('title')!r} has no query")
            for t in targets:
                out.append((f"panel {p.get('title')!r} {t.get('refId')}", t.get("expr", "")))
    walk(d.get("panels", []))
    for v in d.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v.get("query")
            q = q.get("query") if isinstance(q, dict) else q
            sel = label_values_query(q or "")
            if sel is None:
                fail(f"variable {v.get('name')}: not a label_values() query: {q!r}")
            else:
                out.append((f"variable ${v.get('name')}", sel))
    return out


def alert_rules(root):
    docs = load_yaml_docs(os.path.join(root, "deploy/prometheus/alerts.yml"))
    rules = []
    for g in docs[0]["groups"]:
        rules.extend(g["rules"])
    return rules


# ---------------------------------------------------------------- static
K8S_REQUIRED = ("apiVersion", "kind")


def library_packages(binary):
    """The Debian packages of the shared libraries `ldd BINARY` names (dpkg -S; with usrmerge a
    library may be registered under /lib or /usr/lib)."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libs = {}
    for m in re.finditer(r"=>\s+(/\S+)", out):
        path = m.group(1)
        cands = []
        for p in (path, os.path.realpath(path)):
            cands += [p, p.replace("/usr/lib/", "/lib/", 1), p.replace("/lib/", "/usr/lib/", 1)]
        libs[path] = list(dict.fromkeys(cands))
    every = sorted({c for cands in libs.values() for c in cands})
    r = subprocess.run(["dpkg", "-S", *every], capture_output=True, text=True)  # one call: dpkg is slow to start
    owner = {}
    for line in r.stdout.splitlines():
        pkgs, _, path = line.partition(": ")
        owner[path.strip()] = pkgs.split(",")[0].split(":")[0].strip()
    packages = set()
    for path, cands in libs.items():
        found = [owner[c] for c in cands if c in owner]
        if found:
            packages.add(found[0])
        else:
            fail(f"no Debian package owns {path} (needed by {binary})")
    return packages


def cmd_static(root, help_file, binary):
    deploy = os.path.join(root, "deploy")
    parsed = 0
    for path in sorted(glob.glob(os.path.join(deploy, "**", "*"), recursive=True)):
        rel = os.path.relpath(path, root)
        if path.endswith((".yml", ".yaml")):
            try:
                docs = load_yaml_docs(path)
            except yaml.YAMLError as e:
                fail(f"{rel}: YAML does not parse: {e}")
                continue
            if not docs:
                fail(f"{rel}: empty")
            parsed += 1
            if "/kubernetes/" in path:
                for i, d in enumerate(docs):
                    for k in K8S_REQUIRED:
                        if not d.get(k):
                            fail(f"{rel} document {i}: no {k}")
                    if not (d.get("metadata") or {}).get("name"):
                        fail(f"{rel} document {i}: no metadata.name")
        elif path.endswith(".json"):
            try:
                with open(path, encoding="utf-8") as f:
                    json.load(f)
            except ValueError as e:
                fail(f"{rel}: JSON does not parse: {e}")
            parsed += 1

    k8s = {}
    for path in glob.glob(os.path.join(deploy, "kubernetes", "*.yaml")):
        for d in load_yaml_docs(path):
            k8s[(d.get("kind"), d["metadata"]["name"])] = d
    kinds = sorted({k for k, _ in k8s})
    for need in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap", "Secret"):
        if need not in kinds:
            fail(f"deploy/kubernetes: no {need}")

    # settings: every WXLOGIN_* name is one `wxlogin serve --help` lists (wxlogin ignores an
    # unknown environment variable, so a typo would go unnoticed)
    with open(help_file, encoding="utf-8") as f:
        known = set(re.findall(r"^\s+(WXLOGIN_[A-Z0-9_]+)", f.read(), re.M))
    if len(known) < 20:
        fail(f"only {len(known)} settings found in `serve --help`")
    cm = k8s.get(("ConfigMap", "wxlogin-config"), {}).get("data", {})
    secret = k8s.get(("Secret", "wxlogin-secrets"), {}).get("stringData", {})
    names = list(cm) + list(secret)
    for kind, d in k8s.items():
        if kind[0] == "Deployment":
            for c in d["spec"]["template"]["spec"]["containers"]:
                names += [e["name"] for e in c.get("env", [])]
    for n in names:
        if n not in known:
            fail(f"setting {n} (deploy/kubernetes) is not in `wxlogin serve --help`")
    for n in set(cm) & set(secret):
        fail(f"setting {n} is in both the ConfigMap and the Secret")
    for n in ("WXLOGIN_DATABASE_URL", "WXLOGIN_JWT_SECRET", "WXLOGIN_WECHAT_SECRET", "WXLOGIN_DATA_KEY",
              "WXLOGIN_REDIS_URL"):
        if n in cm:
            fail(f"{n} is a secret but sits in the ConfigMap")
        if n not in secret:
            fail(f"{n} missing from the Secret")
    for n, v in secret.items():
        if "REPLACE_ME" not in str(v):
            fail(f"Secret value of {n} is not a REPLACE_ME placeholder")
    if cm.get("WXLOGIN_LISTEN") != "0.0.0.0:8080":
        fail("ConfigMap WXLOGIN_LISTEN is not 0.0.0.0:8080")
    if cm.get("WXLOGIN_LOG_FORMAT") != "json":
        fail("ConfigMap WXLOGIN_LOG_FORMAT is not json")
    if "WXLOGIN_TRUSTED_PROXIES" not in cm:
        fail("ConfigMap has no WXLOGIN_TRUSTED_PROXIES")

    # the Deployment: probes, shutdown timing, security, resources, env sources
    dep = k8s.get(("Deployment", "wxlogin"))
    if dep:
        pod = dep["spec"]["template"]["spec"]
        c = pod["containers"][0]
        if (c.get("livenessProbe") or {}).get("httpGet", {}).get("path") != "/healthz":
            fail("liveness probe is not GET /healthz")
        if (c.get("readinessProbe") or {}).get("httpGet", {}).get("path") != "/readyz":
            fail("readiness probe is not GET /readyz")
        cmd = ((c.get("lifecycle") or {}).get("preStop") or {}).get("exec", {}).get("command", [])
        if len(cmd) != 2 or cmd[0] != "sleep":
            fail(f"preStop is not [sleep, N]: {cmd}")
            pre_stop = 0
        else:
            pre_stop = int(cmd[1])
        grace_ms = int(cm.get("WXLOGIN_SHUTDOWN_GRACE_MS", "10000"))
        tgps = int(pod.get("terminationGracePeriodSeconds", 30))
        if pre_stop < 10:
            fail(f"preStop sleep {pre_stop}s: shorter than a load balancer's deregistration (~5-10 s)")
        if tgps <= pre_stop + grace_ms / 1000:
            fail(f"terminationGracePeriodSeconds {tgps} <= preStop {pre_stop}s + WXLOGIN_SHUTDOWN_GRACE_MS {grace_ms}ms")
        sc = {**pod.get("securityContext", {}), **c.get("securityContext", {})}
        if not sc.get("runAsNonRoot") or int(sc.get("runAsUser", 0)) == 0:
            fail("the container may run as root")
        if not sc.get("readOnlyRootFilesystem"):
            fail("the root file system is not read-only")
        if sc.get("allowPrivilegeEscalation", True):
            fail("allowPrivilegeEscalation is not false")
        res = c.get("resources", {})
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if r not in res.get(part, {}):
                    fail(f"resources.{part}.{r} missing")
        refs = {("configMap", e["configMapRef"]["name"]) if "configMapRef" in e else ("secret", e["secretRef"]["name"])
                for e in c.get("envFrom", [])}
        if refs != {("configMap", "wxlogin-config"), ("secret", "wxlogin-secrets")}:
            fail(f"envFrom is not the ConfigMap and the Secret: {refs}")
        if c["ports"][0]["containerPort"] != 8080:
            fail("container port is not 8080")
    hpa = k8s.get(("HorizontalPodAutoscaler", "wxlogin"), {})
    if hpa.get("apiVersion") != "autoscaling/v2":
        fail("HPA is not autoscaling/v2")
    cpu = [m for m in hpa.get("spec", {}).get("metrics", []) if m.get("resource", {}).get("name") == "cpu"]
    if not cpu or cpu[0]["resource"]["target"].get("averageUtilization") != 70:
        fail("HPA does not target 70% CPU")

    # Dockerfile: the runtime stage installs the package of every shared library the binary needs
    with open(os.path.join(deploy, "docker", "Dockerfile"), encoding="utf-8") as f:
        dockerfile = f.read()
    stages = re.split(r"^FROM\s", dockerfile, flags=re.M)
    runtime = stages[-1]
    if not runtime.startswith("debian:bookworm-slim"):
        fail("the last stage is not debian:bookworm-slim")
    installed = set()
    for m in re.finditer(r"apt-get install ([^&]*)", runtime.replace("\\\n", " ")):
        installed |= {w for w in m.group(1).split() if not w.startswith("-")}
    base = {"libc6", "libgcc-s1", "zlib1g"}  # in every Debian image
    needed = library_packages(binary)
    if not needed:
        fail("no packages found for the binary's libraries")
    for p in sorted(needed - base - installed):
        fail(f"Dockerfile runtime stage lacks {p} (a library of the binary)")
    if "ca-certificates" not in installed:
        fail("Dockerfile runtime stage lacks ca-certificates (https://api.weixin.qq.com)")
    if have_apt_lists():
        r = subprocess.run(["apt-cache", "show", "--no-all-versions", *sorted(installed)],
                           capture_output=True, text=True)
        known = set(re.findall(r"^Package: (\S+)", r.stdout, re.M))
        for p in sorted(installed - known):
            fail(f"Dockerfile package {p} is not in this machine's Debian lists (apt-cache show)")
    build_stage = stages[1] if len(stages) > 2 else ""
    lib_sh = open(os.path.join(root, "scripts/lib.sh"), encoding="utf-8").read()
    m = re.search(r"BUILD_PACKAGES=\(([^)]*)\)", lib_sh)
    if m:
        want = set(m.group(1).split())
        got = set()
        for mm in re.finditer(r"apt-get install ([^&]*)", build_stage.replace("\\\n", " ")):
            got |= {w for w in mm.group(1).split() if not w.startswith("-")}
        for p in sorted(want - got):
            fail(f"Dockerfile build stage lacks {p} (scripts/lib.sh BUILD_PACKAGES)")
    for need in ('ENTRYPOINT ["wxlogin", "serve"]', "EXPOSE 8080", "-DWX_BUILD_TESTS=OFF", "-DWX_BUILD_BENCH=OFF"):
        if need not in dockerfile:
            fail(f"Dockerfile lacks {need}")
    if not re.search(r"^USER\s+(?!0\b|root\b)\S+", runtime, re.M):
        fail("Dockerfile runtime stage has no non-root USER")

    done(f"{parsed} YAML/JSON files parse; Kubernetes kinds {', '.join(kinds)}; "
         f"the {len(names)} settings they name are all in `serve --help`; secret holds placeholders only; "
         f"grace period covers preStop + shutdown grace; Dockerfile installs the packages of the binary's "
         f"libraries ({', '.join(sorted(needed - base))})")


def have_apt_lists():
    return bool(glob.glob("/var/lib/apt/lists/*_Packages*"))


def cmd_env(root, kind, name, field):
    path = os.path.join(root, "deploy/kubernetes", "configmap.yaml" if kind == "ConfigMap" else "secret.yaml")
    for d in load_yaml_docs(path):
        if d.get("kind") == kind and d["metadata"]["name"] == name:
            for k, v in d.get(field, {}).items():
                print(f"{k}={v}")


# ---------------------------------------------------------------- promtool unit-test coverage
def cmd_promtests(root):
    alerts = [r["alert"] for r in alert_rules(root) if "alert" in r]
    docs = load_yaml_docs(os.path.join(root, "deploy/prometheus/alerts_test.yml"))
    fires, quiet = set(), set()
    for t in docs[0]["tests"]:
        for a in t.get("alert_rule_test", []):
            (fires if a.get("exp_alerts") else quiet).add(a["alertname"])
    for a in alerts:
        if a not in fires:
            fail(f"alert {a} has no unit test where it fires")
        if a not in quiet:
            fail(f"alert {a} has no unit test where it stays quiet")
    for a in (fires | quiet) - set(alerts):
        fail(f"alerts_test.yml tests {a}, which alerts.yml does not define")
    done(f"each of the {len(alerts)} alerts has a firing and a quiet unit test")


# ---------------------------------------------------------------- metric names
def exported_names(files):
    """Series names a scrape of these /metrics dumps can return, from their # TYPE lines."""
    names, families = set(), {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"# TYPE (\S+) (\S+)", line)
                if not m:
                    continue
                fam, typ = m.groups()
                families[fam] = typ
                if typ == "histogram":
                    names |= {fam + "_bucket", fam + "_sum", fam + "_count"}
                elif typ == "summary":
                    names |= {fam, fam + "_sum", fam + "_count"}
                else:
                    names.add(fam)
    return names, families


def cmd_metrics(root, files):
    exported, families = exported_names(files)
    if not exported:
        fail("no # TYPE line in the scraped /metrics")
    rules = alert_rules(root)
    recorded = {r["record"] for r in rules if "record" in r}
    used = {}  # name -> [where]
    for r in rules:
        where = f"rule {r.get('alert') or r.get('record')}"
        for n in metric_names(r["expr"]):
            used.setdefault(n, []).append(where)
    for where, expr in dashboard_queries(root):
        for n in metric_names(substitute_grafana(expr)):
            used.setdefault(n, []).append(where)
    foreign = []
    for n in sorted(used):
        if n in exported or n in recorded:
            continue
        if n in ALLOWED_FOREIGN:
            foreign.append(n)
            continue
        fail(f"{n} is not exported by wxlogin (used by {', '.join(sorted(set(used[n])))})")
    wx = sorted(n for n in used if n in exported)
    fams_used = {re.sub(r"_(bucket|sum|count)$", "", n) if re.sub(r"_(bucket|sum|count)$", "", n) in families
                 and families[re.sub(r"_(bucket|sum|count)$", "", n)] == "histogram" else n for n in wx}
    unused = sorted(set(families) - fams_used)
    print("  metric names used by alerts.yml and the dashboard:")
    for n in wx:
        print(f"    {n}")
    for n in foreign:
        print(f"    {n}  (allowed: {ALLOWED_FOREIGN[n]})")
    for n in sorted(recorded & set(used)):
        print(f"    {n}  (recording rule of alerts.yml)")
    if unused:
        print(f"  exported but used nowhere: {', '.join(unused)}")
    done(f"{len(wx)} wxlogin names, {len(foreign)} allowed foreign names, "
         f"{len(recorded & set(used))} recording rules; {len(families)} families exported by the two instances")


# ---------------------------------------------------------------- live Prometheus
def query(base, expr):
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)


def cmd_live(root, base):
    checked = 0
    for where, expr in dashboard_queries(root):
        q = substitute_grafana(expr)
        r = query(base, q)
        checked += 1
        if r.get("status") != "success":
            fail(f"{where}: {r.get('errorType')}: {r.get('error')}  [{q}]")
        elif not r["data"]["result"]:
            fail(f"{where}: no series  [{q}]")
    with urllib.request.urlopen(base + "/api/v1/rules", timeout=10) as resp:
        rules = json.load(resp)["data"]["groups"]
    n_alert = n_record = 0
    states = {}
    for g in rules:
        for r in g["rules"]:
            if r["type"] == "alerting":
                n_alert += 1
                states[r["name"]] = r["state"]
            else:
                n_record += 1
            if r["health"] != "ok":
                fail(f"rule {r['name']}: health {r['health']} {r.get('lastError', '')}")
    want = [r for r in alert_rules(root)]
    if n_alert + n_record != len(want):
        fail(f"Prometheus loaded {n_alert + n_record} rules, alerts.yml has {len(want)}")
    active = {k: v for k, v in states.items() if v != "inactive"}
    done(f"{checked} dashboard queries returned data; {n_alert} alerting and {n_record} recording rules "
         f"loaded and evaluated healthy; not inactive: {active or 'none'}")


def cmd_promconfig(root, out, targets):
    """deploy/prometheus/prometheus.yml with its wxlogin job pointed at TARGETS (static), scraped
    and evaluated every second, the rule file by absolute path, no Alertmanager, no other job."""
    src = os.path.join(root, "deploy/prometheus/prometheus.yml")
    cfg = load_yaml_docs(src)[0]
    cfg["global"] = {**cfg.get("global", {}), "scrape_interval": "1s", "evaluation_interval": "1s",
                     "scrape_timeout": "1s"}
    cfg["rule_files"] = [os.path.join(os.path.dirname(src), f) for f in cfg.get("rule_files", [])]
    cfg.pop("alerting", None)
    jobs = [j for j in cfg.get("scrape_configs", []) if j.get("job_name") == "wxlogin"]
    if len(jobs) != 1:
        fail("prometheus.yml has no (single) job_name: wxlogin")
    else:
        job = jobs[0]
        for k in [k for k in job if k.endswith("_sd_configs") or k in ("relabel_configs", "static_configs")]:
            del job[k]
        job["static_configs"] = [{"targets": targets}]
        cfg["scrape_configs"] = [job]
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    done(f"{out}: job wxlogin -> {', '.join(targets)}")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, root = argv[1], argv[2]
    if cmd == "static":
        cmd_static(root, argv[3], argv[4])
    elif cmd == "env":
        cmd_env(root, "ConfigMap", "wxlogin-config", "data")
    elif cmd == "secret-env":
        cmd_env(root, "Secret", "wxlogin-secrets", "stringData")
    elif cmd == "promtests":
        cmd_promtests(root)
    elif cmd == "metrics":
        cmd_metrics(root, argv[3:])
    elif cmd == "promconfig":
        cmd_promconfig(root, argv[3], argv[4:])
    elif cmd == "live":
        cmd_live(root, argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

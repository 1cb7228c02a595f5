#!/usr/bin/env python3
"""The console in a real browser: headless Chromium driven by Selenium against live wxlogin servers.

Three servers, each on a free 127.0.0.1 port with a SQLite file of its own in a temp dir:
  dev      `wxlogin serve --dev`: the dev panel, with the simulator in the process.
  service  `wxlogin serve` with a fixed WXLOGIN_JWT_SECRET and WXLOGIN_CONSOLE=on: the admin
           panel; its admin is bootstrapped with `wxlogin admin set-role` while it is stopped.
  off      `wxlogin serve --dev` with WXLOGIN_CONSOLE=off: /console/ must answer 404.

Run by tests/browser/run.sh (WXLOGIN_BIN, CONSOLE_TEST_DIR). Every wait is bounded; each test
saves a screenshot in CONSOLE_TEST_DIR.
"""
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

WXBIN = os.environ["WXLOGIN_BIN"]
WORK = os.environ["CONSOLE_TEST_DIR"]
WAIT = 15  # seconds, the bound of every wait on the page

CSP_REQUIRED = ("default-src 'self'", "frame-ancestors 'none'")


# ---- servers ------------------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WXLOGIN_")}
    env.update(extra)
    return env


def http(method, url, body=None, token=None, timeout=10):
    """(status, headers, parsed JSON or text) of one request; never raises for an HTTP status."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            status, headers, raw = res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, e.headers, e.read()
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if "json" in (headers.get("Content-Type") or "") else text
    except ValueError:
        parsed = text
    return status, headers, parsed


class Server:
    def __init__(self, name, args, env):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = args
        self.env = clean_env({**env, "WXLOGIN_LISTEN": f"127.0.0.1:{self.port}"})
        self.proc = None
        self.log_path = os.path.join(WORK, f"{name}.log")

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([WXBIN, "serve", *self.args], env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if http("GET", self.url + "/healthz", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer /healthz within 20 s; see {self.log_path}")

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise RuntimeError(f"{self.name} did not stop within 20 s of SIGTERM")
        if rc != 0:
            raise RuntimeError(f"{self.name} exited with status {rc} after SIGTERM")


SERVERS = {}
ADMIN = {"username": "console-admin", "password": "Adm-" + secrets.token_urlsafe(18)}
TARGET = {"username": "console-target", "password": "Tgt-" + secrets.token_urlsafe(18)}
DRIVER = None


def start_servers():
    dev = Server("dev", ["--dev"], {"WXLOGIN_DATABASE_URL": f"sqlite://{WORK}/dev.db"})
    dev.start()
    SERVERS["dev"] = dev

    service_env = {
        "WXLOGIN_DATABASE_URL": f"sqlite://{WORK}/service.db",
        "WXLOGIN_JWT_SECRET": "console-test-" + "s" * 40,
        "WXLOGIN_CONSOLE": "on",
        "WXLOGIN_WECHAT_APPID": "wxconsoletest00001",
        "WXLOGIN_WECHAT_SECRET": "not-used-by-these-tests",
        # Never called: the admin flow uses password accounts only.
        "WXLOGIN_WECHAT_API_BASE": "http://127.0.0.1:9",
    }
    service = Server("service", [], service_env)
    service.start()
    SERVERS["service"] = service
    ids = {}
    for account in (ADMIN, TARGET):
        status, _, body = http("POST", service.url + "/api/v1/auth/register", account)
        if status != 201:
            raise RuntimeError(f"registering {account['username']} answered {status}: {body}")
        ids[account["username"]] = body["user"]["id"]
    ADMIN["id"] = ids[ADMIN["username"]]
    TARGET["id"] = ids[TARGET["username"]]
    # SQLite: the role is set while no server holds the file.
    service.stop()
    rc = subprocess.run([WXBIN, "admin", "set-role", "--user", str(ADMIN["id"]), "--role", "admin"],
                        env=clean_env({"WXLOGIN_DATABASE_URL": service_env["WXLOGIN_DATABASE_URL"],
                                       "WXLOGIN_JWT_SECRET": service_env["WXLOGIN_JWT_SECRET"],
                                       "WXLOGIN_WECHAT_APPID": service_env["WXLOGIN_WECHAT_APPID"],
                                       "WXLOGIN_WECHAT_SECRET": service_env["WXLOGIN_WECHAT_SECRET"]}),
                        capture_output=True, timeout=60).returncode
    if rc != 0:
        raise RuntimeError(f"wxlogin admin set-role exited with {rc}")
    service.start()

    off = Server("off", ["--dev"], {"WXLOGIN_DATABASE_URL": f"sqlite://{WORK}/off.db", "WXLOGIN_CONSOLE": "off"})
    off.start()
    SERVERS["off"] = off


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1360,1100", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-sync", "--disable-default-apps",
                f"--user-data-dir={WORK}/chromium-profile"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"),
                      log_output=os.path.join(WORK, "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    return driver


def setUpModule():
    global DRIVER
    try:
        start_servers()
        DRIVER = start_browser()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    if DRIVER:
        DRIVER.quit()
    errors = []
    for server in SERVERS.values():
        try:
            server.stop()
        except RuntimeError as e:
            errors.append(str(e))
    if errors:
        raise RuntimeError("; ".join(errors))


# ---- page helpers -----------------------------------------------------------------------------------
class ConsoleCase(unittest.TestCase):
    def setUp(self):
        self.driver = DRIVER
        self.driver.get_log("browser")  # start each test with an empty browser log

    def open_console(self, server, fragment=""):
        self.driver.get("about:blank")  # a fresh page each time, even when only the fragment differs
        self.driver.get(SERVERS[server].url + "/console/" + fragment)
        self.wait_for(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true",
                      "the console to start")

    def wait_for(self, condition, what):
        try:
            return WebDriverWait(self.driver, WAIT, poll_frequency=0.05).until(condition)
        except Exception as e:  # a timeout: say what was awaited, and keep a picture of it
            self.screenshot("timeout")
            raise AssertionError(f"timed out after {WAIT}s waiting for {what}") from e

    def by_id(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def text(self, element_id):
        return self.by_id(element_id).get_attribute("textContent")

    def actions(self):
        return int(self.driver.find_element(By.TAG_NAME, "body").get_attribute("data-actions") or 0)

    def do(self, element_id, what):
        """Clicks `element_id` and waits until the action it starts has finished."""
        before = self.actions()
        self.wait_for(EC.element_to_be_clickable((By.ID, element_id)), f"{element_id} to be clickable")
        self.by_id(element_id).click()
        self.wait_for(lambda d: self.actions() > before, what)

    def confirm(self, element_id, what):
        before = self.actions()
        self.by_id(element_id).click()
        self.wait_for(EC.visibility_of_element_located((By.ID, "confirm-ok")), "the confirmation dialog")
        self.by_id("confirm-ok").click()
        self.wait_for(lambda d: self.actions() > before, what)

    def exchange_status(self):
        return int(self.by_id("exchange-status").get_attribute("data-status"))

    def screenshot(self, name):
        """The whole page, not only the window: the window grows to the page's height for it."""
        path = os.path.join(WORK, f"{name}.png")
        size = self.driver.get_window_size()
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(size["width"], min(max(height + 140, size["height"]), 4000))
        try:
            self.driver.save_screenshot(path)
        finally:
            self.driver.set_window_size(size["width"], size["height"])
        return path

    def assert_no_storage(self):
        stored = self.driver.execute_script(
            "return [localStorage.length, sessionStorage.length, document.cookie];")
        self.assertEqual(stored[:3], [0, 0, ""], "the console stored something in the browser")

    def assert_clean_browser_log(self, expected_network=()):
        """No console error or warning; network errors only those the test caused on purpose."""
        unexpected = []
        for entry in self.driver.get_log("browser"):
            if entry["level"] not in ("SEVERE", "WARNING"):
                continue
            message = entry["message"]
            if entry.get("source") == "network" and any(re.search(p, message) for p in expected_network):
                continue
            unexpected.append(f"{entry['level']} {entry.get('source')}: {message}")
        self.assertEqual(unexpected, [], "the browser log has errors")


# ---- the tests ------------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


class HeadersTest(unittest.TestCase):
    def test_page_assets_and_404s(self):
        for name in ("dev", "service"):
            url = SERVERS[name].url
            status, headers, page = http("GET", url + "/console/")
            self.assertEqual(status, 200, name)
            self.assertTrue(headers["Content-Type"].startswith("text/html"), headers["Content-Type"])
            csp = headers["Content-Security-Policy"] or ""
            for part in CSP_REQUIRED:
                self.assertIn(part, csp)
            self.assertNotIn("unsafe-inline", csp)
            self.assertNotIn("unsafe-eval", csp)
            self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
            self.assertEqual(headers["Referrer-Policy"], "no-referrer")
            self.assertEqual(headers["Cache-Control"], "no-store")
            # No inline script or style in the page itself.
            self.assertIsNone(re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline <script>")
            self.assertNotIn("<style", page)
            self.assertNotIn(" style=", page)

            assets = re.findall(r'(?:src|href)="((?:app|style|icon)\.[0-9a-f]{10}\.(?:js|css|svg))"', page)
            self.assertEqual(sorted(set(a.split(".")[0] for a in assets)), ["app", "icon", "style"], page)
            for asset in set(assets):
                status, headers, body = http("GET", url + "/console/" + asset)
                self.assertEqual(status, 200, asset)
                self.assertEqual(headers["Cache-Control"], "public, max-age=31536000, immutable", asset)
                self.assertIn("default-src 'self'", headers["Content-Security-Policy"] or "")
                self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
                self.assertTrue(body, asset)
            js = [a for a in assets if a.endswith(".js")][0]
            self.assertTrue(http("GET", url + "/console/" + js)[1]["Content-Type"].startswith("text/javascript"))

            for missing in ("/console/app.js", "/console/nothing.0123456789.js", "/console/a/b", "/console/index.htm"):
                status, headers, body = http("GET", url + missing)
                self.assertEqual(status, 404, missing)
                self.assertEqual(body["error"]["code"], "not_found", missing)
                self.assertTrue(body["request_id"], missing)

            with self.assertRaises(urllib.error.HTTPError) as redirect:
                NO_REDIRECTS.open(url + "/console", timeout=10)
            self.assertEqual(redirect.exception.code, 308)
            self.assertEqual(redirect.exception.headers["Location"], "/console/")

        # The console turned off: /console/ is an unknown path like any other.
        for path in ("/console/", "/console", "/console/index.html"):
            status, _, body = http("GET", SERVERS["off"].url + path)
            self.assertEqual(status, 404, path)
            self.assertEqual(body["error"]["code"], "not_found", path)
        # ... while that server serves the rest of the API.
        self.assertEqual(http("GET", SERVERS["off"].url + "/healthz")[0], 200)


class DevPanelTest(ConsoleCase):
    def test_dev_flow_mint_login_me_logout(self):
        self.open_console("dev")
        self.assertTrue(self.by_id("dev-panel").is_displayed())
        self.do("dev-login", "wx.login() and the login")
        self.assertEqual(self.exchange_status(), 200, self.text("exchange-response"))
        openid = self.text("dev-openid")
        self.assertRegex(openid, r"^\S{8,}$")
        pair = json.loads(self.text("token-pair"))
        self.assertEqual(pair["user"]["wechat"]["openid"], openid)
        self.assertEqual(json.loads(self.text("jwt-header"))["alg"], "HS256")
        claims = json.loads(self.text("jwt-claims"))
        self.assertEqual(claims["sub"], str(pair["user"]["id"]))
        self.assertIn("sid", claims)

        self.do("btn-me", "GET /users/me")
        self.assertEqual(self.exchange_status(), 200)
        self.assertIn(f"GET /api/v1/users/me", self.text("exchange-request"))
        self.assertIn("Authorization: Bearer " + pair["access_token"], self.text("exchange-request"))
        response = self.text("exchange-response")
        self.assertIn(openid, response)
        self.assertIn("x-request-id:", response.lower())
        self.assert_no_storage()

        # Refresh rotates the pair; the page then holds the new one.
        self.do("btn-refresh", "refresh")
        self.assertEqual(self.exchange_status(), 200, self.text("exchange-response"))
        rotated = json.loads(self.text("token-pair"))
        self.assertNotEqual(rotated["refresh_token"], pair["refresh_token"])
        self.assertEqual(json.loads(self.text("jwt-claims"))["sid"], claims["sid"])
        # A phone code minted by the simulator, bound through the public API.
        self.do("btn-phone", "the phone binding")
        self.assertEqual(self.exchange_status(), 200, self.text("exchange-response"))
        self.assertIn('"phone": "13800001111"', self.text("exchange-response"))
        self.do("btn-me", "GET /users/me")
        self.assertEqual(self.exchange_status(), 200)
        self.screenshot("dev")
        pair = rotated

        self.do("btn-logout", "logout")
        self.assertEqual(self.exchange_status(), 204)
        self.do("btn-me", "GET /users/me after logout")
        self.assertEqual(self.exchange_status(), 401)
        self.assertIn("token_revoked", self.text("dev-error"))
        # Not only on the page: the server itself refuses the token now.
        status, _, body = http("GET", SERVERS["dev"].url + "/api/v1/users/me", token=pair["access_token"])
        self.assertEqual(status, 401)
        self.assertEqual(body["error"]["code"], "token_revoked")
        self.screenshot("dev-after-logout")
        self.assert_clean_browser_log(expected_network=[r"/api/v1/users/me .*status of 401"])

    def test_injected_40163_shows_wechat_code_used(self):
        self.open_console("dev")
        Select(self.by_id("fail-api")).select_by_value("jscode2session")
        Select(self.by_id("fail-errcode")).select_by_value("40163")
        times = self.by_id("fail-times")
        times.clear()
        times.send_keys("1")
        self.do("btn-inject", "the fault injection")
        self.assertEqual(self.exchange_status(), 200, self.text("exchange-response"))
        self.wait_for(lambda d: self.text("sim-pending") == "1", "one pending fault in the counters")

        self.do("dev-login", "the login that meets the fault")
        self.assertEqual(self.exchange_status(), 401, self.text("exchange-response"))
        error = self.text("dev-error")
        self.assertIn("wechat_code_used", error)
        self.assertIn("wechat_errcode 40163", error)
        self.assertRegex(error, r"request_id \S+")
        self.assertIn('"wechat_code_used"', self.text("exchange-response"))
        self.wait_for(lambda d: self.text("sim-pending") == "0", "the fault to be spent")
        self.screenshot("dev-fault")

        # The fault was one call only: the next login works.
        self.do("dev-login", "the next login")
        self.assertEqual(self.exchange_status(), 200, self.text("exchange-response"))
        self.assertFalse(self.by_id("dev-error").is_displayed())
        self.assert_clean_browser_log(expected_network=[r"/api/v1/auth/wechat/login .*status of 401"])


class AdminPanelTest(ConsoleCase):
    def test_admin_signs_in_finds_and_disables_a_user(self):
        service = SERVERS["service"]
        status, _, pair = http("POST", service.url + "/api/v1/auth/login",
                               {"username": TARGET["username"], "password": TARGET["password"]})
        self.assertEqual(status, 200, pair)
        target_token = pair["access_token"]
        self.assertEqual(http("GET", service.url + "/api/v1/users/me", token=target_token)[0], 200)

        self.open_console("service")
        self.assertFalse(self.by_id("tab-dev").is_displayed(), "a dev tab without the simulator")
        self.assertTrue(self.by_id("admin-panel").is_displayed())
        self.by_id("admin-username").send_keys(ADMIN["username"])
        self.by_id("admin-password").send_keys(ADMIN["password"])
        self.do("admin-signin", "the admin's sign-in")
        self.assertFalse(self.by_id("admin-error").is_displayed(), self.text("admin-error"))
        self.assertTrue(self.by_id("admin-work").is_displayed())
        self.assert_no_storage()

        Select(self.by_id("admin-find-key")).select_by_value("username")
        self.by_id("admin-find-value").send_keys(TARGET["username"].upper())  # case-insensitive
        self.do("admin-find", "the lookup")
        self.assertTrue(self.by_id("admin-user-card").is_displayed(), self.text("admin-error"))
        user = json.loads(self.text("admin-user"))
        self.assertEqual(user["id"], TARGET["id"])
        self.assertFalse(user["disabled"])
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#admin-sessions tbody tr")
        self.assertEqual(len(rows), 2, "two live sessions: the registration and the login")
        self.assertEqual(self.text("admin-user-state"), "active")
        self.screenshot("admin")

        # A cancelled confirmation changes nothing.
        before = self.actions()
        self.by_id("admin-disable").click()
        self.wait_for(EC.visibility_of_element_located((By.ID, "confirm-cancel")), "the confirmation dialog")
        self.by_id("confirm-cancel").click()
        self.wait_for(lambda d: self.actions() > before, "the cancelled disable")
        self.assertEqual(self.text("admin-user-state"), "active")
        self.assertEqual(http("GET", service.url + "/api/v1/users/me", token=target_token)[0], 200)

        # Revoke one session (the registration's, listed last: newest first); the login's stays.
        registration_sid = rows[1].find_element(By.TAG_NAME, "td").text
        before = self.actions()
        rows[1].find_element(By.TAG_NAME, "button").click()
        self.wait_for(EC.visibility_of_element_located((By.ID, "confirm-ok")), "the confirmation dialog")
        self.assertIn(registration_sid, self.text("confirm-text"))
        self.by_id("confirm-ok").click()
        self.wait_for(lambda d: self.actions() > before, "the session's revocation")
        self.assertIn(f"session {registration_sid} revoked", self.text("admin-notice"))
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#admin-sessions tbody tr")
        self.assertEqual(len(rows), 1)
        self.assertNotEqual(rows[0].find_element(By.TAG_NAME, "td").text, registration_sid)
        self.assertEqual(http("GET", service.url + "/api/v1/users/me", token=target_token)[0], 200)

        self.confirm("admin-disable", "the disable")
        self.assertFalse(self.by_id("admin-error").is_displayed(), self.text("admin-error"))
        self.assertEqual(self.text("admin-user-state"), "disabled")
        self.assertTrue(json.loads(self.text("admin-user"))["disabled"])
        self.assertIn("disabled", self.text("admin-notice"))
        status, _, body = http("GET", service.url + "/api/v1/users/me", token=target_token)
        self.assertEqual(status, 401)
        self.assertEqual(body["error"]["code"], "token_revoked")
        self.screenshot("admin-disabled")
        self.confirm("admin-enable", "the enable")
        self.assertEqual(self.text("admin-user-state"), "active")
        self.assertEqual(http("GET", service.url + "/api/v1/users/me", token=target_token)[0], 401,
                         "enabling brought an old session back")
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "#admin-sessions tbody tr td.muted")), 1,
                         "sessions listed after the disable")

        # An error is shown with its code and request_id: the admin cannot disable themself.
        Select(self.by_id("admin-find-key")).select_by_value("id")
        value = self.by_id("admin-find-value")
        value.clear()
        value.send_keys(str(ADMIN["id"]))
        self.do("admin-find", "the lookup of the admin")
        self.assertEqual(json.loads(self.text("admin-user"))["id"], ADMIN["id"])
        role = Select(self.by_id("admin-role"))
        role.select_by_value("user")
        self.confirm("admin-set-role", "the self-demotion")
        self.assertRegex(self.text("admin-error"), r"^409 conflict: .*request_id \S+")

        self.do("admin-signout", "the sign-out")
        self.assertTrue(self.by_id("admin-signin-card").is_displayed())
        self.assert_clean_browser_log(expected_network=[r"/wechat-sim/control/stats .*status of 404",
                                                        r"/api/v1/admin/users/\d+ .*status of 409"])

    def test_wrong_password_shows_code_and_request_id(self):
        self.open_console("service")
        self.by_id("admin-username").send_keys(ADMIN["username"])
        self.by_id("admin-password").send_keys("wrong-password-1")
        self.do("admin-signin", "the failed sign-in")
        self.assertRegex(self.text("admin-error"), r"^401 invalid_credentials: .*request_id \S+")
        self.assertFalse(self.by_id("admin-work").is_displayed())
        self.assert_clean_browser_log(expected_network=[r"/wechat-sim/control/stats .*status of 404",
                                                        r"/api/v1/auth/login .*status of 401"])


class HealthPanelTest(ConsoleCase):
    def test_readiness_and_charts(self):
        dev = SERVERS["dev"]
        stop = threading.Event()

        def traffic():  # something for the charts to show: a ramp of /healthz and a few 404s
            n = 0
            while not stop.is_set() and n < 2000:
                n += 1
                http("GET", dev.url + ("/healthz" if n % 7 else "/no-such-path"), timeout=2)
                stop.wait(0.12 / (1 + n / 40))

        worker = threading.Thread(target=traffic, daemon=True)
        worker.start()
        try:
            self.open_console("dev", "#health")
            self.assertTrue(self.by_id("health-panel").is_displayed())
            self.wait_for(lambda d: self.text("ready-status") == "ok", "readiness ok")
            checks = self.text("ready-checks")
            self.assertIn("database", checks)
            self.assertIn("redis", checks)
            polls = lambda: int(self.by_id("health-panel").get_attribute("data-polls") or 0)
            self.wait_for(lambda d: polls() >= 2, "two scrapes of /metrics, for the first rate")
            self.assertGreater(float(self.text("fig-rps")), 1.0, "the traffic does not show in requests/s")
            self.assertGreaterEqual(float(self.text("fig-conn")), 1.0)
            # A few more polls, so that the picture shows lines rather than dots.
            WebDriverWait(self.driver, 20, poll_frequency=0.2).until(lambda d: polls() >= 6)
        finally:
            stop.set()
            worker.join(timeout=10)
        drawn = self.driver.execute_script(
            "const c = document.getElementById('chart-rps'); const d = c.getContext('2d')"
            ".getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4)"
            " if (d[i]) n++; return n;")
        self.assertGreater(drawn, 500, "nothing drawn on the requests/s chart")
        self.screenshot("health")
        self.assert_clean_browser_log()


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)

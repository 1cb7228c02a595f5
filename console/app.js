// wxlogin console. Plain JavaScript, no dependency. It calls only the public API (API.md) and,
// under `serve --dev`, the simulator's control API; tokens live in the variables below and
// nowhere else (no localStorage, no sessionStorage, no cookie), so closing the tab forgets them.
'use strict';

(() => {
  const SIM = '/wechat-sim';

  // ---- state: in memory only ------------------------------------------------------------------
  let devTokens = null;   // the dev panel's TokenPair
  let adminToken = null;  // the admin's access token
  let adminUser = null;   // the AdminUser on screen
  let adminSelf = null;   // the signed-in admin (User)

  // ---- small DOM helpers ------------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);
  const show = (node, on) => { node.hidden = !on; };
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') node.className = v;
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }
  const pretty = (v) => JSON.stringify(v, null, 2);
  // Every user action counts itself on <body data-actions> when it has finished, whatever the
  // outcome: what a test (or a curious developer) waits for instead of guessing a delay.
  let actions = 0;
  const act = (fn) => async (...args) => {
    try { await fn(...args); } finally { document.body.dataset.actions = String(++actions); }
  };

  // ---- HTTP: one function, which records the exact exchange -----------------------------------
  // Returns {request: {method, url, headers, body}, status, headers: [[k, v]], text, json}.
  async function call(method, path, { body, token, timeoutMs = 15000 } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const request = { method, url: path, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await fetch(path, {
        method, headers, body: request.body, cache: 'no-store', credentials: 'omit',
        referrerPolicy: 'no-referrer', signal: abort.signal,
      });
      const text = await res.text();
      let json = null;
      if (text && (res.headers.get('content-type') || '').includes('json')) {
        try { json = JSON.parse(text); } catch (_) { json = null; }
      }
      return { request, status: res.status, statusText: res.statusText, headers: [...res.headers], text, json };
    } catch (e) {
      return { request, status: 0, statusText: e.name === 'AbortError' ? 'timed out' : 'network error',
        headers: [], text: String(e), json: null };
    } finally {
      clearTimeout(timer);
    }
  }

  const ok = (r) => r.status >= 200 && r.status < 300;
  // "code (request_id …)" for an error answer of API.md's shape, else the status.
  function describeError(r) {
    const e = r.json && r.json.error;
    if (e) {
      let s = `${r.status} ${e.code}: ${e.message || ''}`;
      if (e.wechat_errcode !== undefined) s += ` (wechat_errcode ${e.wechat_errcode})`;
      s += `  request_id ${r.json.request_id || headerOf(r, 'x-request-id') || '?'}`;
      return s;
    }
    return `${r.status} ${r.statusText || ''} request_id ${headerOf(r, 'x-request-id') || '?'}`;
  }
  const headerOf = (r, name) => (r.headers.find(([k]) => k.toLowerCase() === name) || [])[1];

  // ---- the exchange view: the page teaches the API -----------------------------------------
  function showExchange(r) {
    const req = r.request;
    let reqText = `${req.method} ${req.url} HTTP/1.1\n`;
    for (const [k, v] of Object.entries(req.headers)) reqText += `${k}: ${v}\n`;
    if (req.body !== undefined) reqText += `\n${prettyText(req.body)}`;
    $('exchange-request').textContent = reqText;
    let resText = `HTTP/1.1 ${r.status} ${r.statusText || ''}\n`;
    for (const [k, v] of r.headers) resText += `${k}: ${v}\n`;
    if (r.text) resText += `\n${prettyText(r.text)}`;
    $('exchange-response').textContent = resText;
    const st = $('exchange-status');
    st.textContent = String(r.status);
    st.className = `status ${ok(r) ? 'ok' : 'bad'}`;
    st.dataset.status = String(r.status);
  }
  function prettyText(t) {
    try { return pretty(JSON.parse(t)); } catch (_) { return t; }
  }

  // ---- JWT: decoded for reading, never verified here (the server does that) ------------------
  function b64urlJson(part) {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  }
  function decodeJwt(token) {
    const parts = String(token).split('.');
    if (parts.length !== 3) return null;
    try { return { header: b64urlJson(parts[0]), claims: b64urlJson(parts[1]) }; } catch (_) { return null; }
  }
  function withTimes(claims) {
    const out = { ...claims };
    for (const k of ['iat', 'exp', 'nbf']) {
      if (typeof out[k] === 'number') out[k] = `${out[k]} (${new Date(out[k] * 1000).toISOString()})`;
    }
    return out;
  }

  // ---- confirmation: every admin change asks first ---------------------------------------------
  function confirmAction(text) {
    const dialog = $('confirm');
    $('confirm-text').textContent = text;
    return new Promise((resolve) => {
      const done = (answer) => {
        $('confirm-ok').removeEventListener('click', yes);
        $('confirm-cancel').removeEventListener('click', no);
        dialog.removeEventListener('cancel', no);
        dialog.close();
        resolve(answer);
      };
      const yes = () => done(true);
      const no = () => done(false);
      $('confirm-ok').addEventListener('click', yes);
      $('confirm-cancel').addEventListener('click', no);
      dialog.addEventListener('cancel', no);
      dialog.showModal();
    });
  }

  // ================================ Dev panel ===================================================
  function devError(text) {
    const p = $('dev-error');
    p.textContent = text || '';
    show(p, Boolean(text));
  }
  function setDevTokens(pair) {
    devTokens = pair;
    const have = Boolean(pair);
    for (const id of ['btn-me', 'btn-refresh', 'btn-logout', 'btn-logout-all', 'btn-forget', 'btn-phone']) {
      $(id).disabled = !have;
    }
    if (!pair) {
      $('jwt-header').textContent = '—';
      $('jwt-claims').textContent = '—';
      $('token-pair').textContent = '—';
      return;
    }
    const jwt = decodeJwt(pair.access_token);
    $('jwt-header').textContent = jwt ? pretty(jwt.header) : '(not a JWT)';
    $('jwt-claims').textContent = jwt ? pretty(withTimes(jwt.claims)) : '(not a JWT)';
    $('token-pair').textContent = pretty(pair);
    $('dev-user-id').textContent = pair.user ? String(pair.user.id) : '—';
  }

  async function devLogin(ev) {
    ev.preventDefault();
    devError('');
    const mint = {};
    const appId = $('dev-app-id').value.trim();
    const openid = $('dev-openid-in').value.trim();
    const unionid = $('dev-unionid-in').value.trim();
    if (appId) mint.app_id = appId;
    if (openid) mint.openid = openid;
    if (unionid) mint.unionid = unionid;
    const minted = await call('POST', `${SIM}/control/login-code`, { body: mint });
    showExchange(minted);
    if (!ok(minted)) { devError(`minting a code failed: ${describeError(minted)}`); return; }
    $('dev-code').textContent = minted.json.code;
    $('dev-openid').textContent = minted.json.openid;
    const login = { code: minted.json.code };
    if (appId) login.app_id = appId;
    const r = await call('POST', '/api/v1/auth/wechat/login', { body: login });
    showExchange(r);
    refreshStats();
    if (!ok(r)) { devError(describeError(r)); return; }
    setDevTokens(r.json);
  }

  async function devMe() {
    const r = await call('GET', '/api/v1/users/me', { token: devTokens.access_token });
    showExchange(r);
    devError(ok(r) ? '' : describeError(r));
  }
  async function devRefresh() {
    const r = await call('POST', '/api/v1/auth/refresh', { body: { refresh_token: devTokens.refresh_token } });
    showExchange(r);
    if (ok(r)) { setDevTokens(r.json); devError(''); } else devError(describeError(r));
  }
  // Logout keeps the dead tokens on screen, so that the next call shows what they answer now.
  async function devLogout(path) {
    const r = await call('POST', path, { token: devTokens.access_token });
    showExchange(r);
    devError(ok(r) ? '' : describeError(r));
  }
  async function devPhone(ev) {
    ev.preventDefault();
    if (!devTokens) return;
    const mint = { phone: $('dev-phone').value.trim() };
    const cc = $('dev-country').value.trim();
    if (cc) mint.country_code = cc;
    const appId = $('dev-app-id').value.trim();
    if (appId) mint.app_id = appId;
    const minted = await call('POST', `${SIM}/control/phone-code`, { body: mint });
    showExchange(minted);
    if (!ok(minted)) { devError(`minting a phone code failed: ${describeError(minted)}`); return; }
    const r = await call('POST', '/api/v1/users/me/phone', { body: { code: minted.json.code }, token: devTokens.access_token });
    showExchange(r);
    refreshStats();
    devError(ok(r) ? '' : describeError(r));
  }
  async function devInject(ev) {
    ev.preventDefault();
    const fault = { api: $('fail-api').value };
    const errcode = $('fail-errcode').value;
    const status = $('fail-status').value;
    const delay = $('fail-delay').value;
    const times = $('fail-times').value;
    if (errcode !== '') fault.errcode = Number(errcode);
    if (status !== '') fault.http_status = Number(status);
    if (delay !== '') fault.delay_ms = Number(delay);
    if (times !== '') fault.times = Number(times);
    const r = await call('POST', `${SIM}/control/fail`, { body: fault });
    showExchange(r);
    devError(ok(r) ? '' : describeError(r));
    refreshStats();
  }
  async function devReset() {
    const r = await call('POST', `${SIM}/control/reset`);
    showExchange(r);
    refreshStats();
  }
  async function refreshStats() {
    const r = await call('GET', `${SIM}/control/stats`);
    if (!ok(r) || !r.json) return;
    const body = $('sim-stats').tBodies[0];
    body.replaceChildren();
    for (const [api, n] of Object.entries(r.json.calls || {})) body.append(el('tr', {}, el('td', {}, api), el('td', {}, n)));
    body.append(el('tr', {}, el('td', {}, 'pending faults'), el('td', { id: 'sim-pending' }, r.json.pending_faults)));
    const apps = $('dev-apps');
    if (!apps.children.length && r.json.default_app_id) apps.append(el('option', { value: r.json.default_app_id }));
  }

  function wireDev() {
    $('dev-login-form').addEventListener('submit', act(devLogin));
    $('btn-me').addEventListener('click', act(devMe));
    $('btn-refresh').addEventListener('click', act(devRefresh));
    $('btn-logout').addEventListener('click', act(() => devLogout('/api/v1/auth/logout')));
    $('btn-logout-all').addEventListener('click', act(() => devLogout('/api/v1/auth/logout-all')));
    $('btn-forget').addEventListener('click', act(() => setDevTokens(null)));
    $('dev-phone-form').addEventListener('submit', act(devPhone));
    $('dev-fail-form').addEventListener('submit', act(devInject));
    $('btn-sim-reset').addEventListener('click', act(devReset));
    $('btn-sim-stats').addEventListener('click', act(refreshStats));
  }

  // ================================ Admin panel =================================================
  function adminError(text) {
    const p = $('admin-error');
    p.textContent = text || '';
    show(p, Boolean(text));
    if (text) show($('admin-notice'), false);
  }
  function adminNotice(text) {
    const p = $('admin-notice');
    p.textContent = text || '';
    show(p, Boolean(text));
  }
  // Any admin call: a 401 means the token is gone (expired, revoked, demoted): forget it.
  async function adminCall(method, path, body) {
    const r = await call(method, path, { body, token: adminToken });
    if (r.status === 401) { signOut(); adminError(`signed out: ${describeError(r)}`); }
    return r;
  }

  async function signIn(ev) {
    ev.preventDefault();
    adminError('');
    const r = await call('POST', '/api/v1/auth/login', {
      body: { username: $('admin-username').value.trim(), password: $('admin-password').value },
    });
    $('admin-password').value = '';
    if (!ok(r)) { adminError(describeError(r)); return; }
    if (r.json.user.role !== 'admin') {
      // Not an admin: end the session this login created, then say so.
      await call('POST', '/api/v1/auth/logout', { token: r.json.access_token });
      adminError(`${r.json.user.username || r.json.user.id} does not have the admin role`);
      return;
    }
    adminToken = r.json.access_token;  // the refresh token is dropped: a console session is short
    adminSelf = r.json.user;
    $('admin-whoami').textContent = `signed in as ${adminSelf.username || adminSelf.id} (id ${adminSelf.id})`;
    show($('admin-signin-card'), false);
    show($('admin-work'), true);
    $('admin-find-value').focus();
  }
  async function signOutClicked() {
    if (adminToken) await call('POST', '/api/v1/auth/logout', { token: adminToken });
    signOut();
    adminNotice('signed out');
  }
  function signOut() {
    adminToken = null;
    adminSelf = null;
    adminUser = null;
    show($('admin-work'), false);
    show($('admin-user-card'), false);
    show($('admin-signin-card'), true);
    $('admin-results').replaceChildren();
  }

  async function find(ev) {
    ev.preventDefault();
    adminError('');
    adminNotice('');
    const key = $('admin-find-key').value;
    const value = $('admin-find-value').value.trim();
    if (!value) { adminError('enter a value to look up'); return; }
    let users = [];
    if (key === 'id') {
      if (!/^[0-9]+$/.test(value)) { adminError('an id is a number'); return; }
      const r = await adminCall('GET', `/api/v1/admin/users/${value}`);
      if (r.status === 404) users = [];
      else if (!ok(r)) { adminError(describeError(r)); return; } else users = [r.json];
    } else {
      const r = await adminCall('GET', `/api/v1/admin/users?${key}=${encodeURIComponent(value)}`);
      if (!ok(r)) { adminError(describeError(r)); return; }
      users = r.json.users;
    }
    $('admin-found').textContent = `${users.length} user${users.length === 1 ? '' : 's'} with ${key} ${value}`;
    const list = $('admin-results');
    list.replaceChildren();
    for (const u of users) {
      const label = `#${u.id}  ${u.username || '(no username)'}  ${u.email || ''}  ${u.wechat ? u.wechat.openid : ''}` +
        `${u.disabled ? '  [disabled]' : ''}`;
      list.append(el('li', {}, el('button', { type: 'button', 'data-user-id': u.id, on: { click: act(() => openUser(u.id)) } }, label)));
    }
    if (users.length === 1) await openUser(users[0].id);
    else show($('admin-user-card'), false);
  }

  async function openUser(id) {
    const r = await adminCall('GET', `/api/v1/admin/users/${id}`);
    if (!ok(r)) { adminError(describeError(r)); return; }
    renderUser(r.json);
    await loadSessions();
  }
  function renderUser(u) {
    adminUser = u;
    show($('admin-user-card'), true);
    $('admin-user-id').textContent = `#${u.id}`;
    const state = $('admin-user-state');
    state.textContent = u.disabled ? 'disabled' : 'active';
    state.className = `badge ${u.disabled ? 'bad' : 'ok'}`;
    $('admin-user').textContent = pretty(u);
    $('admin-role').value = u.role;
    const self = adminSelf && adminSelf.id === u.id;
    $('admin-disable').disabled = u.disabled || self;
    $('admin-enable').disabled = !u.disabled;
    $('admin-delete').disabled = self;
  }
  async function loadSessions() {
    const u = adminUser;
    const r = await adminCall('GET', `/api/v1/admin/users/${u.id}/sessions`);
    const body = $('admin-sessions').tBodies[0];
    body.replaceChildren();
    if (!ok(r)) { adminError(describeError(r)); return; }
    for (const s of r.json.sessions) {
      const revoke = el('button', { type: 'button', class: 'danger', on: { click: act(() => revokeSession(s.id)) } }, 'revoke');
      body.append(el('tr', {}, el('td', {}, s.id), el('td', {}, s.method), el('td', {}, s.created_at),
        el('td', {}, s.last_used_at), el('td', {}, s.user_agent || '—'), el('td', {}, s.client_ip || '—'),
        el('td', {}, revoke)));
    }
    if (!r.json.sessions.length) body.append(el('tr', {}, el('td', { colspan: '7', class: 'muted' }, 'no live session')));
  }

  // One admin change: confirm, call, show the outcome, reload the user.
  async function change(question, method, path, body, done) {
    if (!adminUser) return;
    if (!(await confirmAction(question))) return;
    adminError('');
    const r = await adminCall(method, path, body);
    if (!ok(r)) { adminError(describeError(r)); return; }
    adminNotice(`${done} (request_id ${headerOf(r, 'x-request-id') || '?'})`);
    if (r.json && r.json.id !== undefined) renderUser(r.json);
    if (method === 'DELETE' && path === `/api/v1/admin/users/${adminUser.id}`) {
      show($('admin-user-card'), false);
      adminUser = null;
      return;
    }
    await openUser(adminUser.id);
  }
  function wireAdmin() {
    $('admin-signin-form').addEventListener('submit', act(signIn));
    $('admin-signout').addEventListener('click', act(signOutClicked));
    $('admin-find-form').addEventListener('submit', act(find));
    const base = () => `/api/v1/admin/users/${adminUser.id}`;
    const who = () => `#${adminUser.id} ${adminUser.username || ''}`.trim();
    $('admin-disable').addEventListener('click', act(() =>
      change(`Disable user ${who()}? Every token of theirs stops working at once.`, 'POST', `${base()}/disable`, undefined, 'disabled')));
    $('admin-enable').addEventListener('click', act(() =>
      change(`Enable user ${who()}? Old sessions stay revoked.`, 'POST', `${base()}/enable`, undefined, 'enabled')));
    $('admin-set-role').addEventListener('click', act(() => {
      const role = $('admin-role').value;
      return change(`Give user ${who()} the role "${role}"?`, 'PATCH', base(), { role }, `role set to ${role}`);
    }));
    $('admin-unlock').addEventListener('click', act(() =>
      change(`Clear the failed-login lockout of ${who()}?`, 'POST', `${base()}/unlock`, undefined, 'unlocked')));
    $('admin-logout-all').addEventListener('click', act(() =>
      change(`Revoke every session of ${who()}?`, 'POST', `${base()}/logout-all`, undefined, 'all sessions revoked')));
    $('admin-delete').addEventListener('click', act(() =>
      change(`Delete user ${who()}? This erases their personal data and cannot be undone.`, 'DELETE', base(), undefined, 'deleted')));
  }
  function revokeSession(sid) {
    return change(`Revoke session ${sid} of #${adminUser.id}?`, 'DELETE',
      `/api/v1/admin/users/${adminUser.id}/sessions/${encodeURIComponent(sid)}`, undefined, `session ${sid} revoked`);
  }

  // ================================ Health ======================================================
  const HISTORY = 60;
  const series = { rps: [], p99: [], wxerr: [], conn: [] };
  let previous = null;  // the last scrape: {t, requests, buckets: Map(le -> count), wxerr}
  let healthTimer = null;
  let polls = 0;

  // Prometheus text format 0.0.4: "name{labels} value" lines; comments skipped.
  function parseMetrics(text) {
    const out = [];
    for (const line of text.split('\n')) {
      if (!line || line[0] === '#') continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const labels = {};
      if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      out.push({ name: m[1], labels, value: Number(m[4]) });
    }
    return out;
  }
  function scrape(samples) {
    let requests = 0;
    let wxerr = 0;
    let conn = 0;
    const buckets = new Map();
    for (const s of samples) {
      if (s.name === 'wxlogin_http_requests_total') requests += s.value;
      else if (s.name === 'wxlogin_http_request_duration_seconds_bucket') {
        buckets.set(s.labels.le, (buckets.get(s.labels.le) || 0) + s.value);
      } else if (s.name === 'wxlogin_wechat_requests_total' && s.labels.outcome !== 'ok') wxerr += s.value;
      else if (s.name === 'wxlogin_http_connections') conn = s.value;
    }
    return { t: performance.now() / 1000, requests, buckets, wxerr, conn };
  }
  // The p99 of the requests answered between two scrapes, from the histogram's bucket deltas.
  function p99Between(a, b) {
    const les = [...b.buckets.keys()].map((le) => [le, le === '+Inf' ? Infinity : Number(le)]).sort((x, y) => x[1] - y[1]);
    const deltas = les.map(([le, bound]) => [bound, b.buckets.get(le) - (a.buckets.get(le) || 0)]);
    const total = deltas.length ? deltas[deltas.length - 1][1] : 0;
    if (total <= 0) return 0;
    const rank = 0.99 * total;
    let lowerBound = 0;
    let lowerCount = 0;
    for (const [bound, count] of deltas) {
      if (count >= rank) {
        if (bound === Infinity) return lowerBound * 1000;
        const frac = count === lowerCount ? 1 : (rank - lowerCount) / (count - lowerCount);
        return (lowerBound + (bound - lowerBound) * frac) * 1000;
      }
      lowerBound = bound;
      lowerCount = count;
    }
    return lowerBound * 1000;
  }
  function push(name, v) {
    const s = series[name];
    s.push(v);
    if (s.length > HISTORY) s.shift();
  }
  function draw(id, values, colour) {
    const canvas = $(id);
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || canvas.width;
    const h = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(w * ratio)) { canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio); }
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    const max = Math.max(1e-9, ...values) * 1.15;
    g.strokeStyle = '#dde1e6';
    g.lineWidth = 1;
    for (let i = 1; i < 4; i++) {
      const y = Math.round((h * i) / 4) + 0.5;
      g.beginPath(); g.moveTo(0, y); g.lineTo(w, y); g.stroke();
    }
    g.fillStyle = '#69707a';
    g.font = '10px system-ui, sans-serif';
    g.fillText(formatFigure(max), 4, 11);
    if (values.length < 2) return;
    // Fills the width from 20 points on; until then, a new chart is not a thin sliver on the right.
    const step = w / (Math.min(HISTORY, Math.max(values.length, 20)) - 1);
    const x0 = w - step * (values.length - 1);
    g.beginPath();
    values.forEach((v, i) => {
      const x = x0 + i * step;
      const y = h - (v / max) * (h - 4) - 1;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.strokeStyle = colour;
    g.lineWidth = 1.8;
    g.stroke();
    g.lineTo(x0 + (values.length - 1) * step, h);
    g.lineTo(x0, h);
    g.closePath();
    g.globalAlpha = 0.12;
    g.fillStyle = colour;
    g.fill();
    g.globalAlpha = 1;
  }
  function formatFigure(v) {
    if (v >= 100) return v.toFixed(0);
    if (v >= 10) return v.toFixed(1);
    return v.toFixed(2);
  }

  async function pollHealth() {
    const ready = await call('GET', '/readyz', { timeoutMs: 2500 });
    const badge = $('ready-status');
    const rbody = $('ready-checks').tBodies[0];
    rbody.replaceChildren();
    if (ready.json) {
      badge.textContent = ready.json.status;
      badge.className = `badge ${ready.json.status === 'ok' ? 'ok' : ready.json.status === 'degraded' ? 'warn' : 'bad'}`;
      for (const [k, v] of Object.entries(ready.json.checks || {})) {
        rbody.append(el('tr', {}, el('td', {}, k), el('td', {}, el('span', { class: `badge ${v === 'ok' ? 'ok' : v === 'disabled' ? '' : 'bad'}` }, v))));
      }
    } else {
      badge.textContent = `unreachable (${ready.status || ready.statusText})`;
      badge.className = 'badge bad';
    }
    const m = await call('GET', '/metrics', { timeoutMs: 2500 });
    if (!ok(m)) return;
    const now = scrape(parseMetrics(m.text));
    if (previous) {
      const dt = Math.max(0.001, now.t - previous.t);
      push('rps', Math.max(0, (now.requests - previous.requests) / dt));
      push('p99', p99Between(previous, now));
      push('wxerr', Math.max(0, (now.wxerr - previous.wxerr) / dt));
    }
    push('conn', now.conn);
    previous = now;
    const last = (s) => (s.length ? formatFigure(s[s.length - 1]) : '…');
    $('fig-rps').textContent = last(series.rps);
    $('fig-p99').textContent = last(series.p99);
    $('fig-wxerr').textContent = last(series.wxerr);
    $('fig-conn').textContent = String(now.conn);
    draw('chart-rps', series.rps, '#07c160');
    draw('chart-p99', series.p99, '#3b6fd8');
    draw('chart-wxerr', series.wxerr, '#d0342c');
    draw('chart-conn', series.conn, '#8a5cd0');
    $('health-panel').dataset.polls = String(++polls);
  }
  function startHealth() {
    if (healthTimer) return;
    pollHealth();
    healthTimer = setInterval(pollHealth, 3000);
  }
  function stopHealth() {
    clearInterval(healthTimer);
    healthTimer = null;
  }

  // ================================ Tabs and start ==============================================
  function select(panelId) {
    for (const tab of document.querySelectorAll('.tab')) {
      const on = tab.dataset.panel === panelId;
      tab.classList.toggle('active', on);
      show($(tab.dataset.panel), on);
    }
    if (panelId === 'health-panel' && !document.hidden) startHealth(); else stopHealth();
  }

  async function start() {
    for (const tab of document.querySelectorAll('.tab')) tab.addEventListener('click', () => select(tab.dataset.panel));
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) stopHealth();
      else if (!$('health-panel').hidden) startHealth();
    });
    wireDev();
    wireAdmin();
    // The dev panel exists when this server runs the simulator, i.e. under `serve --dev`.
    const stats = await call('GET', `${SIM}/control/stats`, { timeoutMs: 3000 });
    const dev = ok(stats);
    show($('tab-dev'), dev);
    $('mode').textContent = dev ? 'serve --dev: the WeChat simulator runs in this process' : '';
    document.body.dataset.mode = dev ? 'dev' : 'service';
    if (dev) refreshStats();
    // #dev, #admin or #health opens that panel (a bookmark, or a link from a runbook).
    const fromHash = () => {
      const wanted = location.hash.replace('#', '');
      if (['dev', 'admin', 'health'].includes(wanted) && (wanted !== 'dev' || dev)) select(`${wanted}-panel`);
      else select(dev ? 'dev-panel' : 'admin-panel');
    };
    window.addEventListener('hashchange', fromHash);
    fromHash();
    document.body.dataset.ready = 'true';
  }

  document.addEventListener('DOMContentLoaded', start);
})();

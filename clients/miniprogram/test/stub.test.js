'use strict';
// Answers the real server gives only under load or not yet (503 overloaded, 403 account_disabled,
// DELETE /users/me come with later work), from a scripted stub on 127.0.0.1 speaking API.md's shapes.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { createClient, WxLoginError } = require('..');
const { createFakeWx } = require('./helpers/fake-wx');
const { recordEvents } = require('./helpers/session');

const T = { timeout: 20000 };
let stub;
let base;
let routes = {};
const seen = [];

test.before(async () => {
  stub = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, path: req.url, auth: req.headers.authorization, body: body ? JSON.parse(body) : undefined });
      // A route is one answer, or a list of answers given in turn (the last one repeats).
      let r = routes[`${req.method} ${req.url}`] || { status: 404, body: { error: { code: 'not_found', message: 'no' } } };
      if (Array.isArray(r)) r = r.length > 1 ? r.shift() : r[0];
      res.writeHead(r.status, { 'content-type': r.type || 'application/json', 'x-request-id': 'stub-1', ...(r.headers || {}) });
      res.end(typeof r.body === 'string' ? r.body : r.body === undefined ? '' : JSON.stringify(r.body));
    });
  });
  await new Promise((r) => stub.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${stub.address().port}`;
});
test.after(() => new Promise((r) => stub.close(r)));

const pair = (n) => ({
  access_token: `access-${n}`, token_type: 'Bearer', expires_in: 3600, refresh_token: `refresh-${n}`,
  refresh_expires_in: 2592000, user: { id: 7 }, new_user: false,
});
const err = (code, message = code) => ({ error: { code, message }, request_id: 'stub-1' });

// A client logged in through the stub with pair 1.
async function loggedIn(extra = {}) {
  routes = { 'POST /api/v1/auth/wechat/login': { status: 200, body: pair(1) }, ...extra };
  const storage = createFakeWx();
  let codes = 0;
  const client = createClient({ baseURL: base, storage, request: storage.request, login: ({ success }) => success({ code: `code-${++codes}` }) });
  await client.login();
  seen.length = 0;
  return { client, storage, codes: () => codes };
}

test('503 overloaded with Retry-After surfaces with retryAfter after one attempt', T, async () => {
  const { client } = await loggedIn({
    'GET /api/v1/users/me': { status: 503, headers: { 'retry-after': '2' }, body: err('overloaded') },
  });
  const e = await client.user().catch((x) => x);
  assert.ok(e instanceof WxLoginError);
  assert.deepEqual([e.status, e.code, e.retryAfter, e.requestId], [503, 'overloaded', 2, 'stub-1']);
  assert.equal(seen.length, 1);
  assert.equal(client.isLoggedIn(), true);
});

test('502 from a proxy that is not JSON: http_error, status kept, one attempt', T, async () => {
  const { client } = await loggedIn({
    'POST /api/v1/users/me/phone': { status: 502, type: 'text/html', headers: { 'retry-after': '30' }, body: '<html>bad gateway</html>' },
  });
  const e = await client.bindPhone({ detail: { code: 'p' } }).catch((x) => x);
  assert.deepEqual([e.status, e.code, e.retryAfter, e.wechatErrcode], [502, 'http_error', 30, null]);
  assert.equal(seen.length, 1);
});

test('403 account_disabled: loggedOut, pair cleared, no login again', T, async () => {
  const { client, storage, codes } = await loggedIn({
    'GET /api/v1/users/me': { status: 403, body: err('account_disabled') },
  });
  const events = recordEvents(client);
  await assert.rejects(client.user(), (e) => e.status === 403 && e.code === 'account_disabled');
  assert.deepEqual(events.map((e) => [e.type, e.reason]), [['loggedOut', 'account_disabled']]);
  assert.equal(storage.store.size, 0);
  assert.equal(codes(), 1);
});

test('a 403 forbidden (no role) does not log out', T, async () => {
  const { client } = await loggedIn({ 'GET /api/v1/admin/users/1': { status: 403, body: err('forbidden') } });
  await assert.rejects(client.request({ path: '/api/v1/admin/users/1' }), (e) => e.code === 'forbidden');
  assert.equal(client.isLoggedIn(), true);
});

test('deleteAccount() proves presence with a fresh wx.login code, then logs out', T, async () => {
  const { client, storage, codes } = await loggedIn({ 'DELETE /api/v1/users/me': { status: 204 } });
  const events = recordEvents(client);
  await client.deleteAccount();
  assert.deepEqual(seen, [{ method: 'DELETE', path: '/api/v1/users/me', auth: 'Bearer access-1', body: { code: 'code-2' } }]);
  assert.equal(codes(), 2);
  assert.equal(storage.store.size, 0);
  assert.deepEqual(events.map((e) => [e.type, e.reason]), [['loggedOut', 'account_deleted']]);
});

test('deleteAccount({password}) sends the password; a wrong one keeps the session', T, async () => {
  const { client } = await loggedIn({ 'DELETE /api/v1/users/me': { status: 401, body: err('invalid_credentials') } });
  await assert.rejects(client.deleteAccount({ password: 'nope nope' }), (e) => e.code === 'invalid_credentials');
  assert.deepEqual(seen.map((s) => s.body), [{ password: 'nope nope' }]);
  assert.equal(client.isLoggedIn(), true);
});

test('after a 401 token_expired a POST is sent again once, with the refreshed token', T, async () => {
  const { client } = await loggedIn({
    'POST /api/v1/auth/refresh': { status: 200, body: pair(2) },
    'POST /api/v1/users/me/phone': [{ status: 401, body: err('token_expired') }, { status: 200, body: { id: 7, phone: '1' } }],
  });
  assert.equal((await client.bindPhone('phone-code')).phone, '1');
  assert.deepEqual(seen.map((s) => `${s.method} ${s.path} ${s.auth || ''}`), [
    'POST /api/v1/users/me/phone Bearer access-1',
    'POST /api/v1/auth/refresh ',
    'POST /api/v1/users/me/phone Bearer access-2',
  ]);
  assert.deepEqual(seen[1].body, { refresh_token: 'refresh-1' });
  assert.deepEqual(seen[2].body, { code: 'phone-code' });
});

test('a second 401 token_expired after the retry is thrown, not looped', T, async () => {
  const { client } = await loggedIn({
    'POST /api/v1/auth/refresh': { status: 200, body: pair(2) },
    'GET /api/v1/users/me': { status: 401, body: err('token_expired') },
  });
  await assert.rejects(client.user(), (e) => e.code === 'token_expired');
  assert.deepEqual(seen.map((s) => s.path), ['/api/v1/users/me', '/api/v1/auth/refresh', '/api/v1/users/me']);
});

test('a silent re-login that WeChat refuses ends the session with the refresh reason', T, async () => {
  const { client, storage } = await loggedIn({
    'GET /api/v1/users/me': { status: 401, body: err('token_expired') },
    'POST /api/v1/auth/refresh': { status: 401, body: err('refresh_token_expired') },
  });
  routes['POST /api/v1/auth/wechat/login'] = { status: 502, body: { error: { code: 'wechat_unavailable', message: 'busy', wechat_errcode: -1 } } };
  const events = recordEvents(client);
  const e = await client.user().catch((x) => x);
  assert.deepEqual([e.status, e.code, e.wechatErrcode], [502, 'wechat_unavailable', -1]);
  assert.deepEqual(events.map((x) => [x.type, x.reason, x.error && x.error.code]), [['loggedOut', 'refresh_token_expired', 'wechat_unavailable']]);
  assert.equal(storage.store.size, 0);
  assert.deepEqual(seen.map((s) => s.path), ['/api/v1/users/me', '/api/v1/auth/refresh', '/api/v1/auth/wechat/login']);
});

test('deleteAccount() when not logged in: not_logged_in, and no wx.login code is spent', T, async () => {
  const storage = createFakeWx();
  let codes = 0;
  const client = createClient({ baseURL: base, storage, request: storage.request, login: ({ success }) => success({ code: `c${++codes}` }) });
  seen.length = 0;
  await assert.rejects(client.deleteAccount(), (e) => e.code === 'not_logged_in');
  assert.equal(codes, 0);
  assert.equal(seen.length, 0);
});

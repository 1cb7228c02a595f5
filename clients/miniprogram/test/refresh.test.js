'use strict';
// Single-flight refresh, silent re-login and remote logout against the real server (default TTLs).
const test = require('node:test');
const assert = require('node:assert/strict');
const { createClient, WxLoginError } = require('..');
const { startServer } = require('./helpers/server');
const { createFakeWx, adapters } = require('./helpers/fake-wx');
const { httpJson } = require('./helpers/http');
const { keyFor, storedPair, copyWithExpiringToken, recordEvents } = require('./helpers/session');

const REFRESH = '/api/v1/auth/refresh';
const T = { timeout: 20000 };
let server;

test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server.stop();
});

async function loggedInPhone() {
  const fake = createFakeWx({ simBase: server.simBase });
  const client = createClient({ baseURL: server.base, ...adapters(fake) });
  const { user } = await client.login();
  return { fake, client, user };
}

test('20 concurrent requests with an about-to-expire token make exactly one /auth/refresh', T, async () => {
  const first = await loggedInPhone();
  const oldRefresh = storedPair(first.fake, server.base).refresh_token;
  const phone = copyWithExpiringToken(first.fake, server.base, server.simBase);
  const client = createClient({ baseURL: server.base, ...adapters(phone) });
  const refreshesBefore = await server.requestCount(REFRESH);

  const users = await Promise.all(Array.from({ length: 20 }, () => client.user()));

  const refreshes = (await server.requestCount(REFRESH)) - refreshesBefore;
  console.log(`# /auth/refresh calls counted by the server (/metrics) for 20 concurrent requests: ${refreshes}`);
  assert.equal(refreshes, 1);
  assert.equal(phone.calls.requests.filter((r) => r.path === REFRESH).length, 1);
  assert.equal(users.length, 20);
  for (const u of users) assert.equal(u.id, first.user.id);
  // Every call waited for the refresh and used the new token; nothing logged in again.
  const fresh = storedPair(phone, server.base);
  assert.notEqual(fresh.refresh_token, oldRefresh);
  const gets = phone.calls.requests.filter((r) => r.path === '/api/v1/users/me');
  assert.equal(gets.length, 20);
  for (const r of gets) assert.equal(r.authorization, `Bearer ${fresh.access_token}`);
  assert.equal(phone.calls.login, 0);
  // The refresh token went to /auth/refresh and nowhere else.
  for (const r of phone.calls.requests) {
    const carries = [oldRefresh, fresh.refresh_token].some((t) => (r.body || '').includes(t) || (r.authorization || '').includes(t));
    assert.equal(carries, r.path === REFRESH, `${r.method} ${r.path}`);
  }
});

test('a refresh token spent elsewhere: one silent re-login through wx.login, same user id', T, async () => {
  const first = await loggedInPhone();
  const elsewhere = await httpJson('POST', `${server.base}${REFRESH}`, {
    body: { refresh_token: storedPair(first.fake, server.base).refresh_token },
  });
  assert.equal(elsewhere.status, 200);
  const phone = copyWithExpiringToken(first.fake, server.base, server.simBase);
  const client = createClient({ baseURL: server.base, ...adapters(phone) });
  const events = recordEvents(client);
  const loginsBefore = await server.requestCount('/api/v1/auth/wechat/login');

  const users = await Promise.all(Array.from({ length: 5 }, () => client.user()));

  for (const u of users) assert.equal(u.id, first.user.id);
  assert.equal(phone.calls.login, 1);
  assert.equal((await server.requestCount('/api/v1/auth/wechat/login')) - loginsBefore, 1);
  assert.deepEqual(phone.calls.requests.map((r) => `${r.method} ${r.path} ${r.status}`).slice(0, 2),
    [`POST ${REFRESH} 401`, 'POST /api/v1/auth/wechat/login 200']);
  assert.deepEqual(events.map((e) => [e.type, e.silent, e.newUser]), [['login', true, false]]);
  assert.ok(client.isLoggedIn());
  // The replay revoked the old session: the pair "elsewhere" is dead, ours is new.
  const dead = await httpJson('GET', `${server.base}/api/v1/users/me`, {
    headers: { authorization: `Bearer ${elsewhere.json.access_token}` },
  });
  assert.equal(dead.json.error.code, 'token_revoked');
});

test('a session logged out elsewhere: loggedOut event, storage cleared, no new login', T, async () => {
  const { fake, client } = await loggedInPhone();
  const events = recordEvents(client);
  const other = await httpJson('POST', `${server.base}/api/v1/auth/logout`, {
    headers: { authorization: `Bearer ${storedPair(fake, server.base).access_token}` },
  });
  assert.equal(other.status, 204);

  await assert.rejects(client.user(), (e) => e instanceof WxLoginError && e.status === 401 && e.code === 'token_revoked');

  assert.deepEqual(events.map((e) => [e.type, e.reason]), [['loggedOut', 'token_revoked']]);
  assert.equal(fake.store.has(keyFor(server.base)), false);
  assert.equal(client.isLoggedIn(), false);
  assert.equal(fake.calls.login, 1); // the first login only
  assert.equal(fake.calls.requests.filter((r) => r.path === REFRESH).length, 0);
  const before = fake.calls.requests.length;
  await assert.rejects(client.user(), (e) => e.code === 'not_logged_in' && e.status === 0);
  assert.equal(fake.calls.requests.length, before);
});

test('logged out elsewhere, noticed at refresh: refresh_token_invalid, loggedOut, no new login', T, async () => {
  const first = await loggedInPhone();
  const other = await httpJson('POST', `${server.base}/api/v1/auth/logout`, {
    headers: { authorization: `Bearer ${storedPair(first.fake, server.base).access_token}` },
  });
  assert.equal(other.status, 204);
  const phone = copyWithExpiringToken(first.fake, server.base, server.simBase);
  const client = createClient({ baseURL: server.base, ...adapters(phone) });
  const events = recordEvents(client);

  const results = await Promise.allSettled([client.user(), client.user(), client.updateProfile({ nickname: 'x' })]);

  for (const r of results) assert.equal(r.reason.code, 'refresh_token_invalid');
  assert.deepEqual(events.map((e) => [e.type, e.reason]), [['loggedOut', 'refresh_token_invalid']]);
  assert.equal(phone.calls.login, 0);
  assert.deepEqual(phone.calls.requests.map((r) => r.path), [REFRESH]);
  assert.equal(phone.store.size, 0);
});

test('logout revokes the session on the server and clears storage', T, async () => {
  const { fake, client } = await loggedInPhone();
  const events = recordEvents(client);
  const access = storedPair(fake, server.base).access_token;

  assert.equal(await client.logout(), true);

  assert.equal(fake.store.has(keyFor(server.base)), false);
  assert.equal(client.isLoggedIn(), false);
  assert.deepEqual(events.map((e) => [e.type, e.reason]), [['loggedOut', 'logout']]);
  const res = await httpJson('GET', `${server.base}/api/v1/users/me`, { headers: { authorization: `Bearer ${access}` } });
  assert.equal(res.json.error.code, 'token_revoked');
  assert.equal(await client.logout(), false); // nothing left to end; no request
  assert.equal(fake.calls.requests.filter((r) => r.path === '/api/v1/auth/logout').length, 1);
});

test('logoutAll ends the other devices of the user too', T, async () => {
  const a = await loggedInPhone();
  const bFake = createFakeWx({ simBase: server.simBase, openid: a.fake.openid });
  const b = createClient({ baseURL: server.base, ...adapters(bFake) });
  assert.equal((await b.login()).user.id, a.user.id);
  const bEvents = recordEvents(b);

  await a.client.logoutAll();

  assert.equal(a.client.isLoggedIn(), false);
  await assert.rejects(b.user(), (e) => e.code === 'token_revoked');
  assert.deepEqual(bEvents.map((e) => [e.type, e.reason]), [['loggedOut', 'token_revoked']]);
});

test('a password session never logs in again silently', T, async () => {
  const fake = createFakeWx({ simBase: server.simBase });
  const first = createClient({ baseURL: server.base, ...adapters(fake) });
  await first.register({ username: `pw${Date.now()}`, password: 'correct horse battery' });
  const spent = await httpJson('POST', `${server.base}${REFRESH}`, {
    body: { refresh_token: storedPair(fake, server.base).refresh_token },
  });
  assert.equal(spent.status, 200);
  const phone = copyWithExpiringToken(fake, server.base, server.simBase);
  const client = createClient({ baseURL: server.base, ...adapters(phone) });
  const events = recordEvents(client);

  await assert.rejects(client.user(), (e) => e.status === 401 && e.code === 'refresh_token_reused');

  assert.equal(phone.calls.login, 0);
  assert.deepEqual(events.map((e) => [e.type, e.reason]), [['loggedOut', 'refresh_token_reused']]);
  assert.equal(client.isLoggedIn(), false);
});

test('two clients on one storage share one pair and one refresh', T, async () => {
  const first = await loggedInPhone();
  const phone = copyWithExpiringToken(first.fake, server.base, server.simBase);
  const pageA = createClient({ baseURL: server.base, ...adapters(phone) });
  const pageB = createClient({ baseURL: server.base, ...adapters(phone) });

  await Promise.all([pageA.user(), pageB.user(), pageA.user(), pageB.user()]);

  assert.equal(phone.calls.requests.filter((r) => r.path === REFRESH).length, 1);
});

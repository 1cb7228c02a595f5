'use strict';
// First login, the current user, profile, phone, password accounts, the default `wx` adapters.
const test = require('node:test');
const assert = require('node:assert/strict');
const { createClient, WxLoginError } = require('..');
const { startServer } = require('./helpers/server');
const { createFakeWx, adapters } = require('./helpers/fake-wx');
const { keyFor, storedPair, recordEvents } = require('./helpers/session');

const T = { timeout: 20000 };
let server;

test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server.stop();
  delete globalThis.wx;
});

test('first login: a new user, the pair stored under the baseURL, tokens kept inside the SDK', T, async () => {
  const fake = createFakeWx({ simBase: server.simBase });
  const client = createClient({ baseURL: `${server.base}/`, ...adapters(fake) });
  const events = recordEvents(client);
  assert.equal(client.isLoggedIn(), false);

  const result = await client.login();

  assert.equal(result.newUser, true);
  assert.equal(result.user.wechat.openid, fake.openid);
  assert.deepEqual(Object.keys(result).sort(), ['newUser', 'user']);
  assert.equal(client.isLoggedIn(), true);
  const pair = storedPair(fake, server.base);
  assert.equal(pair.method, 'wechat');
  assert.match(pair.access_token, /^eyJ/);
  assert.ok(pair.refresh_token.length >= 43);
  assert.deepEqual(events.map((e) => [e.type, e.newUser, e.silent]), [['login', true, false]]);
  assert.deepEqual(fake.calls.requests.map((r) => `${r.method} ${r.path} ${r.status}`), ['POST /api/v1/auth/wechat/login 200']);

  const again = await client.login();
  assert.equal(again.newUser, false);
  assert.equal(again.user.id, result.user.id);
});

test('user() and updateProfile() send the Bearer token and return the User', T, async () => {
  const fake = createFakeWx({ simBase: server.simBase });
  const client = createClient({ baseURL: server.base, ...adapters(fake) });
  const { user } = await client.login();

  const me = await client.user();
  assert.equal(me.id, user.id);
  const last = fake.calls.requests.at(-1);
  assert.equal(last.authorization, `Bearer ${storedPair(fake, server.base).access_token}`);

  const updated = await client.updateProfile({ nickname: '小明', avatar_url: 'https://example.com/a.png' });
  assert.equal(updated.nickname, '小明');
  assert.equal(updated.avatar_url, 'https://example.com/a.png');
  const patch = fake.calls.requests.at(-1);
  assert.equal(`${patch.method} ${patch.path} ${patch.methodOverride}`, 'POST /api/v1/users/me PATCH',
    'wx.request has no PATCH: sent as a POST the server routes as PATCH');
  assert.equal((await client.user()).nickname, '小明');

  const bad = await client.updateProfile({ avatar_url: 'http://example.com/a.png' }).catch((e) => e);
  assert.ok(bad instanceof WxLoginError);
  assert.equal(bad.status, 400);
  assert.equal(bad.code, 'invalid_request');
  assert.deepEqual(bad.details, [{ field: 'avatar_url', reason: 'not_https_url' }]);
  assert.match(bad.requestId, /^[0-9a-f]{32}$/);
  assert.equal(bad.isNetworkError, false);
});

test('request() reaches other endpoints; auth:false sends no token', T, async () => {
  const fake = createFakeWx({ simBase: server.simBase });
  const client = createClient({ baseURL: server.base, ...adapters(fake) });
  await client.login();

  const health = await client.request({ path: '/healthz', auth: false });
  assert.deepEqual(health, { status: 'ok' });
  assert.equal(fake.calls.requests.at(-1).authorization, undefined);
  const me = await client.request({ url: `${server.base}/api/v1/users/me` });
  assert.equal(me.wechat.openid, fake.openid);
  assert.match(await client.accessToken(), /^eyJ/);
});

test('before any login: not_logged_in without a request; a call made during login waits for it', T, async () => {
  const fake = createFakeWx({ simBase: server.simBase });
  const client = createClient({ baseURL: server.base, ...adapters(fake) });
  await assert.rejects(client.user(), (e) => e instanceof WxLoginError && e.code === 'not_logged_in' && e.status === 0);
  assert.equal(fake.calls.requests.length, 0);

  const [login, me] = await Promise.all([client.login(), client.user()]);
  assert.equal(me.id, login.user.id);
  assert.equal(fake.calls.login, 1);
});

test('bindPhone takes the getPhoneNumber event; a denied button is phone_not_granted', T, async () => {
  const fake = createFakeWx({ simBase: server.simBase });
  const client = createClient({ baseURL: server.base, ...adapters(fake) });
  await client.login();
  const { code } = await server.sim('phone-code', { phone: '13800001111' });

  const user = await client.bindPhone({ detail: { code, errMsg: 'getPhoneNumber:ok' } });
  assert.equal(user.phone, '13800001111');

  const before = fake.calls.requests.length;
  await assert.rejects(client.bindPhone({ detail: { errMsg: 'getPhoneNumber:fail user deny' } }),
    (e) => e.code === 'phone_not_granted' && e.message === 'getPhoneNumber:fail user deny');
  assert.equal(fake.calls.requests.length, before);
});

test('password accounts: register, loginWithPassword, bindWechat', T, async () => {
  const fake = createFakeWx({ simBase: server.simBase });
  const client = createClient({ baseURL: server.base, ...adapters(fake) });
  const username = `alice${Date.now()}`;

  const reg = await client.register({ username, password: 'correct horse battery' });
  assert.equal(reg.newUser, true);
  assert.equal(storedPair(fake, server.base).method, 'password');
  await client.logout();
  const taken = await client.register({ username, password: 'correct horse battery' }).catch((e) => e);
  assert.equal(taken.code, 'username_taken');
  const wrong = await client.loginWithPassword({ username, password: 'wrong password!' }).catch((e) => e);
  assert.equal(wrong.status, 401);
  assert.equal(wrong.code, 'invalid_credentials');
  assert.equal(client.isLoggedIn(), false);

  const { user } = await client.loginWithPassword({ username: username.toUpperCase(), password: 'correct horse battery' });
  assert.equal(user.id, reg.user.id);
  const bound = await client.bindWechat();
  assert.equal(bound.wechat.openid, fake.openid);
  const viaWechat = await client.login();
  assert.equal(viaWechat.user.id, reg.user.id);
  assert.equal(storedPair(fake, server.base).method, 'wechat');
});

test('the default adapters are the wx global', T, async () => {
  const fake = createFakeWx({ simBase: server.simBase });
  globalThis.wx = fake;
  const client = createClient({ baseURL: server.base });
  const { user } = await client.login();
  assert.equal((await client.user()).id, user.id);
  assert.ok(fake.store.has(keyFor(server.base)));
  assert.equal(fake.calls.login, 1);
  delete globalThis.wx;
  assert.throws(() => createClient({ baseURL: server.base }), TypeError);
  assert.throws(() => createClient({ baseURL: 'localhost:8080', ...adapters(fake) }), TypeError);
});

test('pairs are stored per baseURL and appId', T, async () => {
  const fake = createFakeWx({ simBase: server.simBase });
  const a = createClient({ baseURL: server.base, ...adapters(fake) });
  const b = createClient({ baseURL: server.base, appId: 'wxdev0000000000001', ...adapters(fake) });
  await a.login();
  assert.equal(b.isLoggedIn(), false);
  const viaB = await b.login();
  assert.equal(viaB.user.wechat.app_id, 'wxdev0000000000001');
  assert.deepEqual([...fake.store.keys()].sort(), [keyFor(server.base), `${keyFor(server.base)}#wxdev0000000000001`]);
  await a.logout();
  assert.equal(b.isLoggedIn(), true);
});

'use strict';
// A server that is down: a network error after one attempt, the stored pair kept for when it is back.
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { createClient, WxLoginError } = require('..');
const { startServer } = require('./helpers/server');
const { createFakeWx, adapters } = require('./helpers/fake-wx');
const { storedPair, copyWithExpiringToken, recordEvents } = require('./helpers/session');

const T = { timeout: 20000 };

// A port with nothing listening: bound, then closed.
async function deadPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

test('the server goes down after login: network errors, one attempt each, the pair kept', T, async () => {
  const server = await startServer();
  const fake = createFakeWx({ simBase: server.simBase });
  const client = createClient({ baseURL: server.base, ...adapters(fake) });
  const events = recordEvents(client);
  await client.login();
  const expiring = copyWithExpiringToken(fake, server.base, server.simBase);
  const pair = structuredClone(storedPair(fake, server.base));
  await server.stop();
  fake.calls.requests.length = 0;

  const err = await client.user().catch((e) => e);
  assert.ok(err instanceof WxLoginError);
  assert.equal(err.status, 0);
  assert.equal(err.code, 'network_error');
  assert.equal(err.isNetworkError, true);
  assert.match(err.message, /^request:fail /);
  assert.deepEqual(fake.calls.requests.map((r) => r.path), ['/api/v1/users/me']);
  assert.deepEqual(storedPair(fake, server.base), pair);
  assert.equal(client.isLoggedIn(), true);

  // An early refresh that cannot reach the server falls back to the still valid token: one refresh
  // attempt, one request, no loop, nothing cleared.
  const other = createClient({ baseURL: server.base, ...adapters(expiring) });
  await assert.rejects(other.updateProfile({ nickname: 'n' }), (e) => e.isNetworkError);
  assert.deepEqual(expiring.calls.requests.map((r) => `${r.method} ${r.path}`),
    ['POST /api/v1/auth/refresh', 'POST /api/v1/users/me']);
  assert.equal(other.isLoggedIn(), true);
  assert.equal(await client.logout(), false); // local logout still works offline
  assert.equal(client.isLoggedIn(), false);
  assert.deepEqual(events.map((e) => [e.type, e.reason]), [['login', undefined], ['loggedOut', 'logout']]);
});

test('login against a server that is not there: one attempt, a network error', T, async () => {
  const fake = createFakeWx({ simBase: 'http://127.0.0.1:9' });
  const client = createClient({
    baseURL: `http://127.0.0.1:${await deadPort()}`,
    storage: fake,
    request: fake.request,
    login: ({ success }) => success({ code: 'a-code-from-wechat' }),
  });
  const err = await client.login().catch((e) => e);
  assert.equal(err.code, 'network_error');
  assert.equal(fake.calls.requests.length, 1);
  assert.equal(client.isLoggedIn(), false);
});

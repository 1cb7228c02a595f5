'use strict';
// Real expiry: a server with WXLOGIN_ACCESS_TTL=60 (its minimum), a minute waited out. Runs in parallel
// with the other files (test/run.js), so the suite takes about this long and no longer.
const test = require('node:test');
const assert = require('node:assert/strict');
const { createClient } = require('..');
const { startServer } = require('./helpers/server');
const { createFakeWx, adapters } = require('./helpers/fake-wx');
const { storedPair, copyWithExpiringToken } = require('./helpers/session');

const REFRESH = '/api/v1/auth/refresh';
let server;

test.before(async () => {
  server = await startServer({ env: { WXLOGIN_ACCESS_TTL: '60' } });
});
test.after(async () => {
  await server.stop();
});

const sleepUntil = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));
const expOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).exp;
const trace = (fake) => fake.calls.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

async function phone(refreshLeewaySeconds) {
  const fake = createFakeWx({ simBase: server.simBase });
  const client = createClient({ baseURL: server.base, refreshLeewaySeconds, ...adapters(fake) });
  const { user } = await client.login();
  fake.calls.requests.length = 0;
  return { fake, client, user };
}

test('expired access tokens: refreshed before the call when the phone knows, after a 401 when it does not', { timeout: 90000 }, async () => {
  const a = await phone(0); // leeway 0: refreshes only once its own clock says the token is over
  const b = await phone(undefined); // default leeway 60 s, capped at half of the 60 s lifetime
  const c = await phone(0);
  const d = await phone(0);
  assert.equal(storedPair(a.fake, server.base).expires_in, 60);

  // Half-way: B refreshes before its call (no 401), A still uses its token.
  await sleepUntil(storedPair(b.fake, server.base).access_expires_at - 29000);
  assert.equal((await b.client.user()).id, b.user.id);
  assert.deepEqual(trace(b.fake), [`POST ${REFRESH} 200`, 'GET /api/v1/users/me 200']);
  assert.equal((await a.client.user()).id, a.user.id);
  assert.deepEqual(trace(a.fake), ['GET /api/v1/users/me 200']);
  a.fake.calls.requests.length = 0;

  // Past the end of the tokens (`exp` is checked strictly, in whole seconds).
  const exp = Math.max(...[a, c, d].map((p) => expOf(storedPair(p.fake, server.base).access_token)));
  await sleepUntil(exp * 1000 + 1200);

  // A's clock says expired: refresh first, no 401.
  assert.equal((await a.client.user()).id, a.user.id);
  assert.deepEqual(trace(a.fake), [`POST ${REFRESH} 200`, 'GET /api/v1/users/me 200']);

  // D's phone clock is behind (it believes the token good for 10 more minutes): the server's 401
  // token_expired makes it refresh and send the call again.
  const dPhone = copyWithExpiringToken(d.fake, server.base, server.simBase, 600000);
  const dClient = createClient({ baseURL: server.base, refreshLeewaySeconds: 0, ...adapters(dPhone) });
  let before = await server.requestCount(REFRESH);
  assert.equal((await dClient.user()).id, d.user.id);
  assert.deepEqual(trace(dPhone), ['GET /api/v1/users/me 401', `POST ${REFRESH} 200`, 'GET /api/v1/users/me 200']);
  assert.equal((await server.requestCount(REFRESH)) - before, 1);
  assert.equal(dPhone.calls.login, 0);

  // 20 concurrent calls with a token only the server knows is expired: 20 answers 401, one refresh,
  // 20 retries.
  const cPhone = copyWithExpiringToken(c.fake, server.base, server.simBase, 600000);
  const cClient = createClient({ baseURL: server.base, refreshLeewaySeconds: 0, ...adapters(cPhone) });
  before = await server.requestCount(REFRESH);
  const users = await Promise.all(Array.from({ length: 20 }, () => cClient.user()));
  for (const u of users) assert.equal(u.id, c.user.id);
  const refreshes = (await server.requestCount(REFRESH)) - before;
  console.log(`# /auth/refresh calls counted by the server for 20 concurrent calls answered 401 token_expired: ${refreshes}`);
  assert.equal(refreshes, 1);
  const t = trace(cPhone);
  assert.equal(t.filter((x) => x === 'GET /api/v1/users/me 401').length, 20);
  assert.equal(t.filter((x) => x === `POST ${REFRESH} 200`).length, 1);
  assert.equal(t.filter((x) => x === 'GET /api/v1/users/me 200').length, 20);
  assert.equal(cPhone.calls.login, 0);
});

'use strict';
// WeChat failures injected in the simulator arrive as WxLoginError with the server's code and WeChat's
// errcode, after exactly one login request: the SDK never replays a code exchange.
const test = require('node:test');
const assert = require('node:assert/strict');
const { createClient, WxLoginError } = require('..');
const { startServer } = require('./helpers/server');
const { createFakeWx, adapters } = require('./helpers/fake-wx');

const T = { timeout: 20000 };
let server;

test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server.stop();
});

const cases = [
  { errcode: 40163, times: 1, status: 401, code: 'wechat_code_used', retryAfter: null },
  // -1 is retried once by the server, so both of its calls must fail.
  { errcode: -1, times: 2, status: 502, code: 'wechat_unavailable', retryAfter: null },
  { errcode: 45011, times: 1, status: 429, code: 'wechat_rate_limited', retryAfter: 60 },
];

for (const c of cases) {
  test(`WeChat errcode ${c.errcode} -> ${c.status} ${c.code}`, T, async () => {
    const fake = createFakeWx({ simBase: server.simBase });
    const client = createClient({ baseURL: server.base, ...adapters(fake) });
    const events = [];
    client.on('login', (e) => events.push(e));
    await server.sim('fail', { api: 'jscode2session', errcode: c.errcode, times: c.times });

    const err = await client.login().catch((e) => e);

    assert.ok(err instanceof WxLoginError, String(err));
    assert.equal(err.status, c.status);
    assert.equal(err.code, c.code);
    assert.equal(err.wechatErrcode, c.errcode);
    assert.equal(err.retryAfter, c.retryAfter);
    assert.match(err.requestId, /^[0-9a-f]{32}$/);
    assert.equal(err.isNetworkError, false);
    assert.equal(client.isLoggedIn(), false);
    assert.equal(fake.store.size, 0);
    assert.equal(events.length, 0);
    assert.equal(fake.calls.login, 1);
    assert.deepEqual(fake.calls.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
      [`POST /api/v1/auth/wechat/login ${c.status}`]);
    assert.equal((await server.sim('stats')).pending_faults, 0);

    const ok = await client.login(); // the next code works: nothing was left broken
    assert.equal(ok.newUser, true);
  });
}

test('wx.login failing on the phone is wx_login_failed, and nothing is sent', T, async () => {
  const requests = [];
  const client = createClient({
    baseURL: server.base,
    storage: createFakeWx({ simBase: server.simBase }),
    request: (o) => requests.push(o),
    login: ({ fail }) => fail({ errMsg: 'login:fail system error' }),
  });
  const err = await client.login().catch((e) => e);
  assert.ok(err instanceof WxLoginError);
  assert.equal(err.status, 0);
  assert.equal(err.code, 'wx_login_failed');
  assert.equal(err.message, 'login:fail system error');
  assert.equal(requests.length, 0);
});

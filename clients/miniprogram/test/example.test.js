'use strict';
// examples/miniprogram driven in Node: App/Page/getApp and `wx` faked, the example's own code unchanged,
// against the real server. What DevTools would show is in page.data.
const test = require('node:test');
const assert = require('node:assert/strict');
const Module = require('node:module');
const path = require('node:path');
const { startServer } = require('./helpers/server');
const { createFakeWx } = require('./helpers/fake-wx');

const EXAMPLE = path.resolve(__dirname, '../../../examples/miniprogram');
let server;

test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server.stop();
});

// Loads the example the way the mini-program runtime would: `require('wxlogin-miniprogram')` is the
// built npm package (here: this directory), App() and Page() register what the runtime calls.
function loadExample(baseURL) {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolve.call(this, request === 'wxlogin-miniprogram' ? path.resolve(__dirname, '..') : request, ...rest);
  };
  let app;
  let page;
  globalThis.wx = createFakeWx({ simBase: `${baseURL}/wechat-sim` });
  globalThis.App = (def) => (app = def);
  globalThis.getApp = () => app;
  globalThis.Page = (def) => {
    page = { ...def, data: { ...def.data } };
    page.setData = (patch) => Object.assign(page.data, patch);
  };
  try {
    require(path.join(EXAMPLE, 'config.js')).baseURL = baseURL;
    require(path.join(EXAMPLE, 'app.js'));
    app.onLaunch();
    require(path.join(EXAMPLE, 'pages/index/index.js'));
  } finally {
    Module._resolveFilename = resolve;
  }
  return { app, page, wx: globalThis.wx };
}

test('the example page: launch login, show user, phone number, log out, log in again', { timeout: 20000 }, async () => {
  const { app, page, wx } = loadExample(server.base);
  page.onLoad();
  page.onShow(); // the launch login may still run: the user call waits for it
  await page.loadUser();
  const id = page.data.user.id;
  assert.ok(id > 0, JSON.stringify(page.data));
  assert.equal(page.data.status, '');

  await page.onPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail no permission' } }); // DevTools' tourist appid
  assert.equal(page.data.user.phone, '13800001111');

  await page.onLogout();
  assert.equal(page.data.user, null);
  assert.equal(page.data.status, 'logged out (logout)');
  assert.equal(app.globalData.loggedOutReason, 'logout');
  assert.equal(app.auth.isLoggedIn(), false);

  await page.onLogin();
  assert.equal(page.data.user.id, id); // the same simulated WeChat user
  assert.equal(page.data.busy, false);
  assert.ok([...wx.store.keys()].includes(`wxlogin:${server.base}`));
  page.onUnload();
});

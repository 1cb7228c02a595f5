'use strict';
// A small `wx` for Node: wx.login mints a code from the simulator's control API (one WeChat user per
// fake, like one phone), wx.request goes over real HTTP with wx's callback shape, storage is in memory.
// Every request is recorded so that tests can count what the SDK really sent. Like the real wx.request it
// refuses PATCH, which is not in WeChat's method list (the SDK sends it as a POST with a method override).
const http = require('node:http');
const { httpJson } = require('./http');

// What wx.request accepts (developers.weixin.qq.com, wx.request `method`).
const WX_METHODS = new Set(['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT']);

function createFakeWx({ simBase, openid = null, appId, timeoutMs = 5000 } = {}) {
  const store = new Map();
  const calls = { login: 0, requests: [] };
  let currentOpenid = openid;

  const fake = {
    calls,
    store,
    get openid() {
      return currentOpenid;
    },
    getStorageSync: (key) => (store.has(key) ? structuredClone(store.get(key)) : ''),
    setStorageSync: (key, value) => void store.set(key, structuredClone(value)),
    removeStorageSync: (key) => void store.delete(key),

    login({ success, fail, timeout } = {}) {
      calls.login++;
      const body = {};
      if (currentOpenid) body.openid = currentOpenid;
      if (appId) body.app_id = appId;
      httpJson('POST', `${simBase}/control/login-code`, { body, timeoutMs: timeout || timeoutMs })
        .then((res) => {
          if (res.status !== 200) throw new Error(`login-code ${res.status}`);
          currentOpenid = res.json.openid;
          success && success({ code: res.json.code, errMsg: 'login:ok' });
        })
        .catch((e) => fail && fail({ errMsg: `login:fail ${e.message}` }));
    },

    request({ url, method = 'GET', data, header = {}, timeout, success, fail }) {
      if (!WX_METHODS.has(method)) {
        fail && fail({ errMsg: `request:fail invalid method ${method}` });
        return;
      }
      const record = {
        method,
        path: new URL(url).pathname,
        status: null,
        authorization: header.Authorization,
        methodOverride: header['X-HTTP-Method-Override'],
      };
      calls.requests.push(record);
      let target = url;
      let payload;
      if (data !== undefined && method === 'GET') {
        target += (url.includes('?') ? '&' : '?') + new URLSearchParams(data).toString();
      } else if (data !== undefined) {
        payload = typeof data === 'string' ? data : JSON.stringify(data);
      }
      record.body = payload;
      const headers = { ...header };
      if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload);
      const limit = timeout || timeoutMs;
      const req = http.request(target, { method, headers, timeout: limit }, (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text; // dataType 'json': parsed when it parses, else the text, as wx does
          try {
            parsed = JSON.parse(text);
          } catch {
            /* keep the text */
          }
          record.status = res.statusCode;
          success && success({ statusCode: res.statusCode, data: parsed, header: res.headers, errMsg: 'request:ok' });
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        record.error = e.message;
        fail && fail({ errMsg: `request:fail ${e.message}` });
      });
      req.end(payload);
    },
  };
  return fake;
}

// Adapters for createClient from a fake (or from the real `wx`: the same three names).
function adapters(fake) {
  return { storage: fake, request: fake.request, login: fake.login };
}

module.exports = { createFakeWx, adapters };

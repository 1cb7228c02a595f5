'use strict';
// wxlogin client for WeChat mini-programs (and Taro / uni-app / Node through adapters).
// CommonJS with no dependencies, so that WeChat DevTools' "build npm" and a plain require both work.
//
// The rule this file exists for: wxlogin rotates refresh tokens strictly and a second use of one revokes
// the whole session, so at most one refresh may be in flight per stored token pair. Every caller that
// needs a fresh token waits on that one promise. ES2015 syntax only (no async/await, ?. or ??), so that
// old base libraries run it without DevTools' transforms.

var REFRESH_PATH = '/api/v1/auth/refresh';

class WxLoginError extends Error {
  // status 0 means the server gave no HTTP answer (network_error) or the SDK stopped before asking it
  // (not_logged_in, wx_login_failed, phone_not_granted).
  constructor(status, code, message, extra) {
    super(message);
    var x = extra || {};
    this.name = 'WxLoginError';
    this.status = status;
    this.code = code;
    this.wechatErrcode = typeof x.wechatErrcode === 'number' ? x.wechatErrcode : null;
    this.requestId = x.requestId || null;
    this.retryAfter = typeof x.retryAfter === 'number' ? x.retryAfter : null;
    this.details = x.details || null;
  }
  get isNetworkError() {
    return this.code === 'network_error';
  }
}

// Sessions are shared by every client on the same storage and key, so that two pages that each call
// createClient() still hold one pair and one refresh in flight between them.
var sessionsByStorage = new WeakMap();

function sessionFor(storageObject, key) {
  var byKey = sessionsByStorage.get(storageObject);
  if (!byKey) sessionsByStorage.set(storageObject, (byKey = new Map()));
  var s = byKey.get(key);
  if (!s) {
    s = { pair: loadPair(storageObject, key), refreshing: null, loggingIn: null, listeners: { login: [], loggedOut: [] } };
    byKey.set(key, s);
  }
  return s;
}

function loadPair(storage, key) {
  var p;
  try {
    p = storage.getStorageSync(key);
  } catch (e) {
    return null;
  }
  if (p && typeof p === 'string') {
    try {
      p = JSON.parse(p);
    } catch (e) {
      return null;
    }
  }
  var ok = p && p.v === 1 && typeof p.access_token === 'string' && typeof p.refresh_token === 'string';
  return ok ? p : null;
}

function globalWx() {
  return typeof wx !== 'undefined' ? wx : null; // eslint-disable-line no-undef
}

function createClient(options) {
  var o = options || {};
  if (typeof o.baseURL !== 'string' || !/^https?:\/\//.test(o.baseURL)) {
    throw new TypeError('createClient: baseURL must be an http(s) URL');
  }
  var w = globalWx();
  var storage = o.storage || w;
  var requestFn = o.request || (w && w.request);
  var loginFn = o.login || (w && w.login);
  if (!storage || typeof storage.getStorageSync !== 'function' || typeof requestFn !== 'function') {
    throw new TypeError('createClient: no wx global; pass storage and request adapters');
  }
  var base = o.baseURL.replace(/\/+$/, '');
  var c = {
    base: base,
    appId: o.appId || null,
    leeway: typeof o.refreshLeewaySeconds === 'number' ? o.refreshLeewaySeconds : 60,
    timeout: o.timeout,
    storage: storage,
    requestFn: requestFn,
    loginFn: typeof loginFn === 'function' ? loginFn : null,
    key: 'wxlogin:' + base + (o.appId ? '#' + o.appId : ''),
  };
  c.s = sessionFor(storage, c.key);
  return makeApi(c);
}

function makeApi(c) {
  var withApp = function (body) {
    if (c.appId) body.app_id = c.appId;
    return body;
  };
  var api = {
    login: function () {
      return wechatLogin(c, false).then(publicResult);
    },
    register: function (fields) {
      return passwordLogin(c, '/api/v1/auth/register', fields);
    },
    loginWithPassword: function (fields) {
      return passwordLogin(c, '/api/v1/auth/login', fields);
    },
    request: function (opts) {
      return opts && opts.auth === false ? call(c, opts) : authed(c, opts || {}, true);
    },
    accessToken: function () {
      return currentPair(c, true).then(function (p) {
        return p.access_token;
      });
    },
    user: function () {
      return authed(c, { path: '/api/v1/users/me' }, true);
    },
    updateProfile: function (fields) {
      return authed(c, { method: 'PATCH', path: '/api/v1/users/me', data: fields || {} }, true);
    },
    bindPhone: function (detail) {
      return Promise.resolve(detail).then(function (d) {
        return authed(c, { method: 'POST', path: '/api/v1/users/me/phone', data: withApp(phoneBody(d)) }, true);
      });
    },
    bindWechat: function () {
      return loggedInFirst(c).then(function () {
        return wxCode(c);
      }).then(function (code) {
        return authed(c, { method: 'POST', path: '/api/v1/users/me/wechat', data: withApp({ code: code }) }, true);
      });
    },
    logout: function () {
      return endOnServer(c, '/api/v1/auth/logout', 'logout', false);
    },
    logoutAll: function () {
      return endOnServer(c, '/api/v1/auth/logout-all', 'logout_all', true);
    },
    deleteAccount: function (proof) {
      return loggedInFirst(c).then(function () {
        // Presence is proven with the password, or else with a fresh code (not spent when not logged in).
        if (proof && typeof proof.password === 'string') return { password: proof.password };
        return wxCode(c).then(function (code) {
          return withApp({ code: code });
        });
      }).then(function (body) {
        var from = c.s.pair;
        return authed(c, { method: 'DELETE', path: '/api/v1/users/me', data: body }, true).then(function () {
          endSession(c, c.s.pair || from, 'account_deleted');
        });
      });
    },
    isLoggedIn: function () {
      return !!c.s.pair;
    },
    on: function (event, fn) {
      var list = c.s.listeners[event];
      if (!list) throw new TypeError('unknown event ' + event);
      list.push(fn);
      return function off() {
        var i = list.indexOf(fn);
        if (i >= 0) list.splice(i, 1);
      };
    },
  };
  return api;
}

function loggedInFirst(c) {
  return currentPair(c, true).then(function () {});
}

function publicResult(body) {
  return { user: body.user, newUser: !!body.new_user };
}

function phoneBody(detail) {
  if (typeof detail === 'string' && detail) return { code: detail };
  var d = detail && detail.detail ? detail.detail : detail; // the whole event or its detail
  if (d && typeof d.code === 'string' && d.code) return { code: d.code };
  if (d && d.encryptedData && d.iv) return { encrypted_data: d.encryptedData, iv: d.iv };
  throw new WxLoginError(0, 'phone_not_granted', (d && d.errMsg) || 'getPhoneNumber gave no code');
}

// ---- HTTP ----------------------------------------------------------------------------------------

function headerValue(headers, name) {
  if (!headers) return undefined;
  for (var k in headers) if (k.toLowerCase() === name) return headers[k];
  return undefined;
}

function retryAfterSeconds(v) {
  if (v === undefined || v === null || v === '') return null;
  var n = Number(v);
  if (isFinite(n)) return Math.max(0, n);
  var t = Date.parse(v);
  return isNaN(t) ? null : Math.max(0, Math.ceil((t - Date.now()) / 1000));
}

// One HTTP exchange through the adapter; resolves to {status, body, headers} for any HTTP answer and
// rejects only when there was none.
function send(c, opts, bearer) {
  var method = (opts.method || 'GET').toUpperCase();
  var url = /^https?:\/\//.test(opts.url || '') ? opts.url : c.base + (opts.path || opts.url || '');
  var header = Object.assign({}, opts.header || {});
  if (method === 'PATCH') {
    // wx.request has no PATCH; wxlogin routes a POST with this header as PATCH.
    method = 'POST';
    header['X-HTTP-Method-Override'] = 'PATCH';
  }
  if (bearer) header.Authorization = 'Bearer ' + bearer;
  var hasBody = opts.data !== undefined && method !== 'GET';
  if (hasBody && !headerValue(header, 'content-type')) header['Content-Type'] = 'application/json';
  return new Promise(function (resolve, reject) {
    var req = {
      url: url,
      method: method,
      header: header,
      dataType: 'json',
      success: function (res) {
        var body = res.data;
        if (typeof body === 'string' && body) {
          try {
            body = JSON.parse(body);
          } catch (e) {
            /* not JSON: keep the text */
          }
        }
        resolve({ status: res.statusCode, body: body === '' ? undefined : body, headers: res.header || res.headers });
      },
      fail: function (err) {
        reject(new WxLoginError(0, 'network_error', (err && err.errMsg) || 'request failed'));
      },
    };
    if (opts.data !== undefined && (hasBody || method === 'GET')) req.data = opts.data;
    var timeout = opts.timeout || c.timeout;
    if (timeout) req.timeout = timeout;
    c.requestFn(req);
  });
}

function apiError(res) {
  var b = res.body && typeof res.body === 'object' ? res.body : {};
  var e = b.error && typeof b.error === 'object' ? b.error : {};
  return new WxLoginError(res.status, typeof e.code === 'string' ? e.code : 'http_error',
    typeof e.message === 'string' ? e.message : 'HTTP ' + res.status, {
      wechatErrcode: e.wechat_errcode,
      requestId: b.request_id || headerValue(res.headers, 'x-request-id'),
      retryAfter: retryAfterSeconds(headerValue(res.headers, 'retry-after')),
      details: e.details,
    });
}

function ok(res) {
  if (res.status >= 200 && res.status < 300) return res.body;
  throw apiError(res);
}

function call(c, opts) {
  return send(c, opts, null).then(ok);
}

// ---- the token pair ------------------------------------------------------------------------------

function savePair(c, body, method) {
  var now = Date.now();
  var p = {
    v: 1,
    method: method,
    access_token: body.access_token,
    expires_in: body.expires_in,
    access_expires_at: now + body.expires_in * 1000,
    refresh_token: body.refresh_token,
    refresh_expires_at: now + body.refresh_expires_in * 1000,
  };
  c.s.pair = p;
  try {
    c.storage.setStorageSync(c.key, p);
  } catch (e) {
    // A full storage must not fail a login that succeeded: the pair lives on in memory until restart.
  }
  return p;
}

// Clears the stored pair only if it is still `from`: a late answer for an old pair must not log out a
// newer login.
function endSession(c, from, reason, error) {
  if (!from || c.s.pair !== from) return;
  c.s.pair = null;
  try {
    c.storage.removeStorageSync(c.key);
  } catch (e) {
    /* nothing better to do: the in-memory pair is gone */
  }
  emit(c, 'loggedOut', { reason: reason, error: error });
}

function emit(c, event, payload) {
  c.s.listeners[event].slice().forEach(function (fn) {
    try {
      fn(payload);
    } catch (err) {
      setTimeout(function () {
        throw err; // a listener's bug surfaces in the app's error handler, not in our request flow
      });
    }
  });
}

function nearExpiry(c, p) {
  // Never more than half the lifetime early, so a short WXLOGIN_ACCESS_TTL does not refresh every call.
  var leeway = Math.min(c.leeway, (p.expires_in || 0) / 2) * 1000;
  return Date.now() >= p.access_expires_at - leeway;
}

// The pair to use now: waits for a login or refresh in flight, and refreshes first when the access
// token is within the leeway of its expiry.
function currentPair(c, relogin) {
  var s = c.s;
  if (s.loggingIn) return s.loggingIn.then(function () { return currentPair(c, relogin); }, function (e) {
    if (s.pair) return currentPair(c, relogin);
    throw e;
  });
  if (s.refreshing) return s.refreshing;
  var p = s.pair;
  if (!p) return Promise.reject(new WxLoginError(0, 'not_logged_in', 'not logged in'));
  if (!nearExpiry(c, p)) return Promise.resolve(p);
  return refresh(c, p, relogin).catch(function (e) {
    // An early refresh that found no working server: the token has not expired yet, so use it.
    var transient = e.status === 0 || e.status >= 500;
    if (transient && s.pair === p && Date.now() < p.access_expires_at) return p;
    throw e;
  });
}

// Single flight: one POST /auth/refresh for the pair `from`, shared by every caller.
function refresh(c, from, relogin) {
  var s = c.s;
  if (s.refreshing) return s.refreshing;
  if (s.pair !== from) return currentPair(c, relogin); // someone refreshed or logged in meanwhile
  s.refreshing = doRefresh(c, from, relogin);
  var clear = function () {
    s.refreshing = null;
  };
  s.refreshing.then(clear, clear);
  return s.refreshing;
}

function doRefresh(c, from, relogin) {
  var req = { method: 'POST', path: REFRESH_PATH, data: { refresh_token: from.refresh_token } };
  return send(c, req, null).then(function (res) {
    if (res.status === 200) return c.s.pair === from ? savePair(c, res.body, from.method) : c.s.pair;
    var err = apiError(res);
    if (res.status !== 401) throw err; // 5xx / 429: the session may well be fine; surface it
    var natural = err.code === 'refresh_token_expired' || err.code === 'refresh_token_reused';
    if (natural && relogin && from.method === 'wechat' && c.loginFn) {
      return wechatLogin(c, true).then(function () {
        return c.s.pair;
      }, function (loginErr) {
        endSession(c, from, loginErr.code === 'account_disabled' ? loginErr.code : err.code, loginErr);
        throw loginErr;
      });
    }
    endSession(c, from, err.code, err);
    throw err;
  });
}

// An authenticated call: Bearer attached; after a 401 token_expired (the auth check ran before the
// handler, so nothing happened yet) one refresh and one retry.
function authed(c, opts, relogin, retried) {
  return currentPair(c, relogin).then(function (p) {
    return send(c, opts, p.access_token).then(function (res) {
      if (res.status !== 401 && res.status !== 403) return ok(res);
      var err = apiError(res);
      if (err.code === 'token_expired' && !retried) {
        return refresh(c, p, relogin).then(function () {
          return authed(c, opts, relogin, true);
        });
      }
      if (err.code === 'token_revoked' || err.code === 'account_disabled') endSession(c, p, err.code, err);
      throw err;
    });
  });
}

// ---- logins --------------------------------------------------------------------------------------

function wxCode(c) {
  return new Promise(function (resolve, reject) {
    if (!c.loginFn) throw new WxLoginError(0, 'wx_login_failed', 'no wx.login available; pass options.login');
    var failed = function (r) {
      reject(new WxLoginError(0, 'wx_login_failed', (r && r.errMsg) || 'wx.login failed'));
    };
    c.loginFn({
      timeout: c.timeout,
      success: function (r) {
        if (r && typeof r.code === 'string' && r.code) resolve(r.code);
        else failed(r);
      },
      fail: failed,
    });
  });
}

// wx.login -> /auth/wechat/login, single flight: an explicit login() and a silent re-login share one.
function wechatLogin(c, silent) {
  var s = c.s;
  if (s.loggingIn) return s.loggingIn;
  var before = s.pair;
  s.loggingIn = wxCode(c).then(function (code) {
    var body = { code: code };
    if (c.appId) body.app_id = c.appId;
    return send(c, { method: 'POST', path: '/api/v1/auth/wechat/login', data: body }, null);
  }).then(function (res) {
    if (res.status === 403 && !silent && apiError(res).code === 'account_disabled') {
      endSession(c, before, 'account_disabled', apiError(res));
    }
    var tokens = ok(res);
    savePair(c, tokens, 'wechat');
    emit(c, 'login', { user: tokens.user, newUser: !!tokens.new_user, method: 'wechat', silent: silent });
    return tokens;
  });
  var clear = function () {
    s.loggingIn = null;
  };
  s.loggingIn.then(clear, clear);
  return s.loggingIn;
}

function passwordLogin(c, path, fields) {
  return call(c, { method: 'POST', path: path, data: fields || {} }).then(function (tokens) {
    savePair(c, tokens, 'password');
    emit(c, 'login', { user: tokens.user, newUser: !!tokens.new_user, method: 'password', silent: false });
    return publicResult(tokens);
  });
}

// logout / logout-all. logout always ends the local session (resolving true when the server confirmed
// it); logout-all throws when the server did not confirm, because the user expects other devices gone.
function endOnServer(c, path, reason, mustConfirm) {
  var from = c.s.pair;
  if (!from) return mustConfirm ? Promise.reject(new WxLoginError(0, 'not_logged_in', 'not logged in')) :
    Promise.resolve(false);
  return authed(c, { method: 'POST', path: path }, false).then(function () {
    endSession(c, c.s.pair || from, reason);
    return true;
  }, function (err) {
    if (mustConfirm) throw err;
    endSession(c, c.s.pair || from, reason, err);
    return false;
  });
}

module.exports = { createClient: createClient, WxLoginError: WxLoginError };

// Stand-ins for what WeChat gives a real phone, from the simulator's control API (serve --dev only).
const config = require('./config');

const OPENID_KEY = 'wxlogin-example:sim-openid';

function post(path, data) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: `${config.baseURL}/wechat-sim/control/${path}`,
      method: 'POST',
      header: { 'Content-Type': 'application/json' },
      data,
      success: (res) => (res.statusCode === 200 ? resolve(res.data) : reject(new Error(`simulator ${path}: ${res.statusCode}`))),
      fail: reject,
    });
  });
}

// Shaped like wx.login; the same simulated WeChat user on every launch.
function login({ success, fail }) {
  const openid = wx.getStorageSync(OPENID_KEY);
  post('login-code', openid ? { openid } : {})
    .then((r) => {
      wx.setStorageSync(OPENID_KEY, r.openid);
      success({ code: r.code, errMsg: 'login:ok' });
    })
    .catch((e) => fail({ errMsg: `login:fail ${e.message || e.errMsg}` }));
}

// What the getPhoneNumber button would hand over for this number.
function phoneCode(phone) {
  return post('phone-code', { phone }).then((r) => r.code);
}

module.exports = { login, phoneCode };

const config = require('../../config');
const sim = require('../../sim');

const auth = () => getApp().auth;
const describe = (e) => (e && e.code ? `${e.code}${e.wechatErrcode !== null && e.wechatErrcode !== undefined ? ` (WeChat ${e.wechatErrcode})` : ''}: ${e.message}` : String(e));

Page({
  data: { user: null, status: '', busy: false },

  onLoad() {
    // Calls made while the app's launch login is still running wait for it.
    this.offLoggedOut = auth().on('loggedOut', ({ reason }) => this.setData({ user: null, status: `logged out (${reason})` }));
  },
  onShow() {
    if (auth().isLoggedIn()) this.loadUser();
  },
  onUnload() {
    this.offLoggedOut();
  },

  run(label, work) {
    this.setData({ busy: true, status: `${label}…` });
    return work()
      .then((user) => this.setData({ user, status: '' }))
      .catch((e) => this.setData({ status: `${label} failed: ${describe(e)}` }))
      .then(() => this.setData({ busy: false }));
  },

  loadUser() {
    return this.run('loading user', () => auth().user());
  },
  onLogin() {
    return this.run('logging in', () => auth().login().then((r) => r.user));
  },
  // <button open-type="getPhoneNumber">: the event's code goes to wxlogin, which asks WeChat for the number.
  onPhoneNumber(e) {
    if (!config.simulator && !e.detail.code) return this.setData({ status: `no phone number: ${e.detail.errMsg}` });
    const code = config.simulator ? sim.phoneCode('13800001111') : Promise.resolve(e.detail);
    return this.run('binding phone', () => code.then((c) => auth().bindPhone(c)));
  },
  // logout() never fails: it always ends the local session, and the loggedOut listener shows it.
  onLogout() {
    this.setData({ busy: true });
    return auth().logout().then(() => this.setData({ busy: false }));
  },
});

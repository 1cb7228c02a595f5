const { createClient } = require('wxlogin-miniprogram');
const config = require('./config');
const sim = require('./sim');

App({
  onLaunch() {
    // One client for the whole app: it owns the token pair and the single refresh in flight.
    this.auth = createClient({ baseURL: config.baseURL, login: config.simulator ? sim.login : undefined });
    this.auth.on('loggedOut', ({ reason }) => {
      // Logged out elsewhere, session revoked, account disabled: no silent login, the user decides.
      this.globalData.loggedOutReason = reason;
    });
    if (!this.auth.isLoggedIn()) this.auth.login().catch((e) => console.warn('login failed', e.code));
  },
  globalData: { loggedOutReason: '' },
});

// Where this example's wxlogin runs. `scripts/run` serves `wxlogin serve --dev` on 127.0.0.1:8080 with
// the WeChat simulator under /wechat-sim. With `simulator: true` the example asks the simulator for
// login and phone codes (DevTools' own codes come from real WeChat, which the simulator does not know);
// set it to false, and baseURL to your HTTPS server, for a wxlogin that talks to real WeChat.
module.exports = {
  baseURL: 'http://127.0.0.1:8080',
  simulator: true,
};

'use strict';
// Starts the real `wxlogin serve --dev` (embedded WeChat simulator) on a free 127.0.0.1 port with a
// SQLite file in a temp dir. WXLOGIN_BIN picks the binary; scripts/test uses build/wxlogin.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { httpJson } = require('./http');

const DEFAULT_BIN = path.resolve(__dirname, '../../../../build/wxlogin');
const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function startServer({ env = {}, startTimeoutMs = 10000 } = {}) {
  const bin = process.env.WXLOGIN_BIN || DEFAULT_BIN;
  if (!fs.existsSync(bin)) throw new Error(`wxlogin binary not found at ${bin} (build it, or set WXLOGIN_BIN)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxlogin-sdk-'));
  const child = spawn(bin, ['serve', '--dev'], {
    env: {
      ...process.env,
      WXLOGIN_LISTEN: '127.0.0.1:0',
      WXLOGIN_DATABASE_URL: `sqlite://${path.join(dir, 'wx.db')}`,
      WXLOGIN_PASSWORD_MEMLIMIT_KIB: '19456', // the minimum: password tests need no 32 MiB hashes
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let log = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => live.delete(child));

  // The port: from the `listening` line, or from the simulator's dev warning (written at once, while
  // info lines are batched for up to a second).
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wxlogin did not start in ${startTimeoutMs} ms:\n${log}`)), startTimeoutMs);
    child.stderr.on('data', (d) => {
      log = (log + d.toString()).slice(-20000);
      const m = /listening .*port=(\d+)/.exec(log) || /api_base=http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`wxlogin exited (${code ?? signal}) before listening:\n${log}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base, startTimeoutMs);

  const server = {
    base,
    port,
    simBase: `${base}/wechat-sim`,
    log: () => log,
    sim: async (what, body) => {
      const res = await httpJson(body === undefined ? 'GET' : 'POST', `${base}/wechat-sim/control/${what}`, { body });
      if (res.status !== 200) throw new Error(`simulator ${what}: ${res.status} ${res.text}`);
      return res.json;
    },
    // Requests answered for a route template, summed over methods and status classes, from /metrics.
    requestCount: async (route) => {
      const res = await httpJson('GET', `${base}/metrics`);
      let n = 0;
      for (const line of res.text.split('\n')) {
        if (line.startsWith(`wxlogin_http_requests_total{route="${route}",`)) n += Number(line.split(' ').pop());
      }
      return n;
    },
    stop: async () => {
      if (live.has(child)) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

async function waitHealthy(base, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await httpJson('GET', `${base}/healthz`, { timeoutMs: 1000 });
      if (res.status === 200) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${base}/healthz not ready in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

module.exports = { startServer };

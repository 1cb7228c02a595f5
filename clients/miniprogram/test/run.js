'use strict';
// Runs every test file with `node --test`, the files in parallel: the access-token expiry test waits out
// a real minute and must not add it to the others. --test-concurrency exists from Node 18.19 / 20.10;
// where it does not, the runner's default applies. A hard deadline ends a suite that hangs anyway.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const dir = __dirname;
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(dir, f));
const args = ['--test', '--test-reporter=spec'];
if (spawnSync(process.execPath, ['--test-concurrency=1', '-e', '']).status === 0) {
  args.push(`--test-concurrency=${files.length}`);
}
const child = spawn(process.execPath, [...args, ...files], { stdio: 'inherit' });
const deadline = setTimeout(() => {
  console.error('SDK tests: still running after 180 s; stopping them');
  child.kill('SIGKILL');
}, 180000);
child.on('exit', (code, signal) => {
  clearTimeout(deadline);
  process.exit(code === null ? 1 : code);
});

'use strict';
// Test access to what the SDK keeps in storage (its own format: see savePair in index.js).
const { createFakeWx } = require('./fake-wx');

const keyFor = (base) => `wxlogin:${base}`;

function storedPair(fake, base) {
  return fake.store.get(keyFor(base));
}

// The same phone's storage restored elsewhere, or read later: a new fake for the same WeChat user whose
// stored pair is a copy of `fake`'s, with the access token `expiresInMs` from its end (so that the
// SDK's leeway calls it about to expire) while the server still accepts it.
function copyWithExpiringToken(fake, base, simBase, expiresInMs = 5000) {
  const copy = createFakeWx({ simBase, openid: fake.openid });
  const pair = structuredClone(storedPair(fake, base));
  pair.access_expires_at = Date.now() + expiresInMs;
  copy.store.set(keyFor(base), pair);
  return copy;
}

// Collects a client's events.
function recordEvents(client) {
  const events = [];
  client.on('login', (e) => events.push({ type: 'login', ...e }));
  client.on('loggedOut', (e) => events.push({ type: 'loggedOut', ...e }));
  return events;
}

module.exports = { keyFor, storedPair, copyWithExpiringToken, recordEvents };

'use strict';
// A local APNs provider API for the tests: HTTP/2 without TLS (h2c, prior knowledge) that checks a request as Apple
// does and answers in Apple's words (facts: /work/shared/research/push-protocols.md section C2; where Apple's answer
// is unknown the peer's choice is marked "peer's choice"). Node built-ins only.
// Usage: node apns-peer.js; the control API (HTTP/1.1) listens on a free 127.0.0.1 port, printed as "LISTENING <port>"
// (the only line on stdout); the APNs port is in GET /_control/info. Exits when stdin closes. Nothing is logged per
// request. Built for throughput: verified JWTs are cached by their text, records are kept for the last `keep` only.
//
// The peer clock (real unless set; frozen at a set time until advanced, or running on from it) is what token ages are
// measured with, so tests can use a fake clock in the app and set the peer's to the same time.
//
// POST /3/device/<token>   checked in this order; the first failure answers with {"reason": …}
//   1. a scripted answer for this device token (or for any) answers instead, before any check
//   2. authorization: absent → 403 MissingProviderToken; not "bearer <JWT>", a JWT that does not parse, alg not ES256,
//      kid not a key made here, iss not that key's team, a signature that does not verify with that key → 403
//      InvalidProviderToken; iat in the future (peer clock) → 403 InvalidProviderToken; iat more than 1 h old → 403
//      ExpiredProviderToken
//   3. a token of a team not seen before whose iat is less than 20 min after the iat of the team's previous token
//      → 429 TooManyProviderTokenUpdates (the token is not taken as the team's current one)
//   4. apns-topic absent → 400 MissingTopic; not the key's bundle id → 400 TopicDisallowed
//   5. apns-push-type not a known type → 400 InvalidPushType (peer's choice of reason)
//   6. apns-priority (default 10) not 5 or 10, or 10 with push-type background → 400 BadPriority
//   7. apns-expiration present and not an integer → 400 BadExpirationDate
//   8. apns-collapse-id over 64 bytes → 400 BadCollapseId
//   9. apns-id present and not a UUID → 400 BadMessageId (peer's choice)
//  10. the token not 64 hex digits, or not registered here → 400 BadDeviceToken; registered for another bundle id
//      → 400 DeviceTokenNotForTopic; unregistered → 410 Unregistered with "timestamp" (ms)
//  11. body over 4096 bytes → 413 PayloadTooLarge; empty → 400 PayloadEmpty; not a JSON object with an "aps" object
//      → 400 PayloadEmpty (peer's choice); aps.badge present and not a non-negative integer → 400 BadPayload (peer's
//      choice); push-type alert without aps.alert → 400 BadPayload (peer's choice)
//   otherwise 200, no body, apns-id = the request's (or a new UUID). Every answer carries apns-id.
// Other methods: 405 MethodNotAllowed; other paths: 404 BadPath. A connection that does not start with the HTTP/2
// preface (an HTTP/1.1 request) is dropped by node's HTTP/2 server; it is counted as badPrefaces.
//
// Control API (JSON; times in ms since the epoch):
//   GET  /_control/info                    {apnsUrl, controlUrl}
//   POST /_control/keys {bundleId?}        201 {keyId, teamId, bundleId, privateKeyPem}: a new P-256 key (PKCS#8 PEM,
//        like a .p8), 10-character key and team ids; bundleId default com.example.news.<random>
//   POST /_control/devices {token?, bundleId?, registeredAtMs?}   201 {token, bundleId, state, registeredAtMs}: a device
//        token (64 hex, random if absent) of an app; bundleId default: the bundle of the last key made
//   POST /_control/devices/<token>/unregister {timestampMs?}      the app was removed: 410 with timestamp (default now)
//   POST /_control/script {status, reason?, retryAfter?, times?, deviceToken?, timestampMs?}   the next `times`
//        (default 1) requests (for deviceToken, or any) are answered status with {"reason"} (+ timestamp for 410) and
//        Retry-After when given; recorded as requests, never as notifications. {clear: true} drops all scripts.
//   POST /_control/clock {nowMs, running?} | {advanceMs} | {real: true}   {nowMs, mode}; GET the same
//   GET  /_control/notifications[?device=<token>][&since=<seq>]   accepted ones, oldest first: [{seq, deviceToken,
//        session, httpVersion, headers, payload, bytes, atMs}]; headers: every non-pseudo request header
//   GET  /_control/requests[?since=<seq>]  every answered request: [{seq, deviceToken, session, status, reason, atMs, detail}]
//   GET  /_control/stats                   {requests, accepted, rejected, statuses, reasons, providerTokens (distinct
//        JWTs seen), tokenUpdatesRefused, sessions (opened), activeSessions, badPrefaces, keys, devices}
//   POST /_control/config {keep}           how many notifications and requests are kept (default 10000)
//   POST /_control/reset                   records, stats, scripts, team token history and the clock reset;
//        keys and devices stay (devices active again). Sequence numbers keep counting.
const http = require('http');
const http2 = require('http2');
const crypto = require('crypto');

const HOUR_S = 3600;
const MIN_UPDATE_S = 20 * 60;
const MAX_PAYLOAD = 4096;
const PUSH_TYPES = new Set(['alert', 'background', 'location', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'pushtotalk', 'widgets']);
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

const realNow = Date.now;
let clock = { mode: 'real' };
let keep = 10000;
let seq = 0;
let sessionSeq = 0;
const keys = new Map(); // kid -> { keyId, teamId, bundleId, publicKey, privateKeyPem }
let lastBundle = null;
const devices = new Map(); // lowercase token -> { token, bundleId, state, registeredAtMs, unregisteredAtMs }
const jwtCache = new Map(); // jwt text -> { error } | { kid, iss, iat }
let teams = new Map(); // teamId -> { currentIat, tokens: Set<jwt> }
let scripts = []; // { status, reason, retryAfter, remaining, deviceToken, timestampMs }
let notifications = [];
let requests = [];
let stats = newStats();
let activeSessions = 0;
let apnsPort = 0;
let controlPort = 0;

function newStats() {
  return { requests: 0, accepted: 0, rejected: 0, statuses: {}, reasons: {}, providerTokens: new Set(), tokenUpdatesRefused: 0, sessions: 0, badPrefaces: 0 };
}

function now() {
  if (clock.mode === 'frozen') return clock.nowMs;
  if (clock.mode === 'running') return realNow() + clock.offsetMs;
  return realNow();
}

function randomId(length) {
  const bytes = crypto.randomBytes(length);
  let id = '';
  for (let i = 0; i < length; i++) id += ID_CHARS[bytes[i] % ID_CHARS.length];
  return id;
}

function trim(list) {
  if (list.length > 2 * keep) list.splice(0, list.length - keep);
}

function base64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

// The JWT checks that do not depend on time, done once per distinct token.
function verifyJwt(jwt) {
  const parts = jwt.split('.');
  if (parts.length !== 3) return { error: 'not a JWT of three parts' };
  let header;
  let claims;
  try {
    header = base64urlJson(parts[0]);
    claims = base64urlJson(parts[1]);
  } catch {
    return { error: 'JWT header or claims are not base64url JSON' };
  }
  if (header === null || typeof header !== 'object' || claims === null || typeof claims !== 'object') return { error: 'JWT parts are not objects' };
  if (header.alg !== 'ES256') return { error: `alg ${header.alg} is not ES256` };
  const key = keys.get(header.kid);
  if (!key) return { error: `kid ${header.kid} is not a key of this peer` };
  if (claims.iss !== key.teamId) return { error: `iss ${claims.iss} is not the key's team ${key.teamId}` };
  if (!Number.isInteger(claims.iat)) return { error: 'iat is not an integer' };
  const signature = Buffer.from(parts[2], 'base64url');
  const ok = signature.length === 64 && crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  if (!ok) return { error: 'the signature does not verify with the key' };
  return { kid: header.kid, iss: claims.iss, iat: claims.iat };
}

function checkedJwt(jwt) {
  let entry = jwtCache.get(jwt);
  if (!entry) {
    if (jwtCache.size > 10000) jwtCache.clear();
    entry = verifyJwt(jwt);
    jwtCache.set(jwt, entry);
  }
  return entry;
}

function record(ctx, status, reason, detail) {
  stats.requests++;
  stats.statuses[status] = (stats.statuses[status] || 0) + 1;
  if (reason) stats.reasons[reason] = (stats.reasons[reason] || 0) + 1;
  if (status === 200) stats.accepted++;
  else stats.rejected++;
  requests.push({ seq: ++seq, deviceToken: ctx.token, session: ctx.session, status, reason: reason || null, atMs: ctx.atMs, detail: detail || null });
  trim(requests);
  return seq;
}

function fail(stream, ctx, status, reason, detail, extra = {}) {
  record(ctx, status, reason, detail);
  if (stream.destroyed || stream.closed) return;
  const body = JSON.stringify({ reason, ...(extra.timestamp !== undefined ? { timestamp: extra.timestamp } : {}) });
  const headers = { ':status': status, 'content-type': 'application/json; charset=utf-8', 'apns-id': ctx.apnsId };
  if (extra.retryAfter != null) headers['retry-after'] = String(extra.retryAfter);
  stream.respond(headers);
  stream.end(body);
}

function takeScript(token) {
  for (let i = 0; i < scripts.length; i++) {
    const s = scripts[i];
    if (s.deviceToken === null || s.deviceToken === token) {
      if (--s.remaining <= 0) scripts.splice(i, 1);
      return s;
    }
  }
  return null;
}

// Steps 2-10: the headers. Returns null when they pass, else [status, reason, detail, extra].
function checkHeaders(headers, ctx) {
  const auth = headers.authorization;
  if (auth === undefined || auth === '') return [403, 'MissingProviderToken', 'no authorization header'];
  if (!/^bearer /i.test(auth)) return [403, 'InvalidProviderToken', 'authorization is not "bearer <JWT>"'];
  const jwt = auth.slice(7).trim();
  const verified = checkedJwt(jwt);
  if (verified.error) return [403, 'InvalidProviderToken', verified.error];
  const nowS = Math.floor(now() / 1000);
  if (verified.iat > nowS) return [403, 'InvalidProviderToken', `iat ${verified.iat} is ${verified.iat - nowS} s in the future`];
  if (nowS - verified.iat > HOUR_S) return [403, 'ExpiredProviderToken', `iat is ${nowS - verified.iat} s old`];
  let team = teams.get(verified.iss);
  if (!team) {
    team = { currentIat: null, tokens: new Set() };
    teams.set(verified.iss, team);
  }
  if (!team.tokens.has(jwt)) {
    if (team.currentIat !== null && verified.iat - team.currentIat < MIN_UPDATE_S) {
      stats.tokenUpdatesRefused++;
      return [429, 'TooManyProviderTokenUpdates', `a new token ${verified.iat - team.currentIat} s after the team's previous one`];
    }
    team.tokens.add(jwt);
    team.currentIat = verified.iat;
  }
  stats.providerTokens.add(jwt);
  const key = keys.get(verified.kid);
  const topic = headers['apns-topic'];
  if (topic === undefined || topic === '') return [400, 'MissingTopic', 'no apns-topic'];
  if (topic !== key.bundleId) return [400, 'TopicDisallowed', `topic ${topic} is not the key's bundle ${key.bundleId}`];
  const pushType = headers['apns-push-type'] === undefined ? 'alert' : headers['apns-push-type'];
  if (!PUSH_TYPES.has(pushType)) return [400, 'InvalidPushType', `apns-push-type ${pushType}`];
  ctx.pushType = pushType;
  const priority = headers['apns-priority'] === undefined ? '10' : headers['apns-priority'];
  if (priority !== '5' && priority !== '10') return [400, 'BadPriority', `apns-priority ${priority}`];
  if (priority === '10' && pushType === 'background') return [400, 'BadPriority', 'priority 10 with push-type background'];
  const expiration = headers['apns-expiration'];
  if (expiration !== undefined && !/^\d+$/.test(expiration)) return [400, 'BadExpirationDate', `apns-expiration ${expiration}`];
  const collapse = headers['apns-collapse-id'];
  if (collapse !== undefined && Buffer.byteLength(collapse) > 64) return [400, 'BadCollapseId', `apns-collapse-id of ${Buffer.byteLength(collapse)} bytes`];
  const apnsId = headers['apns-id'];
  if (apnsId !== undefined && !UUID.test(apnsId)) return [400, 'BadMessageId', `apns-id ${apnsId}`];
  if (!HEX64.test(ctx.token)) return [400, 'BadDeviceToken', 'the token is not 64 hex digits'];
  const device = devices.get(ctx.token.toLowerCase());
  if (!device) return [400, 'BadDeviceToken', 'the token is not registered here'];
  if (device.bundleId !== topic) return [400, 'DeviceTokenNotForTopic', `the token is of ${device.bundleId}`];
  if (device.state === 'unregistered') return [410, 'Unregistered', 'unregistered', { timestamp: device.unregisteredAtMs }];
  return null;
}

// Step 11: the payload. Returns [payload, null] or [null, [status, reason, detail]].
function checkPayload(raw, length, ctx) {
  if (length > MAX_PAYLOAD) return [null, [413, 'PayloadTooLarge', `${length} bytes`]];
  if (length === 0) return [null, [400, 'PayloadEmpty', 'no body']];
  let payload;
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch {
    return [null, [400, 'PayloadEmpty', 'the body is not JSON']];
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return [null, [400, 'PayloadEmpty', 'the body is not a JSON object']];
  const aps = payload.aps;
  if (aps === null || typeof aps !== 'object' || Array.isArray(aps)) return [null, [400, 'PayloadEmpty', 'no aps object']];
  if (aps.badge !== undefined && !(Number.isInteger(aps.badge) && aps.badge >= 0)) return [null, [400, 'BadPayload', `aps.badge ${JSON.stringify(aps.badge)}`]];
  if (ctx.pushType === 'alert' && (aps.alert === undefined || aps.alert === null)) return [null, [400, 'BadPayload', 'push-type alert without aps.alert']];
  return [payload, null];
}

const apns = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });
apns.on('session', (session) => {
  session.peerSession = ++sessionSeq;
  stats.sessions++;
  activeSessions++;
  session.on('close', () => activeSessions--);
  session.on('error', (e) => {
    if (/magic|preface/i.test(String(e && e.message)) || (e && e.code === 'ERR_HTTP2_ERROR')) stats.badPrefaces++;
  });
});
apns.on('sessionError', () => {});
apns.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  const path = headers[':path'] || '';
  const ctx = { token: null, session: stream.session ? stream.session.peerSession : 0, atMs: now(), apnsId: headers['apns-id'] && UUID.test(headers['apns-id']) ? headers['apns-id'] : crypto.randomUUID(), pushType: 'alert' };
  const match = /^\/3\/device\/([^/?]+)$/.exec(path);
  if (!match) {
    stream.resume();
    return fail(stream, ctx, 404, 'BadPath', `path ${path}`);
  }
  ctx.token = match[1];
  if (headers[':method'] !== 'POST') {
    stream.resume();
    return fail(stream, ctx, 405, 'MethodNotAllowed', `method ${headers[':method']}`);
  }
  const chunks = [];
  let length = 0;
  stream.on('data', (c) => {
    length += c.length;
    if (length <= MAX_PAYLOAD) chunks.push(c);
  });
  stream.on('end', () => {
    ctx.atMs = now();
    const script = takeScript(ctx.token);
    if (script) {
      return fail(stream, ctx, script.status, script.reason, 'scripted', {
        retryAfter: script.retryAfter,
        timestamp: script.status === 410 ? (script.timestampMs == null ? now() : script.timestampMs) : undefined,
      });
    }
    const refused = checkHeaders(headers, ctx);
    if (refused) return fail(stream, ctx, refused[0], refused[1], refused[2], refused[3]);
    const [payload, bad] = checkPayload(Buffer.concat(chunks), length, ctx);
    if (bad) return fail(stream, ctx, bad[0], bad[1], bad[2]);
    const n = record(ctx, 200, null, null);
    const kept = {};
    for (const name of Object.keys(headers)) if (name[0] !== ':') kept[name] = headers[name];
    notifications.push({ seq: n, deviceToken: ctx.token, session: ctx.session, httpVersion: stream.session ? '2.0' : '?', headers: kept, payload, bytes: length, atMs: ctx.atMs });
    trim(notifications);
    if (!stream.destroyed) stream.respond({ ':status': 200, 'apns-id': ctx.apnsId }, { endStream: true });
  });
});

// ---- control ----

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function json(req, res, handler) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let value = {};
    if (text.length > 0) {
      try {
        value = JSON.parse(text);
      } catch {
        return send(res, 400, { error: 'the body is not JSON' });
      }
    }
    if (value === null || typeof value !== 'object') value = {};
    try {
      return handler(value);
    } catch (e) {
      return send(res, 500, { error: String(e && e.stack) });
    }
  });
}

function createKey(res, v) {
  const bundleId = v.bundleId == null ? `com.example.news.${randomId(6).toLowerCase()}` : String(v.bundleId);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  let keyId;
  do keyId = randomId(10);
  while (keys.has(keyId));
  const key = { keyId, teamId: randomId(10), bundleId, publicKey, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
  keys.set(keyId, key);
  lastBundle = bundleId;
  return send(res, 201, { keyId, teamId: key.teamId, bundleId, privateKeyPem: key.privateKeyPem });
}

function addDevice(res, v) {
  const token = v.token == null ? crypto.randomBytes(32).toString('hex') : String(v.token);
  const bundleId = v.bundleId == null ? lastBundle : String(v.bundleId);
  if (!bundleId) return send(res, 400, { error: 'no bundleId and no key made yet' });
  const device = { token, bundleId, state: 'active', registeredAtMs: Number.isInteger(v.registeredAtMs) ? v.registeredAtMs : now(), unregisteredAtMs: null };
  devices.set(token.toLowerCase(), device);
  return send(res, 201, device);
}

function setScript(res, v) {
  if (v.clear === true) {
    scripts = [];
    return send(res, 200, { scripts: 0 });
  }
  if (!Number.isInteger(v.status) || v.status < 200 || v.status > 599) return send(res, 400, { error: 'status must be 200-599' });
  if (v.times != null && !(Number.isInteger(v.times) && v.times > 0)) return send(res, 400, { error: 'times must be positive' });
  if (v.retryAfter != null && !(Number.isInteger(v.retryAfter) && v.retryAfter >= 0)) return send(res, 400, { error: 'retryAfter must be whole seconds' });
  scripts.push({
    status: v.status,
    reason: v.reason == null ? null : String(v.reason),
    retryAfter: v.retryAfter == null ? null : v.retryAfter,
    remaining: v.times == null ? 1 : v.times,
    deviceToken: v.deviceToken == null ? null : String(v.deviceToken),
    timestampMs: v.timestampMs == null ? null : v.timestampMs,
  });
  return send(res, 200, { scripts: scripts.length });
}

function setClock(res, v) {
  if (v.real === true) clock = { mode: 'real' };
  else if (v.nowMs != null) {
    if (!Number.isInteger(v.nowMs) || v.nowMs < 0) return send(res, 400, { error: 'nowMs must be ms since the epoch' });
    clock = v.running === true ? { mode: 'running', offsetMs: v.nowMs - realNow() } : { mode: 'frozen', nowMs: v.nowMs };
  } else if (v.advanceMs != null) {
    if (!Number.isInteger(v.advanceMs)) return send(res, 400, { error: 'advanceMs must be whole ms' });
    if (clock.mode === 'frozen') clock = { mode: 'frozen', nowMs: clock.nowMs + v.advanceMs };
    else if (clock.mode === 'running') clock = { mode: 'running', offsetMs: clock.offsetMs + v.advanceMs };
    else clock = { mode: 'running', offsetMs: v.advanceMs };
  } else return send(res, 400, { error: 'send {nowMs, running?}, {advanceMs} or {real: true}' });
  return send(res, 200, { nowMs: now(), mode: clock.mode });
}

function reset(res) {
  notifications = [];
  requests = [];
  scripts = [];
  stats = newStats();
  teams = new Map();
  clock = { mode: 'real' };
  for (const d of devices.values()) {
    d.state = 'active';
    d.unregisteredAtMs = null;
  }
  return send(res, 200, { reset: true });
}

function control(req, res, url) {
  const path = url.pathname.slice('/_control/'.length);
  const method = req.method;
  const since = Number(url.searchParams.get('since') || 0);
  if (method === 'GET' && path === 'info') return send(res, 200, { apnsUrl: `http://127.0.0.1:${apnsPort}`, controlUrl: `http://127.0.0.1:${controlPort}` });
  if (method === 'POST' && path === 'keys') return json(req, res, (v) => createKey(res, v));
  if (method === 'POST' && path === 'devices') return json(req, res, (v) => addDevice(res, v));
  const unregister = /^devices\/([^/]+)\/unregister$/.exec(path);
  if (method === 'POST' && unregister) {
    return json(req, res, (v) => {
      const device = devices.get(decodeURIComponent(unregister[1]).toLowerCase());
      if (!device) return send(res, 404, { error: 'no such device' });
      device.state = 'unregistered';
      device.unregisteredAtMs = Number.isInteger(v.timestampMs) ? v.timestampMs : now();
      return send(res, 200, device);
    });
  }
  if (method === 'POST' && path === 'script') return json(req, res, (v) => setScript(res, v));
  if (method === 'POST' && path === 'clock') return json(req, res, (v) => setClock(res, v));
  if (method === 'GET' && path === 'clock') return send(res, 200, { nowMs: now(), mode: clock.mode });
  if (method === 'GET' && path === 'notifications') {
    const device = url.searchParams.get('device');
    return send(res, 200, notifications.filter((n) => n.seq > since && (device === null || n.deviceToken === device)));
  }
  if (method === 'GET' && path === 'requests') return send(res, 200, requests.filter((r) => r.seq > since));
  if (method === 'GET' && path === 'stats') {
    return send(res, 200, { ...stats, providerTokens: stats.providerTokens.size, activeSessions, keys: keys.size, devices: devices.size });
  }
  if (method === 'POST' && path === 'config') {
    return json(req, res, (v) => {
      if (!(Number.isInteger(v.keep) && v.keep > 0)) return send(res, 400, { error: 'keep must be a positive integer' });
      keep = v.keep;
      return send(res, 200, { keep });
    });
  }
  if (method === 'POST' && path === 'reset') return reset(res);
  return send(res, 404, { error: `no control endpoint ${method} ${url.pathname}` });
}

const controlServer = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname.startsWith('/_control/')) return control(req, res, url);
  return send(res, 404, { error: 'control API only; APNs is at GET /_control/info apnsUrl' });
});
controlServer.keepAliveTimeout = 30000;

apns.listen(0, '127.0.0.1', () => {
  apnsPort = apns.address().port;
  controlServer.listen(0, '127.0.0.1', () => {
    controlPort = controlServer.address().port;
    process.stdout.write(`LISTENING ${controlPort}\n`);
  });
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();

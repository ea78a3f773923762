'use strict';
// A push service (RFC 8030) for the tests and the Web Push benchmark, checking what real ones check:
// the request headers (RFC 8030), the VAPID token (RFC 8292) and the aes128gcm body (RFC 8291), which it
// decrypts with npm http_ece as the browser would. It plays the browser too: the control API creates
// subscriptions and keeps their private keys.
// Usage: node push-service-peer.js; listens on a free 127.0.0.1 port and prints "LISTENING <port>" as the
// first (and only) line on stdout; exits when stdin closes. Nothing is logged per request.
//
// POST /push/{id} (the subscription's endpoint), checked in this order, each failure answered with the
// status and a short text body, and recorded as a rejection:
//   unknown id 404; unsubscribed id 410; a behaviour override (below) answers its status instead;
//   TTL missing or not all digits 400; Urgency not one of very-low|low|normal|high 400 (repeated values
//   arrive joined by ", " and fail too); Topic longer than 32 or outside the base64url alphabet 400;
//   Content-Encoding other than aes128gcm 415; Authorization missing, not "vapid t=<jwt>, k=<key>" 401;
//   k not a 65-byte uncompressed P-256 key, JWT not ES256, bad signature, aud not the endpoint's origin
//   (http://127.0.0.1:<port>, or without the port as Lib.Net.Http.WebPush signs it), exp passed or more
//   than 24 h ahead, sub missing, k not the subscription's applicationServerKey: 403; body larger than
//   maxBodyBytes (4096 unless set) 413; a header that is not 86 bytes (keyid must be the 65-byte sender
//   key), more than one record (rs must exceed the ciphertext, RFC 8291 §4), or a body http_ece cannot
//   decrypt 400. Otherwise the message is stored and answered 201 with Location and TTL.
// Topic replacement (RFC 8030 §5.4): no device ever fetches, so every stored message is undelivered until its
// TTL runs out. A new message whose topic equals that of an outstanding one (same subscription, not replaced,
// TTL not over) marks that one "replaced": true (it stays in the list) and counts in stats.replaced.
//
// Control API (JSON in and out, keys base64url without padding):
//   POST   /_control/subscriptions {id?, applicationServerKey?}  201 {id, endpoint, p256dh, auth, privateKey};
//          a new P-256 key pair and 16-byte auth secret; 409 if the id exists; without applicationServerKey
//          any VAPID key is accepted.
//   DELETE /_control/subscriptions/{id}                           204; later pushes get 410.
//   POST   /_control/behaviour {id, status, retryAfter?, times?}  answer status (with Retry-After when given)
//          to the next `times` pushes (null or absent: all), then behave normally; status null or 0 clears it.
//          Such answers store nothing and are recorded as rejections. 404 for an unknown id.
//   GET    /_control/messages[?subscription=<id>][&since=<seq>]  [message], oldest first.
//   GET    /_control/rejected                                     [{subscriptionId, status, reason, at}]
//   POST   /_control/reset[?subscriptions=true]                   messages, rejections, stats, behaviours and
//          limits back to empty/default; subscriptions stay unless asked. Sequence numbers keep counting.
//   POST   /_control/limits {maxBodyBytes}                        {maxBodyBytes}
//   GET    /_control/stats                                        {requests, accepted, rejected, replaced,
//          statuses: {"201": n, ...} (answers to pushes), subscriptions, stored}
//   POST   /_control/decrypt {body, privateKey, auth}             {plaintext, records} or 400 {error}
// A message: {seq, subscriptionId, ttl, urgency, topic, contentEncoding, plaintext, body (base64url),
//   bodyBytes, records, receivedAt (ms since the epoch), jwt (its claims), replaced}.
const http = require('http');
const crypto = require('crypto');
const ece = require('http_ece');

const DEFAULT_MAX_BODY = 4096;
const URGENCIES = new Set(['very-low', 'low', 'normal', 'high']);
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;
const DIGITS = /^[0-9]+$/;
const ID = /^[A-Za-z0-9_.~-]{1,200}$/;

let port = 0;
let seq = 0;
const subscriptions = new Map(); // id -> { id, applicationServerKey, privateKey, ecdh, p256dh, auth, gone }
const behaviours = new Map(); // id -> { status, retryAfter, remaining (null = forever) }
let messages = [];
const latestByTopic = new Map(); // "<subscription id> <topic>" -> the latest message with that topic
let rejected = [];
let maxBodyBytes = DEFAULT_MAX_BODY;
let stats = newStats();
const keyObjects = new Map(); // k (base64url) -> KeyObject, so a bench does not rebuild it per request
const verifiedTokens = new Map(); // "<k> <t>" -> claims of a token whose signature verified with k

function newStats() {
  return { requests: 0, accepted: 0, rejected: 0, replaced: 0, statuses: {} };
}

function b64u(buffer) {
  return Buffer.from(buffer).toString('base64url');
}

function send(res, status, body, headers) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function reject(res, subscriptionId, status, reason, headers) {
  stats.rejected++;
  stats.statuses[status] = (stats.statuses[status] || 0) + 1;
  rejected.push({ subscriptionId, status, reason, at: Date.now() });
  send(res, status, reason, headers);
}

function readBody(req, limit, callback) {
  const chunks = [];
  let length = 0;
  req.on('data', (c) => {
    length += c.length;
    // Past the limit only the length matters (the answer is 413); the rest is read and dropped.
    if (length <= limit) chunks.push(c);
  });
  req.on('end', () => callback(Buffer.concat(chunks), length));
  req.on('error', () => {});
}

function publicKeyObject(k) {
  let key = keyObjects.get(k);
  if (key) return key;
  const raw = Buffer.from(k, 'base64url');
  if (raw.length !== 65 || raw[0] !== 0x04) return null;
  try {
    key = crypto.createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33, 65)) },
      format: 'jwk',
    });
  } catch {
    return null;
  }
  if (keyObjects.size > 1000) keyObjects.clear();
  keyObjects.set(k, key);
  return key;
}

// "vapid t=<jwt>, k=<key>" -> { t, k } or null.
function parseVapid(header) {
  const m = /^vapid\s+(.*)$/i.exec(header);
  if (!m) return null;
  const params = {};
  for (const part of m[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return params.t && params.k ? { t: params.t, k: params.k } : null;
}

// Returns { claims } or { error } (a 403 reason). A token whose signature verified once with this k is not
// verified again (a sender with a token cache repeats it); its claims are checked on every request.
function verifyJwt(t, k, subscription) {
  const cacheKey = `${k} ${t}`;
  let claims = verifiedTokens.get(cacheKey);
  if (!claims) {
    const signed = verifySignature(t, k);
    if (signed.error) return signed;
    claims = signed.claims;
    if (verifiedTokens.size > 10000) verifiedTokens.clear();
    verifiedTokens.set(cacheKey, claims);
  }
  return checkClaims(claims, k, subscription);
}

function verifySignature(t, k) {
  const key = publicKeyObject(k);
  if (!key) return { error: 'k is not a 65-byte uncompressed P-256 public key' };
  const parts = t.split('.');
  if (parts.length !== 3) return { error: 'the token is not a JWS compact serialization' };
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { error: 'the token header or claims are not JSON' };
  }
  if (!header || header.alg !== 'ES256') return { error: 'the token is not ES256' };
  const signature = Buffer.from(parts[2], 'base64url');
  if (signature.length !== 64) return { error: 'the signature is not 64 bytes' };
  const ok = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (!ok) return { error: 'the signature does not verify with k' };
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return { error: 'the claims are not an object' };
  return { claims };
}

function checkClaims(claims, k, subscription) {
  const origin = `http://127.0.0.1:${port}`;
  if (claims.aud !== origin && claims.aud !== 'http://127.0.0.1') return { error: `aud ${claims.aud} is not ${origin}` };
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number') return { error: 'exp is missing' };
  if (claims.exp <= now) return { error: 'exp has passed' };
  if (claims.exp > now + 24 * 3600) return { error: 'exp is more than 24 h ahead' };
  if (typeof claims.sub !== 'string' || claims.sub === '') return { error: 'sub is missing' };
  if (subscription.applicationServerKey && k !== subscription.applicationServerKey) {
    return { error: 'k is not the applicationServerKey of the subscription' };
  }
  return { claims };
}

function bodyHeader(body) {
  if (body.length < 21) return null;
  const idlen = body[20];
  return { rs: body.readUInt32BE(16), idlen, length: 21 + idlen };
}

function recordCount(body, header) {
  const ciphertext = body.length - header.length;
  return ciphertext <= 0 || header.rs === 0 ? 0 : Math.ceil(ciphertext / header.rs);
}

function push(req, res, id) {
  stats.requests++;
  const subscription = subscriptions.get(id);
  readBody(req, maxBodyBytes, (body, length) => {
    if (!subscription) return reject(res, id, 404, 'no such subscription');
    if (subscription.gone) return reject(res, id, 410, 'the subscription is no longer available');
    const behaviour = behaviours.get(id);
    if (behaviour) {
      if (behaviour.remaining !== null && --behaviour.remaining <= 0) behaviours.delete(id);
      const headers = behaviour.retryAfter != null ? { 'Retry-After': String(behaviour.retryAfter) } : undefined;
      return reject(res, id, behaviour.status, `behaviour ${behaviour.status}`, headers);
    }
    const h = req.headers;
    if (h.ttl === undefined) return reject(res, id, 400, 'TTL is missing');
    if (!DIGITS.test(h.ttl)) return reject(res, id, 400, `TTL ${h.ttl} is not a number of seconds`);
    // RFC 8030 counts an overflowing TTL as 2^31; one less keeps it an Int32 for the C# side.
    const ttl = Math.min(Number(h.ttl), 2 ** 31 - 1);
    const urgency = h.urgency === undefined ? null : h.urgency;
    if (urgency !== null && !URGENCIES.has(urgency)) return reject(res, id, 400, `Urgency ${urgency} is not very-low, low, normal or high`);
    const topic = h.topic === undefined ? null : h.topic;
    if (topic !== null && !TOPIC.test(topic)) return reject(res, id, 400, 'Topic must be 1-32 characters of the base64url alphabet');
    const contentEncoding = h['content-encoding'];
    if (contentEncoding !== 'aes128gcm') return reject(res, id, 415, `Content-Encoding ${contentEncoding} is not aes128gcm`);
    if (!h.authorization) return reject(res, id, 401, 'Authorization is missing');
    const vapid = parseVapid(h.authorization);
    if (!vapid) return reject(res, id, 401, 'Authorization is not vapid t=<jwt>, k=<key>');
    const verified = verifyJwt(vapid.t, vapid.k, subscription);
    if (verified.error) return reject(res, id, 403, verified.error);
    if (length > maxBodyBytes) return reject(res, id, 413, `the body is ${length} bytes, more than ${maxBodyBytes}`);
    const header = bodyHeader(body);
    if (!header || header.idlen !== 65) return reject(res, id, 400, 'the aes128gcm header must carry the 65-byte sender key (86 bytes)');
    const records = recordCount(body, header);
    if (records !== 1) return reject(res, id, 400, `the body has ${records} records (rs ${header.rs}); Web Push allows one`);
    if (body.length - header.length >= header.rs) return reject(res, id, 400, `the record does not fit rs ${header.rs} (RFC 8291 §4)`);
    let plaintext;
    try {
      plaintext = ece.decrypt(body, { version: 'aes128gcm', privateKey: subscription.ecdh, authSecret: subscription.auth });
    } catch (e) {
      return reject(res, id, 400, `the body does not decrypt: ${e.message}`);
    }
    const now = Date.now();
    const topicKey = `${id} ${topic}`;
    if (topic !== null) {
      const earlier = latestByTopic.get(topicKey);
      if (earlier && !earlier.replaced && earlier.receivedAt + earlier.ttl * 1000 > now) {
        earlier.replaced = true;
        stats.replaced++;
      }
    }
    const message = {
      seq: ++seq,
      subscriptionId: id,
      ttl,
      urgency,
      topic,
      contentEncoding,
      plaintext: plaintext.toString('utf8'),
      body: b64u(body),
      bodyBytes: body.length,
      records,
      receivedAt: now,
      jwt: verified.claims,
      replaced: false,
    };
    messages.push(message);
    if (topic !== null) latestByTopic.set(topicKey, message);
    stats.accepted++;
    stats.statuses[201] = (stats.statuses[201] || 0) + 1;
    return send(res, 201, '', { Location: `http://127.0.0.1:${port}/message/${message.seq}`, TTL: String(ttl) });
  });
}

function json(req, res, handler) {
  readBody(req, 1024 * 1024, (body) => {
    let value = {};
    if (body.length > 0) {
      try {
        value = JSON.parse(body.toString('utf8'));
      } catch {
        return send(res, 400, { error: 'the body is not JSON' });
      }
    }
    try {
      return handler(value || {});
    } catch (e) {
      return send(res, 500, { error: e.message });
    }
  });
}

function createSubscription(res, { id, applicationServerKey }) {
  id = id || crypto.randomBytes(12).toString('base64url');
  if (typeof id !== 'string' || !ID.test(id)) return send(res, 400, { error: 'id must be 1-200 URL-safe characters' });
  if (subscriptions.has(id)) return send(res, 409, { error: `subscription ${id} exists` });
  if (applicationServerKey != null && !publicKeyObject(applicationServerKey)) {
    return send(res, 400, { error: 'applicationServerKey is not a 65-byte uncompressed P-256 key (base64url)' });
  }
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const subscription = {
    id,
    applicationServerKey: applicationServerKey || null,
    ecdh,
    p256dh: b64u(ecdh.getPublicKey()),
    privateKey: b64u(ecdh.getPrivateKey()),
    auth: b64u(crypto.randomBytes(16)),
    gone: false,
  };
  subscriptions.set(id, subscription);
  return send(res, 201, {
    id,
    endpoint: `http://127.0.0.1:${port}/push/${encodeURIComponent(id)}`,
    p256dh: subscription.p256dh,
    auth: subscription.auth,
    privateKey: subscription.privateKey,
  });
}

function setBehaviour(res, { id, status, retryAfter, times }) {
  if (!subscriptions.has(id)) return send(res, 404, { error: `no subscription ${id}` });
  if (!status) {
    behaviours.delete(id);
    return send(res, 200, { id, status: null });
  }
  if (!Number.isInteger(status) || status < 100 || status > 599) return send(res, 400, { error: 'status must be 100-599' });
  if (retryAfter != null && !(Number.isInteger(retryAfter) && retryAfter >= 0)) return send(res, 400, { error: 'retryAfter must be whole seconds' });
  if (times != null && !(Number.isInteger(times) && times > 0)) return send(res, 400, { error: 'times must be positive' });
  behaviours.set(id, { status, retryAfter: retryAfter == null ? null : retryAfter, remaining: times == null ? null : times });
  return send(res, 200, { id, status, retryAfter: retryAfter == null ? null : retryAfter, times: times == null ? null : times });
}

function decrypt(res, { body, privateKey, auth }) {
  try {
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
    const buffer = Buffer.from(body, 'base64url');
    const header = bodyHeader(buffer);
    const plaintext = ece.decrypt(buffer, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth });
    return send(res, 200, { plaintext: plaintext.toString('utf8'), records: header ? recordCount(buffer, header) : 0 });
  } catch (e) {
    return send(res, 400, { error: e.message });
  }
}

function control(req, res, url) {
  const path = url.pathname.slice('/_control/'.length);
  const method = req.method;
  if (method === 'POST' && path === 'subscriptions') return json(req, res, (v) => createSubscription(res, v));
  if (method === 'DELETE' && path.startsWith('subscriptions/')) {
    const subscription = subscriptions.get(decode(path.slice('subscriptions/'.length)));
    if (!subscription) return send(res, 404, { error: 'no such subscription' });
    subscription.gone = true;
    behaviours.delete(subscription.id);
    res.writeHead(204);
    return res.end();
  }
  if (method === 'POST' && path === 'behaviour') return json(req, res, (v) => setBehaviour(res, v));
  if (method === 'GET' && path === 'messages') {
    const id = url.searchParams.get('subscription');
    const since = Number(url.searchParams.get('since') || 0);
    return send(res, 200, messages.filter((m) => (id === null || m.subscriptionId === id) && m.seq > since));
  }
  if (method === 'GET' && path === 'rejected') return send(res, 200, rejected);
  if (method === 'POST' && path === 'reset') {
    messages = [];
    latestByTopic.clear();
    rejected = [];
    stats = newStats();
    behaviours.clear();
    maxBodyBytes = DEFAULT_MAX_BODY;
    if (url.searchParams.get('subscriptions') === 'true') subscriptions.clear();
    return send(res, 200, { reset: true });
  }
  if (method === 'POST' && path === 'limits') {
    return json(req, res, (v) => {
      if (!Number.isInteger(v.maxBodyBytes) || v.maxBodyBytes < 1) return send(res, 400, { error: 'maxBodyBytes must be a positive integer' });
      maxBodyBytes = v.maxBodyBytes;
      return send(res, 200, { maxBodyBytes });
    });
  }
  if (method === 'GET' && path === 'stats') {
    return send(res, 200, { ...stats, subscriptions: subscriptions.size, stored: messages.length });
  }
  if (method === 'POST' && path === 'decrypt') return json(req, res, (v) => decrypt(res, v));
  return send(res, 404, { error: `no control endpoint ${method} ${url.pathname}` });
}

function decode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname.startsWith('/push/')) {
    if (req.method !== 'POST') return send(res, 405, 'POST only', { Allow: 'POST' });
    return push(req, res, decode(url.pathname.slice('/push/'.length)));
  }
  if (url.pathname.startsWith('/_control/')) return control(req, res, url);
  return send(res, 404, 'not found');
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  process.stdout.write(`LISTENING ${port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();

'use strict';
// A local stand-in for Google's OAuth token endpoint and FCM HTTP v1, for the tests and the benchmark. It checks
// what the real services check as far as /work/shared/research/push-protocols.md section C1 and Google's public
// references tell; wording the sources do not give is marked "peer's choice".
// Usage: node fcm-peer.js; listens on a free 127.0.0.1 port, prints "LISTENING <port>" as the first (and only)
// line on stdout; exits when stdin closes. Built-in modules only. Nothing is logged per request.
//
// POST /token   (what a service account's token_uri points to)   form body (application/x-www-form-urlencoded)
//   1. grant_type not urn:ietf:params:oauth:grant-type:jwt-bearer: 400 {"error":"unsupported_grant_type"}
//   2. assertion missing or not three base64url parts with JSON header and claims: 400 invalid_grant "Invalid JWT"
//   3. header alg not RS256: 400 invalid_grant
//   4. iss not a service account created here (or disabled): 400 invalid_grant "Invalid grant: account not found"
//   5. header kid not the account's private_key_id, or the RS256 signature does not verify with the account's
//      public key: 400 invalid_grant "Invalid JWT Signature."
//   6. aud not exactly https://oauth2.googleapis.com/token (whatever the token_uri is): 400 invalid_grant
//   7. iat/exp not integers, exp <= iat, exp - iat > 3600, exp in the past or iat more than 300 s ahead:
//      400 invalid_grant "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe…"
//   8. scope missing or without https://www.googleapis.com/auth/firebase.messaging: 400 invalid_scope (peer's choice)
//   otherwise 200 {"access_token":"ya29.…","expires_in":3599,"token_type":"Bearer"}; the token is good for 3599 s.
//
// POST /v1/projects/{project}/messages:send   JSON body {"message":{…}}; errors in Google's shape:
//   {"error":{"code":<http>,"message":"…","status":"<grpc status>","details":[{"@type":
//    "type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"<FCM code>"}]}}
//   1. Authorization not "Bearer <token issued here>", or the token was revoked or expired: 401 UNAUTHENTICATED
//      (no FcmError detail)
//   2. {project} not the project of the account the token was issued to: 403 PERMISSION_DENIED (no FcmError)
//   3. a scripted answer (control API) for the project, else for any project, answers instead
//   4. not JSON, not {"message":{…}}, an unknown field (snake_case or lowerCamelCase, as proto JSON allows) in
//      message, notification, android or android.notification; not exactly one of token/topic/condition;
//      notification title/body/image not strings; data not an object of string values or with a reserved key
//      (from, message_type, collapse_key, or starting gcm. or google.); android.priority not normal|high;
//      android.ttl not /^\d+(\.\d{1,9})?s$/ or over 2419200s (4 weeks); notification_count not an integer >= 0;
//      JSON.stringify(message) over 4096 UTF-8 bytes: 400 INVALID_ARGUMENT (errorCode INVALID_ARGUMENT)
//   5. token not of the shape [A-Za-z0-9_:-]{32,4096} (peer's choice): 400 INVALID_ARGUMENT "The registration
//      token is not a valid FCM registration token"
//   6. token registered for another project: 403 PERMISSION_DENIED, errorCode SENDER_ID_MISMATCH
//   7. token not registered (and the project does not accept any token): 404 NOT_FOUND, errorCode UNREGISTERED
//   otherwise 200 {"name":"projects/{project}/messages/0:<id>"}
// Anything else: 404. Bodies over 1 MB: 413.
//
// Control API (JSON in and out; times in ms since the epoch):
//   POST /_control/accounts {projectId?, acceptAnyToken?}   201 the service-account JSON itself (type,
//        project_id, private_key_id, private_key (PKCS#8 PEM), client_email, client_id, token_uri = this peer's
//        /token, …). A new RSA-2048 key; projectId random if absent (one project may have several accounts).
//        acceptAnyToken: sends to the project accept any well-shaped token not registered elsewhere.
//   POST /_control/accounts/{client_email}/disable | /enable   the token endpoint refuses (or again accepts) it
//   POST /_control/devices {project, tokens?, count?}      {tokens}: registers the given tokens, or count new ones
//   POST /_control/devices/remove {tokens}                 the app was uninstalled: 404 UNREGISTERED from now on
//   POST /_control/script {project?, answers:[{status, errorCode?, grpcStatus?, message?, retryAfter?, body?}],
//        times?}   the next sends of the project (or of any project) get these answers in order (each repeated
//        `times`, default 1), after the bearer and project checks. grpcStatus defaults from errorCode
//        (UNREGISTERED→NOT_FOUND, SENDER_ID_MISMATCH→PERMISSION_DENIED, QUOTA_EXCEEDED→RESOURCE_EXHAUSTED,
//        THIRD_PARTY_AUTH_ERROR→UNAUTHENTICATED, others the same name); errorCode null: no FcmError detail.
//        retryAfter: the raw Retry-After header. body: a raw body sent instead of the error JSON.
//   POST /_control/revoke {project?, accessToken?}         {revoked}: the access tokens (of the project, or that
//        one, or all) are refused from now on
//   GET  /_control/messages[?project=P][&since=<seq>]      [{seq, project, token, atMs, bytes, message}] accepted,
//        oldest first (the last 20,000 kept; none while recording is off)
//   GET  /_control/requests[?project=P][&since=<seq>]      [{seq, project, atMs, status, errorCode, grpcStatus,
//        detail}] every send, refused or not (the last 20,000)
//   GET  /_control/token-requests[?project=P]              [{seq, atMs, project, clientEmail, accepted, error,
//        detail, header, claims}] every token request
//   GET  /_control/stats[?project=P]                       {tokenRequests, tokensIssued, tokenRefusals, sends,
//        accepted, refused, statuses: {"200": n, …}}
//   POST /_control/options {recordMessages}                recording off keeps only the counts (benchmarks)
//   POST /_control/reset                                   records, counts and scripts cleared; accounts,
//        devices and issued tokens stay. Sequence numbers keep counting.
const http = require('http');
const crypto = require('crypto');

const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const MAX_BODY = 1024 * 1024;
const MAX_MESSAGE_BYTES = 4096;
const MAX_TTL_SECONDS = 28 * 24 * 3600;
const TOKEN_SECONDS = 3599;
const CLOCK_SKEW_SECONDS = 300;
const KEEP_RECORDS = 20000;
const DEVICE_TOKEN = /^[A-Za-z0-9_:-]{32,4096}$/;
const TTL = /^\d+(\.\d{1,9})?s$/;
const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const GRPC_OF = {
  UNREGISTERED: 'NOT_FOUND',
  SENDER_ID_MISMATCH: 'PERMISSION_DENIED',
  QUOTA_EXCEEDED: 'RESOURCE_EXHAUSTED',
  THIRD_PARTY_AUTH_ERROR: 'UNAUTHENTICATED',
  APNS_AUTH_ERROR: 'UNAUTHENTICATED',
  UNSPECIFIED_ERROR: 'UNKNOWN',
};
const FIELDS = {
  message: ['name', 'data', 'notification', 'android', 'webpush', 'apns', 'fcm_options', 'token', 'topic', 'condition'],
  notification: ['title', 'body', 'image'],
  android: ['collapse_key', 'priority', 'ttl', 'restricted_package_name', 'data', 'notification', 'fcm_options', 'direct_boot_ok'],
  androidNotification: ['title', 'body', 'icon', 'color', 'sound', 'tag', 'click_action', 'body_loc_key', 'body_loc_args',
    'title_loc_key', 'title_loc_args', 'channel_id', 'ticker', 'sticky', 'event_time', 'local_only', 'notification_priority',
    'default_sound', 'default_vibrate_timings', 'default_light_settings', 'vibrate_timings', 'visibility',
    'notification_count', 'light_settings', 'image', 'bypass_proxy_notification', 'proxy'],
};

let port = 0;
let seq = 0;
let recordMessages = true;
const accounts = new Map(); // client_email -> { projectId, privateKeyId, publicKey, disabled }
const projects = new Map(); // projectId -> { acceptAnyToken }
const devices = new Map(); // device token -> projectId
const accessTokens = new Map(); // access token -> { project, clientEmail, expiresAtMs, revoked }
let scripts = new Map(); // project ('' = any) -> [answer, …]
let messages = [];
let requests = [];
let tokenRequests = [];
let stats = new Map(); // project ('' = all) -> counts

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function base64url(buffer) {
  return buffer.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

function counts(project) {
  let c = stats.get(project);
  if (!c) {
    c = { tokenRequests: 0, tokensIssued: 0, tokenRefusals: 0, sends: 0, accepted: 0, refused: 0, statuses: {} };
    stats.set(project, c);
  }
  return c;
}

function count(project, apply) {
  apply(counts(''));
  if (project) apply(counts(project));
}

function keep(list, item) {
  list.push(item);
  if (list.length > KEEP_RECORDS * 1.25) list.splice(0, list.length - KEEP_RECORDS);
}

function send(res, status, body, headers) {
  const text = body == null ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const all = { 'Content-Length': Buffer.byteLength(text), ...headers };
  if (body != null && !all['Content-Type']) {
    all['Content-Type'] = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=UTF-8';
  }
  res.writeHead(status, all);
  res.end(text);
}

function readBody(req, callback) {
  const chunks = [];
  let length = 0;
  req.on('data', (c) => {
    length += c.length;
    if (length <= MAX_BODY) chunks.push(c);
  });
  req.on('end', () => callback(Buffer.concat(chunks), length));
  req.on('error', () => {});
}

// ---- the token endpoint ----

function tokenError(res, record, error, description) {
  record.accepted = false;
  record.error = error;
  record.detail = description;
  count(record.project, (c) => { c.tokenRefusals += 1; });
  send(res, 400, { error, error_description: description });
}

function parseJwt(assertion) {
  if (typeof assertion !== 'string') return null;
  const parts = assertion.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(fromBase64url(parts[0]).toString('utf8'));
    const claims = JSON.parse(fromBase64url(parts[1]).toString('utf8'));
    const signature = fromBase64url(parts[2]);
    if (!isObject(header) || !isObject(claims) || !signature) return null;
    return { header, claims, signature, signingInput: `${parts[0]}.${parts[1]}` };
  } catch {
    return null;
  }
}

function token(req, res, raw) {
  const record = { seq: ++seq, atMs: Date.now(), project: null, clientEmail: null, accepted: false, error: null, detail: null, header: null, claims: null };
  keep(tokenRequests, record);
  const form = new URLSearchParams(raw.toString('utf8'));
  const jwt = parseJwt(form.get('assertion'));
  if (jwt) {
    record.header = jwt.header;
    record.claims = jwt.claims;
    record.clientEmail = typeof jwt.claims.iss === 'string' ? jwt.claims.iss : null;
    const known = record.clientEmail && accounts.get(record.clientEmail);
    if (known) record.project = known.projectId;
  }
  count(record.project, (c) => { c.tokenRequests += 1; });
  if (form.get('grant_type') !== JWT_BEARER) {
    return tokenError(res, record, 'unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') || ''}`);
  }
  if (!jwt) return tokenError(res, record, 'invalid_grant', 'Invalid JWT: the assertion is not a signed JWT.');
  if (jwt.header.alg !== 'RS256') return tokenError(res, record, 'invalid_grant', `Invalid JWT: alg ${jwt.header.alg} is not RS256.`);
  const account = accounts.get(jwt.claims.iss);
  if (!account || account.disabled) return tokenError(res, record, 'invalid_grant', 'Invalid grant: account not found');
  let verified = false;
  try {
    verified = jwt.header.kid === account.privateKeyId
      && crypto.verify('RSA-SHA256', Buffer.from(jwt.signingInput), account.publicKey, jwt.signature);
  } catch {
    verified = false;
  }
  if (!verified) return tokenError(res, record, 'invalid_grant', 'Invalid JWT Signature.');
  if (jwt.claims.aud !== TOKEN_AUDIENCE) {
    return tokenError(res, record, 'invalid_grant', `Invalid JWT: Failed audience check. The right audience is ${TOKEN_AUDIENCE}`);
  }
  const { iat, exp } = jwt.claims;
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (!Number.isInteger(iat) || !Number.isInteger(exp) || exp <= iat || exp - iat > 3600
    || exp < nowSeconds - CLOCK_SKEW_SECONDS || iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    return tokenError(res, record, 'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
  }
  const scopes = typeof jwt.claims.scope === 'string' ? jwt.claims.scope.split(' ') : [];
  if (!scopes.includes(FCM_SCOPE)) return tokenError(res, record, 'invalid_scope', `The scope must include ${FCM_SCOPE}.`);
  const accessToken = `ya29.peer-${base64url(crypto.randomBytes(32))}`;
  accessTokens.set(accessToken, { project: account.projectId, clientEmail: account.clientEmail, expiresAtMs: Date.now() + TOKEN_SECONDS * 1000, revoked: false });
  record.accepted = true;
  count(record.project, (c) => { c.tokensIssued += 1; });
  return send(res, 200, { access_token: accessToken, expires_in: TOKEN_SECONDS, token_type: 'Bearer' });
}

// ---- FCM ----

function googleError(httpStatus, grpcStatus, message, errorCode, extraDetails) {
  const details = [];
  if (errorCode) details.push({ '@type': FCM_ERROR_TYPE, errorCode });
  if (extraDetails) details.push(...extraDetails);
  const error = { code: httpStatus, message, status: grpcStatus };
  if (details.length > 0) error.details = details;
  return { error };
}

function refuse(ctx, res, httpStatus, grpcStatus, message, errorCode, options = {}) {
  const body = options.raw !== undefined ? options.raw : googleError(httpStatus, grpcStatus, message, errorCode, options.details);
  finish(ctx, httpStatus, errorCode || grpcStatus, grpcStatus, options.detail || message);
  const headers = {};
  if (options.retryAfter != null) headers['Retry-After'] = String(options.retryAfter);
  if (httpStatus === 401) headers['WWW-Authenticate'] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"';
  send(res, httpStatus, body, headers);
}

function finish(ctx, httpStatus, errorCode, grpcStatus, detail) {
  keep(requests, { seq: ctx.seq, project: ctx.project, atMs: ctx.atMs, status: httpStatus, errorCode, grpcStatus, detail });
  count(ctx.project, (c) => {
    c.sends += 1;
    c.statuses[httpStatus] = (c.statuses[httpStatus] || 0) + 1;
    if (httpStatus === 200) c.accepted += 1; else c.refused += 1;
  });
}

function invalid(ctx, res, message, field) {
  const details = field ? [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description: message }] }] : undefined;
  refuse(ctx, res, 400, 'INVALID_ARGUMENT', message, 'INVALID_ARGUMENT', { details });
}

function snake(name) {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

// The object with snake_case keys (proto JSON accepts either spelling), or the first unknown field's name.
function normalise(value, allowed) {
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    const name = snake(key);
    if (!allowed.includes(name)) return { unknown: key };
    out[name] = v;
  }
  return { value: out };
}

function nextScripted(project) {
  for (const key of [project, '']) {
    const queue = scripts.get(key);
    if (queue && queue.length > 0) return queue.shift();
  }
  return null;
}

// The first problem of the message, as FCM would word it (wording: peer's choice), or null; sets messageBytes.
let messageBytes = 0;
function problem(message) {
  const m = normalise(message, FIELDS.message);
  if (m.unknown) return { text: `Invalid JSON payload received. Unknown name "${m.unknown}" at 'message': Cannot find field.`, field: 'message' };
  const msg = m.value;
  const targets = ['token', 'topic', 'condition'].filter((t) => msg[t] !== undefined);
  if (targets.length !== 1) return { text: 'Exactly one of message.token, message.topic or message.condition must be set.', field: 'message' };
  for (const t of targets) if (typeof msg[t] !== 'string') return { text: `Invalid value at 'message.${t}': not a string.`, field: `message.${t}` };
  if (msg.notification !== undefined) {
    if (!isObject(msg.notification)) return { text: "Invalid value at 'message.notification'.", field: 'message.notification' };
    const n = normalise(msg.notification, FIELDS.notification);
    if (n.unknown) return { text: `Invalid JSON payload received. Unknown name "${n.unknown}" at 'message.notification': Cannot find field.`, field: 'message.notification' };
    for (const [k, v] of Object.entries(n.value)) {
      if (typeof v !== 'string') return { text: `Invalid value at 'message.notification.${k}' (TYPE_STRING).`, field: `message.notification.${k}` };
    }
  }
  for (const [path, data] of [['message.data', msg.data], ['message.android.data', isObject(msg.android) ? msg.android.data : undefined]]) {
    if (data === undefined) continue;
    if (!isObject(data)) return { text: `Invalid value at '${path}': not a map of strings.`, field: path };
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string') return { text: `Invalid value at '${path}[${k}]' (TYPE_STRING).`, field: `${path}[${k}]` };
      if (k === 'from' || k === 'message_type' || k === 'collapse_key' || k.startsWith('gcm.') || k.startsWith('google.')) {
        return { text: `Invalid data payload key: ${k}`, field: `${path}[${k}]` };
      }
    }
  }
  if (msg.android !== undefined) {
    if (!isObject(msg.android)) return { text: "Invalid value at 'message.android'.", field: 'message.android' };
    const a = normalise(msg.android, FIELDS.android);
    if (a.unknown) return { text: `Invalid JSON payload received. Unknown name "${a.unknown}" at 'message.android': Cannot find field.`, field: 'message.android' };
    const android = a.value;
    if (android.collapse_key !== undefined && typeof android.collapse_key !== 'string') {
      return { text: "Invalid value at 'message.android.collapse_key' (TYPE_STRING).", field: 'message.android.collapse_key' };
    }
    if (android.priority !== undefined && !['normal', 'high', 'NORMAL', 'HIGH'].includes(android.priority)) {
      return { text: `Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), "${android.priority}"`, field: 'message.android.priority' };
    }
    if (android.ttl !== undefined) {
      if (typeof android.ttl !== 'string' || !TTL.test(android.ttl)) {
        return { text: `Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(android.ttl)}`, field: 'message.android.ttl' };
      }
      if (parseFloat(android.ttl) > MAX_TTL_SECONDS) return { text: 'Android TTL must not exceed 4 weeks.', field: 'message.android.ttl' };
    }
    if (android.notification !== undefined) {
      if (!isObject(android.notification)) return { text: "Invalid value at 'message.android.notification'.", field: 'message.android.notification' };
      const an = normalise(android.notification, FIELDS.androidNotification);
      if (an.unknown) {
        return { text: `Invalid JSON payload received. Unknown name "${an.unknown}" at 'message.android.notification': Cannot find field.`, field: 'message.android.notification' };
      }
      const count_ = an.value.notification_count;
      if (count_ !== undefined && !(Number.isInteger(count_) && count_ >= 0 && count_ <= 2147483647)) {
        return { text: "Invalid value at 'message.android.notification.notification_count' (TYPE_INT32).", field: 'message.android.notification.notification_count' };
      }
      for (const k of ['title', 'body', 'tag', 'image', 'click_action', 'channel_id', 'icon', 'color', 'sound']) {
        const v = an.value[k];
        if (v !== undefined && typeof v !== 'string') return { text: `Invalid value at 'message.android.notification.${k}' (TYPE_STRING).`, field: `message.android.notification.${k}` };
      }
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(message));
  messageBytes = bytes;
  if (bytes > MAX_MESSAGE_BYTES) return { text: `Message is too big: ${bytes} bytes, the limit is ${MAX_MESSAGE_BYTES}.`, field: 'message' };
  return null;
}

function fcm(req, res, project, raw) {
  const ctx = { seq: ++seq, project, atMs: Date.now() };
  const header = req.headers.authorization || '';
  const bearer = header.startsWith('Bearer ') ? header.slice(7) : null;
  const issued = bearer && accessTokens.get(bearer);
  if (!issued || issued.revoked || issued.expiresAtMs <= Date.now()) {
    return refuse(ctx, res, 401, 'UNAUTHENTICATED',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      null, { detail: !issued ? 'no access token issued here' : issued.revoked ? 'the access token was revoked' : 'the access token expired' });
  }
  if (issued.project !== project) {
    return refuse(ctx, res, 403, 'PERMISSION_DENIED',
      `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${project}' (or it may not exist).`, null);
  }
  const scripted = nextScripted(project);
  if (scripted) {
    const grpcStatus = scripted.grpcStatus || (scripted.errorCode ? GRPC_OF[scripted.errorCode] || scripted.errorCode : 'UNKNOWN');
    if (scripted.status === 200) {
      finish(ctx, 200, null, null, 'scripted');
      return send(res, 200, scripted.body != null ? scripted.body : { name: `projects/${project}/messages/0:${ctx.seq}` });
    }
    return refuse(ctx, res, scripted.status, grpcStatus, scripted.message || 'Scripted error.', scripted.errorCode || null,
      { retryAfter: scripted.retryAfter, raw: scripted.body != null ? scripted.body : undefined, detail: 'scripted' });
  }
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return invalid(ctx, res, 'Invalid JSON payload received.', null);
  }
  if (!isObject(body) || !isObject(body.message) || Object.keys(body).some((k) => k !== 'message' && k !== 'validate_only' && k !== 'validateOnly')) {
    return invalid(ctx, res, 'Invalid JSON payload received. The body must be {"message": {...}}.', null);
  }
  const found = problem(body.message);
  if (found) return invalid(ctx, res, found.text, found.field);
  const deviceToken = body.message.token;
  if (deviceToken !== undefined) {
    if (!DEVICE_TOKEN.test(deviceToken)) {
      return invalid(ctx, res, 'The registration token is not a valid FCM registration token', 'message.token');
    }
    const owner = devices.get(deviceToken);
    if (owner !== undefined && owner !== project) {
      return refuse(ctx, res, 403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH');
    }
    if (owner === undefined && !(projects.get(project) || {}).acceptAnyToken) {
      return refuse(ctx, res, 404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
    }
  }
  finish(ctx, 200, null, null, null);
  if (recordMessages) {
    keep(messages, { seq: ctx.seq, project, token: deviceToken === undefined ? null : deviceToken, atMs: ctx.atMs, bytes: messageBytes, message: body.message });
  }
  return send(res, 200, { name: `projects/${project}/messages/0:${Date.now()}${String(ctx.seq).padStart(6, '0')}%peer` });
}

// ---- control ----

function createAccount(input) {
  const projectId = typeof input.projectId === 'string' && /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(input.projectId)
    ? input.projectId
    : `peer-${crypto.randomBytes(5).toString('hex')}`;
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyId = crypto.randomBytes(20).toString('hex');
  const clientEmail = `firebase-adminsdk-${crypto.randomBytes(3).toString('hex')}@${projectId}.iam.gserviceaccount.com`;
  accounts.set(clientEmail, { projectId, privateKeyId, publicKey, clientEmail, disabled: false });
  const project = projects.get(projectId) || { acceptAnyToken: false };
  if (input.acceptAnyToken === true) project.acceptAnyToken = true;
  projects.set(projectId, project);
  return {
    type: 'service_account',
    project_id: projectId,
    private_key_id: privateKeyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: clientEmail,
    client_id: String(100000000000000000000n + BigInt(`0x${crypto.randomBytes(8).toString('hex')}`)),
    auth_uri: `http://127.0.0.1:${port}/auth`,
    token_uri: `http://127.0.0.1:${port}/token`,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };
}

function newDeviceToken() {
  return `${base64url(crypto.randomBytes(16))}:APA91b${base64url(crypto.randomBytes(105))}`;
}

function since(list, url) {
  const project = url.searchParams.get('project');
  const from = Number(url.searchParams.get('since') || 0);
  return list.filter((r) => (!project || r.project === project) && r.seq > from);
}

function control(req, res, url, raw) {
  let input = {};
  if (raw.length > 0) {
    try {
      input = JSON.parse(raw.toString('utf8'));
    } catch {
      return send(res, 400, { error: 'the body is not JSON' });
    }
    if (!isObject(input)) return send(res, 400, { error: 'the body is not a JSON object' });
  }
  const path = url.pathname;
  const accountAction = /^\/_control\/accounts\/([^/]+)\/(disable|enable)$/.exec(path);
  if (req.method === 'POST' && path === '/_control/accounts') return send(res, 201, createAccount(input));
  if (req.method === 'POST' && accountAction) {
    const account = accounts.get(decodeURIComponent(accountAction[1]));
    if (!account) return send(res, 404, { error: 'no such account' });
    account.disabled = accountAction[2] === 'disable';
    return send(res, 200, { clientEmail: account.clientEmail, disabled: account.disabled });
  }
  if (req.method === 'POST' && path === '/_control/devices') {
    if (typeof input.project !== 'string' || !projects.has(input.project)) return send(res, 400, { error: 'project: a project of an account made here' });
    let tokens = input.tokens;
    if (tokens === undefined) {
      const n = Number.isInteger(input.count) ? input.count : 1;
      if (n < 1 || n > 100000) return send(res, 400, { error: 'count: 1-100000' });
      tokens = Array.from({ length: n }, newDeviceToken);
    }
    if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string' || !DEVICE_TOKEN.test(t))) {
      return send(res, 400, { error: 'tokens: strings of [A-Za-z0-9_:-]{32,4096}' });
    }
    for (const t of tokens) devices.set(t, input.project);
    return send(res, 200, { tokens });
  }
  if (req.method === 'POST' && path === '/_control/devices/remove') {
    if (!Array.isArray(input.tokens)) return send(res, 400, { error: 'tokens: an array' });
    let removed = 0;
    for (const t of input.tokens) if (devices.delete(t)) removed += 1;
    return send(res, 200, { removed });
  }
  if (req.method === 'POST' && path === '/_control/script') {
    const answers = input.answers;
    const times = input.times === undefined ? 1 : input.times;
    if (!Array.isArray(answers) || answers.length === 0 || answers.some((a) => !isObject(a) || !Number.isInteger(a.status) || a.status < 200 || a.status > 599)) {
      return send(res, 400, { error: 'answers: [{status: 200-599, errorCode?, grpcStatus?, message?, retryAfter?, body?}]' });
    }
    if (!Number.isInteger(times) || times < 1 || times > 100000) return send(res, 400, { error: 'times: 1-100000' });
    const key = typeof input.project === 'string' ? input.project : '';
    const queue = scripts.get(key) || [];
    for (const a of answers) for (let i = 0; i < times; i += 1) queue.push(a);
    scripts.set(key, queue);
    return send(res, 200, { queued: queue.length });
  }
  if (req.method === 'POST' && path === '/_control/revoke') {
    let revoked = 0;
    for (const [t, issued] of accessTokens) {
      const match = typeof input.accessToken === 'string' ? t === input.accessToken
        : typeof input.project === 'string' ? issued.project === input.project : true;
      if (match && !issued.revoked) {
        issued.revoked = true;
        revoked += 1;
      }
    }
    return send(res, 200, { revoked });
  }
  if (req.method === 'GET' && path === '/_control/messages') return send(res, 200, since(messages, url));
  if (req.method === 'GET' && path === '/_control/requests') return send(res, 200, since(requests, url));
  if (req.method === 'GET' && path === '/_control/token-requests') return send(res, 200, since(tokenRequests, url));
  if (req.method === 'GET' && path === '/_control/stats') return send(res, 200, counts(url.searchParams.get('project') || ''));
  if (req.method === 'POST' && path === '/_control/options') {
    if (typeof input.recordMessages === 'boolean') recordMessages = input.recordMessages;
    return send(res, 200, { recordMessages });
  }
  if (req.method === 'POST' && path === '/_control/reset') {
    messages = [];
    requests = [];
    tokenRequests = [];
    stats = new Map();
    scripts = new Map();
    recordMessages = true;
    return send(res, 200, { ok: true });
  }
  return send(res, 404, { error: `no control call ${req.method} ${path}` });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  readBody(req, (raw, length) => {
    if (length > MAX_BODY) return send(res, 413, 'request entity too large');
    if (url.pathname.startsWith('/_control/')) return control(req, res, url, raw);
    if (url.pathname === '/token') {
      if (req.method !== 'POST') return send(res, 405, 'POST only');
      return token(req, res, raw);
    }
    const match = SEND_PATH.exec(url.pathname);
    if (match) {
      if (req.method !== 'POST') return send(res, 405, 'POST only');
      return fcm(req, res, decodeURIComponent(match[1]), raw);
    }
    return send(res, 404, 'not found');
  });
});
server.keepAliveTimeout = 60000;
server.headersTimeout = 65000;
server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  process.stdout.write(`LISTENING ${port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();

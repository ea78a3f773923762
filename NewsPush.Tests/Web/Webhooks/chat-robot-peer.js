'use strict';
// The chat-robot providers for the tests: DingTalk custom robots, Feishu/Lark custom bots, WeCom group bots,
// Slack incoming webhooks and a generic Standard Webhooks endpoint (verified with npm standardwebhooks). Each
// kind checks a request as its provider does and answers in the provider's words (facts and sources:
// /work/shared/research/push-protocols.md section B; where a provider's answer is unknown the peer's choice is
// marked "peer's choice").
// Usage: node chat-robot-peer.js; listens on a free 127.0.0.1 port and prints "LISTENING <port>" as the first
// (and only) line on stdout; exits when stdin closes. Nothing is logged per request.
//
// The peer clock. The app under test signs timestamps with its own (fake) clock, so every timestamp tolerance
// and every rate-limit window here uses the peer clock, never the machine's: real time unless set. Set to a
// time it stands still (like a FakeTimeProvider) until advanced, or runs on from there with {running: true}.
// npm standardwebhooks reads Date.now() itself, so Date.now is replaced by the peer clock for the duration of
// each (synchronous) verify call and put back right after.
//
// "JSON body" below: Content-Type application/json (a charset parameter, if any, utf-8), valid UTF-8, valid
// JSON, an object. Every kind answers a body that is not one with its "bad request" answer (given per kind).
// Checks happen in the order listed; the first failure answers. Rate limits count accepted messages only, in
// sliding windows of peer time (60 s for perMinute, 1 s for perSecond).
//
// POST /dingtalk/robot/send?access_token=ID[&timestamp=<ms>&sign=<sig>]    answers are HTTP 200 unless said
//   1. unknown access_token (or a robot of another kind, or archived): {"errcode":300001,"errmsg":"token is not exist"}
//   2. a behaviour override (below) answers instead
//   3. blocked after "send too fast": HTTP 302, Location https://open.dingtalk.com/, no body, until the block ends
//   4. robot with a secret: timestamp missing, not digits or more than 1 h from the peer clock:
//      {"errcode":310000,"errmsg":"invalid timestamp"}; sign (as the query parser decodes it, so an unencoded
//      "+" arrives as a space and fails, as at DingTalk) not Base64(HMAC-SHA256(key = secret,
//      data = timestamp + "\n" + secret)): {"errcode":310000,"errmsg":"sign not match, more: [...]"}
//   5. not a JSON body, or not one of msgtype text{content} | link{title,text,messageUrl} | markdown{title,text} |
//      actionCard{title,text, singleTitle+singleURL or btns[{title,actionURL}]} | feedCard{links[{title,messageURL}]}:
//      {"errcode":40035,"errmsg":"缺少参数 json"} (the code is the peer's choice)
//   6. keywords set and none in the text (text.content; markdown title+text; link title+text; actionCard
//      title+text; feedCard titles): {"errcode":310000,"errmsg":"keywords not in content"}
//   7. perMinute (default 20) accepted in the last 60 s: {"errcode":410100,"errmsg":"send too fast, exceed 20
//      times per minute"} (the code is the peer's choice; DingTalk publishes none) and the robot is blocked for
//      10 minutes of peer time (3.)
//   otherwise {"errcode":0,"errmsg":"ok"}
// POST /feishu/open-apis/bot/v2/hook/ID   body {"timestamp":"<s>","sign":"…","msg_type":…,"content"|"card":…};
//   answers are HTTP 200 with "data":{}
//   1. unknown id: {"code":19001,"msg":"param invalid: incoming webhook access token invalid"}
//   2. behaviour override
//   3. not a JSON body: {"code":9499,"msg":"Bad Request"}
//   4. robot with a secret: timestamp (a string of digits, or an integer) missing or more than 1 h from the peer
//      clock, or sign not Base64(HMAC-SHA256(key = timestamp + "\n" + secret, data = no bytes)):
//      {"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}
//   5. msg_type text without content.text; post without content.post.<locale>.content (paragraphs: arrays of
//      {tag,…}); interactive without card.elements[], card.header{} or card.body.elements[] (card 2.0); image
//      without content.image_key; share_chat without content.share_chat_id; any other msg_type:
//      {"code":9499,"msg":"Bad Request"}
//   6. keywords set and none in the text: {"code":19024,"msg":"Key Words Not Found"}
//   7. perSecond (default 5) or perMinute (default 100) reached:
//      {"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[ID]"}
//   otherwise {"code":0,"msg":"success","data":{}}
// POST /wecom/cgi-bin/webhook/send?key=ID   answers are HTTP 200
//   1. unknown key: {"errcode":93000,"errmsg":"invalid webhook url"}
//   2. behaviour override
//   3. not a JSON body, or not msgtype text{content ≤ 2048 UTF-8 bytes} | markdown{content ≤ 4096 bytes} |
//      news{articles[1..8]{title,url}} | image{base64 ≤ 2 MB decoded, md5 of it}: {"errcode":40058,"errmsg":"…"};
//      too long: "text.content exceed max length 2048" / "markdown.content exceed max length 4096"
//   4. perMinute (default 20) reached: {"errcode":45009,"errmsg":"api freq out of limit"} (no block)
//   otherwise {"errcode":0,"errmsg":"ok"}
// POST /slack/services/ID (ID may hold slashes, as T000/B000/XXXX)   plain-text answers
//   1. unknown id: 404 no_service
//   2. behaviour override
//   3. archived: 410 channel_is_archived
//   4. not a JSON body: 400 invalid_payload
//   5. neither a non-blank text nor non-empty blocks: 400 no_text
//   6. blocks not an array, more than 50, a type not header|section|context|divider|actions|image, a header text
//      not plain_text of 1-150 characters, a section with neither text (mrkdwn or plain_text, 1-3000) nor
//      fields (1-10, each 1-2000), context elements not 1-10 text or image objects, actions elements not
//      1-25, an image without image_url and alt_text: 400 invalid_blocks (characters are code points)
//   7. perSecond (default 1, a burst of 1) reached: 429 rate_limited with Retry-After: <s until allowed, ≥ 1>
//   otherwise 200 ok
// POST /generic/ID   Standard Webhooks; JSON answers
//   1. unknown id: 404 {"error":"no such endpoint"}
//   2. behaviour override
//   3. archived: 410 {"error":"the endpoint is gone"} (Standard Webhooks: 410 disables the endpoint)
//   4. new Webhook(secret).verify(raw body, webhook-id/-timestamp/-signature headers) fails (tolerance 5 min
//      either way, against the peer clock): 401 {"error":"<the library's reason>"}
//   5. not a JSON body: 400 {"error":"…"}
//   6. perSecond/perMinute set (no default) and reached: 429 {"error":"rate limited"} with Retry-After
//   7. a webhook-id this robot already accepted: 200 {"ok":true}, stored with duplicate: true
//   otherwise 200 {"ok":true}
// Any other method than POST on these paths: 405 "POST only". Bodies over 4 MB: 413.
//
// Control API (JSON in and out; times in ms since the epoch):
//   POST /_control/robots {kind, id?, secret?, keywords?, perMinute?, perSecond?}   201 {id, kind, url, secret}
//        kind dingtalk|feishu|wecom|slack|generic; id 1-200 of [A-Za-z0-9_.~-] (slack: segments joined by "/"),
//        random hex if absent; 409 if it exists (ids are unique across kinds). secret only for dingtalk, feishu
//        and generic; generic's must be whsec_<base64 of 24-64 bytes> and one is made if absent. keywords
//        (dingtalk, feishu): 1-10 non-empty strings. url is what to configure in NewsPush.
//   GET  /_control/robots                                      [{id, kind, url, secret, keywords, perMinute,
//        perSecond, archived, blockedUntilMs}]
//   POST /_control/robots/{id}/archive | /unarchive            the robot was removed from its channel: slack 410
//        channel_is_archived, generic 410, the others answer as for an unknown robot. 404 for an unknown id.
//   POST /_control/behaviour {id, status, body?, contentType?, retryAfter?, times?}   the next `times` requests
//        to the robot (null or absent: all) are answered status with body (default none; Content-Type
//        contentType, else application/json when the body is JSON, else text/plain) and Retry-After when
//        given, before any check; recorded, never stored as messages. status null or 0 clears. 404 unknown id.
//   POST /_control/clock {nowMs, running?} | {advanceMs} | {real: true}   {nowMs, mode: real|frozen|running}
//   GET  /_control/clock                                       the same
//   GET  /_control/requests[?robot=ID][&since=<seq>]           [{seq, robot, kind, atMs, httpStatus, code,
//        reason, accepted, duplicate, detail}], oldest first; code = errcode/code of a JSON answer, reason =
//        errmsg/msg/error of it or the plain body, detail = why the peer refused (for failure messages)
//   GET  /_control/messages[?robot=ID][&since=<seq>]           the accepted ones: [{seq, robot, kind, atMs,
//        msgType, body (parsed), text, webhookId, duplicate}]; text = the human-readable text joined with "\n"
//        (DingTalk title and text, Feishu text/post/card texts, WeCom content or articles, Slack text and block
//        texts, generic: the raw body); msgType = msgtype/msg_type, Slack null, generic the payload's "type"
//   GET  /_control/stats                                       {requests, accepted, rejected, duplicates,
//        statuses: {"200": n, ...}, kinds: {dingtalk: {requests, accepted}, ...}, robots, messages}
//   POST /_control/reset[?robots=true]                         requests, messages, stats, behaviours, blocks,
//        rate windows, seen webhook-ids and archive flags cleared, the clock back to real time; robots stay
//        unless asked. Sequence numbers keep counting.
const http = require('http');
const crypto = require('crypto');
const { Webhook } = require('standardwebhooks');

const KINDS = ['dingtalk', 'feishu', 'wecom', 'slack', 'generic'];
const SEGMENT = /^[A-Za-z0-9_.~-]{1,200}$/;
const MAX_BODY = 4 * 1024 * 1024;
const MINUTE = 60 * 1000;
const SECOND = 1000;
const HOUR = 3600 * 1000;
const DINGTALK_BLOCK_MS = 10 * MINUTE;
const DINGTALK_REDIRECT = 'https://open.dingtalk.com/';
const DEFAULT_LIMITS = {
  dingtalk: { perMinute: 20, perSecond: null },
  feishu: { perMinute: 100, perSecond: 5 },
  wecom: { perMinute: 20, perSecond: null },
  slack: { perMinute: null, perSecond: 1 },
  generic: { perMinute: null, perSecond: null },
};
const SLACK_BLOCKS = new Set(['header', 'section', 'context', 'divider', 'actions', 'image']);

const realNow = Date.now;
let port = 0;
let seq = 0;
let clock = { mode: 'real' }; // or { mode: 'frozen', nowMs } or { mode: 'running', offsetMs }
const robots = new Map(); // id -> robot
const behaviours = new Map(); // id -> { status, body, contentType, retryAfter, remaining (null = forever) }
let requests = [];
let messages = [];
let stats = newStats();

function newStats() {
  const kinds = {};
  for (const kind of KINDS) kinds[kind] = { requests: 0, accepted: 0 };
  return { requests: 0, accepted: 0, rejected: 0, duplicates: 0, statuses: {}, kinds };
}

function now() {
  if (clock.mode === 'frozen') return clock.nowMs;
  if (clock.mode === 'running') return realNow() + clock.offsetMs;
  return realNow();
}

function clockState() {
  return { nowMs: now(), mode: clock.mode };
}

// npm standardwebhooks takes "now" from Date.now(); the call is synchronous, so nothing else sees the swap.
function withPeerClock(fn) {
  Date.now = now;
  try {
    return fn();
  } finally {
    Date.now = realNow;
  }
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nonEmpty(value) {
  return typeof value === 'string' && value.length > 0;
}

function chars(text) {
  return Array.from(text).length;
}

function hmacBase64(key, data) {
  return crypto.createHmac('sha256', key).update(data).digest('base64');
}

function sameText(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function send(res, status, body, headers) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
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

// The code and reason of an answer body: errcode/code and errmsg/msg/error of JSON, else the text itself.
function codeAndReason(text) {
  if (text === '') return { code: null, reason: null };
  try {
    const value = JSON.parse(text);
    if (isObject(value)) {
      const code = [value.errcode, value.code, value.StatusCode].find((c) => Number.isInteger(c));
      const reason = [value.errmsg, value.msg, value.error].find((r) => typeof r === 'string');
      return { code: code === undefined ? null : code, reason: reason === undefined ? null : reason };
    }
  } catch {
    // plain text
  }
  return { code: null, reason: text };
}

// Answers a robot request and records it. body: an object (JSON), a string (text/plain) or null (no body).
// options: { headers, contentType, accepted, detail, message }.
function answer(ctx, res, status, body, options = {}) {
  const text = body == null ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const headers = { ...(options.headers || {}) };
  if (body != null) {
    headers['Content-Type'] = options.contentType || (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  }
  headers['Content-Length'] = Buffer.byteLength(text);
  const { code, reason } = codeAndReason(text);
  const accepted = options.accepted === true;
  const duplicate = options.message ? options.message.duplicate === true : false;
  const entry = {
    seq: ++seq,
    robot: ctx.robot,
    kind: ctx.kind,
    atMs: ctx.atMs,
    httpStatus: status,
    code,
    reason: status >= 300 && status < 400 && text === '' ? `redirect to ${headers.Location}` : reason,
    accepted,
    duplicate,
    detail: options.detail || null,
  };
  requests.push(entry);
  stats.requests++;
  stats.kinds[ctx.kind].requests++;
  stats.statuses[status] = (stats.statuses[status] || 0) + 1;
  if (accepted) {
    stats.accepted++;
    stats.kinds[ctx.kind].accepted++;
    if (duplicate) stats.duplicates++;
    messages.push({ seq: entry.seq, robot: ctx.robot, kind: ctx.kind, atMs: ctx.atMs, ...options.message, duplicate });
  } else {
    stats.rejected++;
  }
  res.writeHead(status, headers);
  res.end(text);
}

// A behaviour override answers instead of the robot; true when it did.
function applyBehaviour(ctx, res) {
  const behaviour = behaviours.get(ctx.robot);
  if (!behaviour) return false;
  if (behaviour.remaining !== null && --behaviour.remaining <= 0) behaviours.delete(ctx.robot);
  const headers = behaviour.retryAfter != null ? { 'Retry-After': String(behaviour.retryAfter) } : {};
  let contentType = behaviour.contentType;
  if (!contentType && behaviour.body !== '') {
    try {
      JSON.parse(behaviour.body);
      contentType = 'application/json; charset=utf-8';
    } catch {
      contentType = 'text/plain; charset=utf-8';
    }
  }
  answer(ctx, res, behaviour.status, behaviour.body === '' ? null : behaviour.body, { headers, contentType, detail: `behaviour ${behaviour.status}` });
  return true;
}

// { value } or { error }: Content-Type application/json (charset utf-8 if any), valid UTF-8, JSON, an object.
function jsonBody(req, raw) {
  const type = req.headers['content-type'] || '';
  const [media, ...parameters] = type.split(';').map((p) => p.trim().toLowerCase());
  if (media !== 'application/json') return { error: `Content-Type ${type || '(none)'} is not application/json` };
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=').map((p) => p.trim().replace(/^"|"$/g, ''));
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return { error: `charset ${value} is not utf-8` };
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { error: 'the body is not valid UTF-8' };
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `the body is not JSON: ${e.message}` };
  }
  if (!isObject(value)) return { error: 'the body is not a JSON object' };
  return { value, text };
}

// Sliding windows over the robot's accepted messages: null, or { per: 'second'|'minute', limit, retryAfterMs }.
function overLimit(robot, at) {
  robot.sent = robot.sent.filter((t) => t > at - MINUTE);
  const windows = [
    { per: 'second', limit: robot.perSecond, length: SECOND },
    { per: 'minute', limit: robot.perMinute, length: MINUTE },
  ];
  for (const window of windows) {
    if (window.limit == null) continue;
    const inWindow = robot.sent.filter((t) => t > at - window.length).sort((a, b) => a - b);
    if (inWindow.length >= window.limit) {
      const frees = inWindow[inWindow.length - window.limit] + window.length;
      return { per: window.per, limit: window.limit, retryAfterMs: Math.max(0, frees - at) };
    }
  }
  return null;
}

function retryAfterSeconds(ms) {
  return Math.max(1, Math.ceil(ms / 1000));
}

function findRobot(id, kind) {
  const robot = robots.get(id);
  return robot && robot.kind === kind ? robot : null;
}

function joinText(parts) {
  return parts.filter((p) => typeof p === 'string' && p !== '').join('\n');
}

// Strings under the given keys anywhere in value, in document order.
function collect(value, keys, into = []) {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, keys, into);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'string') {
        if (keys.includes(key)) into.push(item);
      } else {
        collect(item, keys, into);
      }
    }
  }
  return into;
}

// ---- DingTalk ----

function dingtalkShapeError(body) {
  const type = body.msgtype;
  const part = body[type];
  if (!['text', 'link', 'markdown', 'actionCard', 'feedCard'].includes(type)) return `msgtype ${type} is not text, link, markdown, actionCard or feedCard`;
  if (!isObject(part)) return `${type} is missing`;
  if (type === 'text' && !nonEmpty(part.content)) return 'text.content is missing';
  if (type === 'link' && !(nonEmpty(part.title) && nonEmpty(part.text) && nonEmpty(part.messageUrl))) return 'link needs title, text and messageUrl';
  if (type === 'markdown' && !(nonEmpty(part.title) && nonEmpty(part.text))) return 'markdown needs title and text';
  if (type === 'actionCard') {
    if (!(nonEmpty(part.title) && nonEmpty(part.text))) return 'actionCard needs title and text';
    const single = nonEmpty(part.singleTitle) && nonEmpty(part.singleURL);
    const buttons = Array.isArray(part.btns) && part.btns.length > 0 && part.btns.every((b) => isObject(b) && nonEmpty(b.title) && nonEmpty(b.actionURL));
    if (!single && !buttons) return 'actionCard needs singleTitle and singleURL, or btns [{title, actionURL}]';
  }
  if (type === 'feedCard') {
    if (!(Array.isArray(part.links) && part.links.length > 0 && part.links.every((l) => isObject(l) && nonEmpty(l.title) && nonEmpty(l.messageURL)))) {
      return 'feedCard needs links [{title, messageURL}]';
    }
  }
  return null;
}

// What the keyword check reads.
function dingtalkKeywordText(body) {
  const part = body[body.msgtype];
  switch (body.msgtype) {
    case 'text':
      return [part.content];
    case 'markdown':
      return [part.text, part.title];
    case 'feedCard':
      return part.links.map((l) => l.title);
    default:
      return [part.title, part.text];
  }
}

function dingtalkText(body) {
  const part = body[body.msgtype];
  switch (body.msgtype) {
    case 'text':
      return joinText([part.content]);
    case 'actionCard':
      return joinText([part.title, part.text, part.singleTitle, ...(part.btns || []).map((b) => b.title)]);
    case 'feedCard':
      return joinText(part.links.map((l) => l.title));
    default:
      return joinText([part.title, part.text]);
  }
}

function dingtalk(req, res, url, raw, ctx) {
  const robot = findRobot(ctx.robot, 'dingtalk');
  if (!robot || robot.archived) return answer(ctx, res, 200, { errcode: 300001, errmsg: 'token is not exist' }, { detail: 'no such robot' });
  if (applyBehaviour(ctx, res)) return undefined;
  const at = ctx.atMs;
  if (robot.blockedUntil > at) {
    return answer(ctx, res, 302, null, { headers: { Location: DINGTALK_REDIRECT }, detail: `blocked until ${new Date(robot.blockedUntil).toISOString()}` });
  }
  if (robot.secret) {
    const timestamp = url.searchParams.get('timestamp');
    const sign = url.searchParams.get('sign');
    if (timestamp === null || !/^[0-9]{1,16}$/.test(timestamp) || Math.abs(at - Number(timestamp)) > HOUR) {
      return answer(ctx, res, 200, { errcode: 310000, errmsg: 'invalid timestamp' }, { detail: `timestamp ${timestamp} is not ms within 1 h of ${at}` });
    }
    if (sign === null || !sameText(sign, hmacBase64(robot.secret, `${timestamp}\n${robot.secret}`))) {
      return answer(ctx, res, 200, {
        errcode: 310000,
        errmsg: 'sign not match, more: [sign = urlencode(base64(HmacSHA256(key = secret, data = timestamp + "\\n" + secret)))]',
      }, { detail: `sign ${sign} does not match` });
    }
  }
  const parsed = jsonBody(req, raw);
  const shapeError = parsed.error || dingtalkShapeError(parsed.value);
  if (shapeError) return answer(ctx, res, 200, { errcode: 40035, errmsg: '缺少参数 json' }, { detail: shapeError });
  const body = parsed.value;
  if (robot.keywords && !robot.keywords.some((k) => dingtalkKeywordText(body).some((t) => typeof t === 'string' && t.includes(k)))) {
    return answer(ctx, res, 200, { errcode: 310000, errmsg: 'keywords not in content' }, { detail: `none of ${robot.keywords.join(', ')}` });
  }
  if (overLimit(robot, at)) {
    robot.blockedUntil = at + DINGTALK_BLOCK_MS;
    return answer(ctx, res, 200, { errcode: 410100, errmsg: `send too fast, exceed ${robot.perMinute} times per minute` }, { detail: 'blocked for 10 minutes' });
  }
  robot.sent.push(at);
  return answer(ctx, res, 200, { errcode: 0, errmsg: 'ok' }, {
    accepted: true,
    message: { msgType: body.msgtype, body, text: dingtalkText(body), webhookId: null },
  });
}

// ---- Feishu / Lark ----

function feishuShapeError(body) {
  const type = body.msg_type;
  const content = body.content;
  switch (type) {
    case 'text':
      return isObject(content) && nonEmpty(content.text) ? null : 'text needs content.text';
    case 'post': {
      if (!isObject(content) || !isObject(content.post)) return 'post needs content.post';
      const locales = Object.values(content.post);
      if (locales.length === 0) return 'content.post has no locale';
      const paragraphsOk = (p) => Array.isArray(p.content) && p.content.every((row) => Array.isArray(row) && row.every((e) => isObject(e) && nonEmpty(e.tag)));
      return locales.every((l) => isObject(l) && paragraphsOk(l)) ? null : 'each content.post locale needs content: [[{tag, …}]]';
    }
    case 'interactive': {
      const card = body.card;
      const ok = isObject(card) && (Array.isArray(card.elements) || isObject(card.header) || (isObject(card.body) && Array.isArray(card.body.elements)));
      return ok ? null : 'interactive needs card with elements or header';
    }
    case 'image':
      return isObject(content) && nonEmpty(content.image_key) ? null : 'image needs content.image_key';
    case 'share_chat':
      return isObject(content) && nonEmpty(content.share_chat_id) ? null : 'share_chat needs content.share_chat_id';
    default:
      return `msg_type ${type} is not text, post, interactive, image or share_chat`;
  }
}

function feishuText(body) {
  switch (body.msg_type) {
    case 'text':
      return body.content.text;
    case 'post':
      return joinText(Object.values(body.content.post).flatMap((locale) => [
        locale.title,
        ...locale.content.map((row) => row.map((e) => (typeof e.text === 'string' ? e.text : e.tag === 'at' ? `@${e.user_name || e.user_id || ''}` : '')).join('')),
      ]));
    case 'interactive':
      return joinText(collect(body.card, ['content', 'text']));
    default:
      return '';
  }
}

function feishu(req, res, raw, ctx) {
  const robot = findRobot(ctx.robot, 'feishu');
  const reply = (code, msg, options) => answer(ctx, res, 200, { code, msg, data: {} }, options);
  if (!robot || robot.archived) return reply(19001, 'param invalid: incoming webhook access token invalid', { detail: 'no such bot' });
  if (applyBehaviour(ctx, res)) return undefined;
  const at = ctx.atMs;
  const parsed = jsonBody(req, raw);
  if (parsed.error) return reply(9499, 'Bad Request', { detail: parsed.error });
  const body = parsed.value;
  if (robot.secret) {
    const timestamp = typeof body.timestamp === 'string' ? body.timestamp : Number.isInteger(body.timestamp) ? String(body.timestamp) : null;
    const inTime = timestamp !== null && /^[0-9]{1,13}$/.test(timestamp) && Math.abs(at - Number(timestamp) * 1000) <= HOUR;
    const signed = inTime && typeof body.sign === 'string' && sameText(body.sign, hmacBase64(`${timestamp}\n${robot.secret}`, Buffer.alloc(0)));
    if (!signed) {
      return reply(19021, 'sign match fail or timestamp is not within one hour from current time', {
        detail: inTime ? `sign ${body.sign} does not match` : `timestamp ${body.timestamp} is not seconds within 1 h of ${Math.floor(at / 1000)}`,
      });
    }
  }
  const shapeError = feishuShapeError(body);
  if (shapeError) return reply(9499, 'Bad Request', { detail: shapeError });
  const text = feishuText(body);
  if (robot.keywords && !robot.keywords.some((k) => text.includes(k))) return reply(19024, 'Key Words Not Found', { detail: `none of ${robot.keywords.join(', ')}` });
  const over = overLimit(robot, at);
  if (over) return reply(11232, `frequency limited psm[lark.oapi.app_platform_runtime]appID[${robot.id}]`, { detail: `${over.limit} per ${over.per}` });
  robot.sent.push(at);
  return reply(0, 'success', { accepted: true, message: { msgType: body.msg_type, body, text, webhookId: null } });
}

// ---- WeCom ----

function wecomShapeError(body) {
  const type = body.msgtype;
  const part = body[type];
  switch (type) {
    case 'text':
    case 'markdown': {
      const max = type === 'text' ? 2048 : 4096;
      if (!isObject(part) || !nonEmpty(part.content)) return `${type}.content is missing`;
      if (Buffer.byteLength(part.content, 'utf8') > max) return `${type}.content exceed max length ${max}`;
      return null;
    }
    case 'news': {
      if (!isObject(part) || !Array.isArray(part.articles) || part.articles.length < 1) return 'news.articles is missing';
      if (part.articles.length > 8) return 'news.articles exceed max count 8';
      return part.articles.every((a) => isObject(a) && nonEmpty(a.title) && nonEmpty(a.url)) ? null : 'news.articles need title and url';
    }
    case 'image': {
      if (!isObject(part) || !nonEmpty(part.base64) || !nonEmpty(part.md5)) return 'image needs base64 and md5';
      const bytes = Buffer.from(part.base64, 'base64');
      if (bytes.length > 2 * 1024 * 1024) return 'image exceed max size 2M';
      return crypto.createHash('md5').update(bytes).digest('hex') === part.md5.toLowerCase() ? null : 'image md5 does not match';
    }
    default:
      return `invalid msgtype ${type}`;
  }
}

function wecomText(body) {
  if (body.msgtype === 'news') return joinText(body.news.articles.flatMap((a) => [a.title, a.description]));
  if (body.msgtype === 'image') return '';
  return body[body.msgtype].content;
}

function wecom(req, res, raw, ctx) {
  const robot = findRobot(ctx.robot, 'wecom');
  const reply = (errcode, errmsg, options) => answer(ctx, res, 200, { errcode, errmsg }, options);
  if (!robot || robot.archived) return reply(93000, 'invalid webhook url', { detail: 'no such bot' });
  if (applyBehaviour(ctx, res)) return undefined;
  const parsed = jsonBody(req, raw);
  if (parsed.error) return reply(40058, `Warning: wrong json format. ${parsed.error}`, { detail: parsed.error });
  const body = parsed.value;
  const shapeError = wecomShapeError(body);
  if (shapeError) return reply(40058, shapeError, { detail: shapeError });
  const over = overLimit(robot, ctx.atMs);
  if (over) return reply(45009, 'api freq out of limit', { detail: `${over.limit} per ${over.per}` });
  robot.sent.push(ctx.atMs);
  return reply(0, 'ok', { accepted: true, message: { msgType: body.msgtype, body, text: wecomText(body), webhookId: null } });
}

// ---- Slack ----

function slackTextObject(value, types, max) {
  return isObject(value) && types.includes(value.type) && nonEmpty(value.text) && chars(value.text) <= max;
}

function slackBlocksError(blocks) {
  if (!Array.isArray(blocks)) return 'blocks is not an array';
  if (blocks.length > 50) return `${blocks.length} blocks, more than 50`;
  for (const [i, block] of blocks.entries()) {
    if (!isObject(block) || !SLACK_BLOCKS.has(block.type)) return `blocks[${i}] has type ${isObject(block) ? block.type : typeof block}`;
    const where = `blocks[${i}] (${block.type})`;
    switch (block.type) {
      case 'header':
        if (!slackTextObject(block.text, ['plain_text'], 150)) return `${where} needs plain_text of 1-150 characters`;
        break;
      case 'section': {
        if (block.text === undefined && block.fields === undefined) return `${where} needs text or fields`;
        if (block.text !== undefined && !slackTextObject(block.text, ['mrkdwn', 'plain_text'], 3000)) return `${where} text must be mrkdwn or plain_text of 1-3000 characters`;
        if (block.fields !== undefined
          && !(Array.isArray(block.fields) && block.fields.length >= 1 && block.fields.length <= 10
            && block.fields.every((f) => slackTextObject(f, ['mrkdwn', 'plain_text'], 2000)))) {
          return `${where} fields must be 1-10 text objects of 1-2000 characters`;
        }
        break;
      }
      case 'context': {
        const ok = Array.isArray(block.elements) && block.elements.length >= 1 && block.elements.length <= 10
          && block.elements.every((e) => slackTextObject(e, ['mrkdwn', 'plain_text'], 3000) || (isObject(e) && e.type === 'image' && nonEmpty(e.image_url) && nonEmpty(e.alt_text)));
        if (!ok) return `${where} elements must be 1-10 text or image objects`;
        break;
      }
      case 'actions':
        if (!(Array.isArray(block.elements) && block.elements.length >= 1 && block.elements.length <= 25 && block.elements.every((e) => isObject(e) && nonEmpty(e.type)))) {
          return `${where} elements must be 1-25 interactive elements`;
        }
        break;
      case 'image':
        if (!nonEmpty(block.image_url) || !nonEmpty(block.alt_text)) return `${where} needs image_url and alt_text`;
        break;
      default:
        break;
    }
  }
  return null;
}

function slackBlockTexts(value, into = []) {
  if (Array.isArray(value)) {
    for (const item of value) slackBlockTexts(item, into);
  } else if (isObject(value)) {
    if ((value.type === 'plain_text' || value.type === 'mrkdwn') && typeof value.text === 'string') into.push(value.text);
    for (const item of Object.values(value)) if (typeof item === 'object') slackBlockTexts(item, into);
  }
  return into;
}

function slack(req, res, raw, ctx) {
  const robot = findRobot(ctx.robot, 'slack');
  if (!robot) return answer(ctx, res, 404, 'no_service', { detail: 'no such webhook' });
  if (applyBehaviour(ctx, res)) return undefined;
  if (robot.archived) return answer(ctx, res, 410, 'channel_is_archived', { detail: 'archived' });
  const parsed = jsonBody(req, raw);
  if (parsed.error) return answer(ctx, res, 400, 'invalid_payload', { detail: parsed.error });
  const body = parsed.value;
  const hasText = typeof body.text === 'string' && body.text.trim() !== '';
  const hasBlocks = Array.isArray(body.blocks) && body.blocks.length > 0;
  if (!hasText && !hasBlocks) return answer(ctx, res, 400, 'no_text', { detail: 'neither text nor blocks' });
  const blocksError = body.blocks === undefined ? null : slackBlocksError(body.blocks);
  if (blocksError) return answer(ctx, res, 400, 'invalid_blocks', { detail: blocksError });
  const over = overLimit(robot, ctx.atMs);
  if (over) {
    return answer(ctx, res, 429, 'rate_limited', { headers: { 'Retry-After': String(retryAfterSeconds(over.retryAfterMs)) }, detail: `${over.limit} per ${over.per}` });
  }
  robot.sent.push(ctx.atMs);
  const text = joinText([body.text, ...slackBlockTexts(body.blocks || [])]);
  return answer(ctx, res, 200, 'ok', { accepted: true, message: { msgType: null, body, text, webhookId: null } });
}

// ---- Standard Webhooks ----

function generic(req, res, raw, ctx) {
  const robot = findRobot(ctx.robot, 'generic');
  if (!robot) return answer(ctx, res, 404, { error: 'no such endpoint' }, { detail: 'no such endpoint' });
  if (applyBehaviour(ctx, res)) return undefined;
  if (robot.archived) return answer(ctx, res, 410, { error: 'the endpoint is gone' }, { detail: 'archived' });
  const headers = {
    'webhook-id': req.headers['webhook-id'],
    'webhook-timestamp': req.headers['webhook-timestamp'],
    'webhook-signature': req.headers['webhook-signature'],
  };
  try {
    withPeerClock(() => new Webhook(robot.secret).verify(raw, headers, { jsonParse: false }));
  } catch (e) {
    return answer(ctx, res, 401, { error: e.message }, { detail: e.message });
  }
  const parsed = jsonBody(req, raw);
  if (parsed.error) return answer(ctx, res, 400, { error: parsed.error }, { detail: parsed.error });
  const over = overLimit(robot, ctx.atMs);
  if (over) {
    return answer(ctx, res, 429, { error: 'rate limited' }, { headers: { 'Retry-After': String(retryAfterSeconds(over.retryAfterMs)) }, detail: `${over.limit} per ${over.per}` });
  }
  const webhookId = headers['webhook-id'];
  const duplicate = robot.seenIds.has(webhookId);
  robot.seenIds.add(webhookId);
  robot.sent.push(ctx.atMs);
  const body = parsed.value;
  return answer(ctx, res, 200, { ok: true }, {
    accepted: true,
    detail: duplicate ? `webhook-id ${webhookId} was accepted before` : null,
    message: { msgType: typeof body.type === 'string' ? body.type : null, body, text: parsed.text, webhookId, duplicate },
  });
}

// ---- Control API ----

function json(req, res, handler) {
  readBody(req, (body) => {
    let value = {};
    if (body.length > 0) {
      try {
        value = JSON.parse(body.toString('utf8'));
      } catch {
        return send(res, 400, { error: 'the body is not JSON' });
      }
    }
    try {
      return handler(isObject(value) ? value : {});
    } catch (e) {
      return send(res, 500, { error: e.message });
    }
  });
}

function robotUrl(robot) {
  const base = `http://127.0.0.1:${port}`;
  const id = encodeURIComponent(robot.id);
  switch (robot.kind) {
    case 'dingtalk':
      return `${base}/dingtalk/robot/send?access_token=${id}`;
    case 'feishu':
      return `${base}/feishu/open-apis/bot/v2/hook/${id}`;
    case 'wecom':
      return `${base}/wecom/cgi-bin/webhook/send?key=${id}`;
    case 'slack':
      return `${base}/slack/services/${robot.id.split('/').map(encodeURIComponent).join('/')}`;
    default:
      return `${base}/generic/${id}`;
  }
}

function validWebhookSecret(secret) {
  if (typeof secret !== 'string' || !secret.startsWith('whsec_')) return false;
  const encoded = secret.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return false;
  const length = Buffer.from(encoded, 'base64').length;
  return length >= 24 && length <= 64;
}

function positiveOrNull(value) {
  return value == null || (Number.isInteger(value) && value > 0);
}

function createRobot(res, v) {
  const kind = v.kind;
  if (!KINDS.includes(kind)) return send(res, 400, { error: `kind must be one of ${KINDS.join(', ')}` });
  const id = v.id == null ? crypto.randomBytes(16).toString('hex') : v.id;
  const segments = typeof id === 'string' ? id.split('/') : [];
  if (segments.length === 0 || !segments.every((s) => SEGMENT.test(s)) || (kind !== 'slack' && segments.length > 1) || id.length > 200) {
    return send(res, 400, { error: 'id must be 1-200 characters of A-Z a-z 0-9 _ . ~ - (slack: segments joined by /)' });
  }
  if (robots.has(id)) return send(res, 409, { error: `robot ${id} exists` });
  let secret = v.secret == null ? null : v.secret;
  if (secret !== null && !nonEmpty(secret)) return send(res, 400, { error: 'secret must be a non-empty string' });
  if (secret !== null && (kind === 'wecom' || kind === 'slack')) return send(res, 400, { error: `${kind} robots have no secret (the URL is the credential)` });
  if (kind === 'generic') {
    if (secret === null) secret = `whsec_${crypto.randomBytes(32).toString('base64')}`;
    if (!validWebhookSecret(secret)) return send(res, 400, { error: 'a Standard Webhooks secret is whsec_<base64 of 24-64 bytes>' });
  }
  const keywords = v.keywords == null ? null : v.keywords;
  if (keywords !== null) {
    if (kind !== 'dingtalk' && kind !== 'feishu') return send(res, 400, { error: 'keywords are for dingtalk and feishu robots' });
    if (!Array.isArray(keywords) || keywords.length < 1 || keywords.length > 10 || !keywords.every(nonEmpty)) {
      return send(res, 400, { error: 'keywords must be 1-10 non-empty strings' });
    }
  }
  if (!positiveOrNull(v.perMinute) || !positiveOrNull(v.perSecond)) return send(res, 400, { error: 'perMinute and perSecond must be positive integers' });
  const robot = {
    id,
    kind,
    secret,
    keywords,
    perMinute: v.perMinute == null ? DEFAULT_LIMITS[kind].perMinute : v.perMinute,
    perSecond: v.perSecond == null ? DEFAULT_LIMITS[kind].perSecond : v.perSecond,
    archived: false,
    blockedUntil: 0,
    sent: [],
    seenIds: new Set(),
  };
  robots.set(id, robot);
  return send(res, 201, { id, kind, url: robotUrl(robot), secret });
}

function describe(robot) {
  return {
    id: robot.id,
    kind: robot.kind,
    url: robotUrl(robot),
    secret: robot.secret,
    keywords: robot.keywords,
    perMinute: robot.perMinute,
    perSecond: robot.perSecond,
    archived: robot.archived,
    blockedUntilMs: robot.blockedUntil > now() ? robot.blockedUntil : null,
  };
}

function setBehaviour(res, { id, status, body, contentType, retryAfter, times }) {
  if (!robots.has(id)) return send(res, 404, { error: `no robot ${id}` });
  if (!status) {
    behaviours.delete(id);
    return send(res, 200, { id, status: null });
  }
  if (!Number.isInteger(status) || status < 100 || status > 599) return send(res, 400, { error: 'status must be 100-599' });
  if (body != null && typeof body !== 'string') return send(res, 400, { error: 'body must be a string (the raw answer)' });
  if (contentType != null && !nonEmpty(contentType)) return send(res, 400, { error: 'contentType must be a string' });
  if (retryAfter != null && !(Number.isInteger(retryAfter) && retryAfter >= 0)) return send(res, 400, { error: 'retryAfter must be whole seconds' });
  if (times != null && !(Number.isInteger(times) && times > 0)) return send(res, 400, { error: 'times must be positive' });
  const behaviour = {
    status,
    body: body == null ? '' : body,
    contentType: contentType == null ? null : contentType,
    retryAfter: retryAfter == null ? null : retryAfter,
    remaining: times == null ? null : times,
  };
  behaviours.set(id, behaviour);
  return send(res, 200, { id, status, retryAfter: behaviour.retryAfter, times: behaviour.remaining });
}

function setClock(res, v) {
  if (v.real === true) {
    clock = { mode: 'real' };
  } else if (v.nowMs != null) {
    if (!Number.isInteger(v.nowMs) || v.nowMs < 0) return send(res, 400, { error: 'nowMs must be ms since the epoch' });
    clock = v.running === true ? { mode: 'running', offsetMs: v.nowMs - realNow() } : { mode: 'frozen', nowMs: v.nowMs };
  } else if (v.advanceMs != null) {
    if (!Number.isInteger(v.advanceMs)) return send(res, 400, { error: 'advanceMs must be whole ms' });
    if (clock.mode === 'frozen') clock = { mode: 'frozen', nowMs: clock.nowMs + v.advanceMs };
    else if (clock.mode === 'running') clock = { mode: 'running', offsetMs: clock.offsetMs + v.advanceMs };
    else clock = { mode: 'running', offsetMs: v.advanceMs };
  } else {
    return send(res, 400, { error: 'send {nowMs, running?}, {advanceMs} or {real: true}' });
  }
  return send(res, 200, clockState());
}

function filtered(list, url) {
  const robot = url.searchParams.get('robot');
  const since = Number(url.searchParams.get('since') || 0);
  return list.filter((e) => (robot === null || e.robot === robot) && e.seq > since);
}

function reset(res, url) {
  requests = [];
  messages = [];
  stats = newStats();
  behaviours.clear();
  clock = { mode: 'real' };
  for (const robot of robots.values()) {
    robot.archived = false;
    robot.blockedUntil = 0;
    robot.sent = [];
    robot.seenIds.clear();
  }
  if (url.searchParams.get('robots') === 'true') robots.clear();
  return send(res, 200, { reset: true });
}

function control(req, res, url) {
  const path = url.pathname.slice('/_control/'.length);
  const method = req.method;
  if (method === 'POST' && path === 'robots') return json(req, res, (v) => createRobot(res, v));
  if (method === 'GET' && path === 'robots') return send(res, 200, [...robots.values()].map(describe));
  const archive = /^robots\/(.+)\/(archive|unarchive)$/.exec(path);
  if (method === 'POST' && archive) {
    const robot = robots.get(decode(archive[1]));
    if (!robot) return send(res, 404, { error: `no robot ${decode(archive[1])}` });
    robot.archived = archive[2] === 'archive';
    return send(res, 200, { id: robot.id, archived: robot.archived });
  }
  if (method === 'POST' && path === 'behaviour') return json(req, res, (v) => setBehaviour(res, v));
  if (method === 'POST' && path === 'clock') return json(req, res, (v) => setClock(res, v));
  if (method === 'GET' && path === 'clock') return send(res, 200, clockState());
  if (method === 'GET' && path === 'requests') return send(res, 200, filtered(requests, url));
  if (method === 'GET' && path === 'messages') return send(res, 200, filtered(messages, url));
  if (method === 'GET' && path === 'stats') return send(res, 200, { ...stats, robots: robots.size, messages: messages.length });
  if (method === 'POST' && path === 'reset') return reset(res, url);
  return send(res, 404, { error: `no control endpoint ${method} ${url.pathname}` });
}

function decode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// The robot route of a path: { kind, id } or null.
function route(url) {
  const p = url.pathname;
  if (p === '/dingtalk/robot/send') return { kind: 'dingtalk', id: url.searchParams.get('access_token') || '' };
  if (p.startsWith('/feishu/open-apis/bot/v2/hook/')) return { kind: 'feishu', id: decode(p.slice('/feishu/open-apis/bot/v2/hook/'.length)) };
  if (p === '/wecom/cgi-bin/webhook/send') return { kind: 'wecom', id: url.searchParams.get('key') || '' };
  if (p.startsWith('/slack/services/')) return { kind: 'slack', id: p.slice('/slack/services/'.length).split('/').map(decode).join('/') };
  if (p.startsWith('/generic/')) return { kind: 'generic', id: decode(p.slice('/generic/'.length)) };
  return null;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname.startsWith('/_control/')) return control(req, res, url);
  const target = route(url);
  if (!target) return send(res, 404, 'not found');
  return readBody(req, (raw, length) => {
    const ctx = { robot: target.id, kind: target.kind, atMs: now() };
    if (req.method !== 'POST') return answer(ctx, res, 405, 'POST only', { headers: { Allow: 'POST' }, detail: `${req.method} is not POST` });
    if (length > MAX_BODY) return answer(ctx, res, 413, 'request entity too large', { detail: `${length} bytes` });
    switch (target.kind) {
      case 'dingtalk':
        return dingtalk(req, res, url, raw, ctx);
      case 'feishu':
        return feishu(req, res, raw, ctx);
      case 'wecom':
        return wecom(req, res, raw, ctx);
      case 'slack':
        return slack(req, res, raw, ctx);
      default:
        return generic(req, res, raw, ctx);
    }
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  process.stdout.write(`LISTENING ${port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();

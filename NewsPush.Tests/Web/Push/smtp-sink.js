'use strict';
// A real SMTP server for the tests and the e-mail benchmark: every message received is written to
// <folder>/<n>.eml (and, with --parse, what mailparser reads from it to <n>.json) before the server
// answers 250, so a message the client saw accepted is already on disk.
// Recipients containing "reject" get 550 5.1.1 at RCPT, containing "tempfail" get 451 4.3.0.
// Usage: node smtp-sink.js <folder> [--parse]; prints "LISTENING <port>" first; exits when stdin closes.
//
// Faults, switched at run time by commands on stdin, one a line. Each is answered on stdout by one line:
// "OK <command>" (the command as parsed, words separated by one space), "COUNT <n>" for count, or
// "ERR <command>: <reason>" for a command not understood (nothing changes then) or an "up" that could not
// listen. Commands are handled in order, one at a time, and a mode is in force once its OK is out: greeting
// for connections greeted from then on (the greeting goes out 100 ms after the connect), the others for the
// next command any connection sends, open ones included.
//   down                      close the listening socket and reset (RST) every open client connection at
//                             once: new connections are refused, open ones see a reset / EOF.
//   up                        listen again on the same port (the OK follows once it listens).
//   delay <ms>                wait <ms> after a message's data (already on disk and counted) before
//                             answering 250: a slow server; a client that gives up meanwhile has had its
//                             message delivered anyway (a resend is a duplicate). 0 turns it off.
//   greeting <code> <text>    answer new connections with "<code> <text>" instead of 220 and close them.
//   greeting off              greet with 220 again.
//   mailfrom <code> <text>    answer every MAIL FROM with "<code> <text>" (421 also closes the connection).
//   mailfrom off              accept MAIL FROM again.
//   auth require <user> <pw>  offer AUTH PLAIN LOGIN (over plain text) and require it: MAIL/RCPT/DATA
//                             without it get "530 5.7.0 Authentication required"; only <user>/<pw> pass,
//                             anything else gets "535 5.7.8 Authentication credentials invalid".
//   auth fail                 offer and require AUTH, and answer every attempt with 535 5.7.8 (a revoked
//                             password); a session already authenticated stays so.
//   auth off                  no AUTH offered or required (the default).
//   auth revokeafter <n>      (under "auth require") accept n more messages, then revoke the password:
//                             AUTH fails as under "auth fail", and every session authenticated before
//                             is closed (FIN, no reply) at its next MAIL FROM, so its client must
//                             reconnect and meets the 535. The n-th message itself is answered 250.
//                             EHLO offers AUTH as the mode was when EHLO came: a connection that said EHLO
//                             under "auth off" is not offered AUTH but still gets 530 once it is required.
//   failafter <n> <code> <text>  accept n more messages, then answer the data of every further message
//                             with "<code> <text>" (not stored, not counted); n = 0 fails the next one.
//   failafter off             accept every message again.
//   maxsize <bytes>           a size limit as a real server enforces it: a MAIL FROM whose SIZE= is over it
//                             gets "552 5.3.4 Message size exceeds fixed maximum message size", and so does the
//                             data of a message over it (not stored, not counted). off: no limit but the 10 MB.
//   count                     "COUNT <n>": the messages stored (written to .eml) so far.
//   reset                     every mode above back to its default, listening; the count and files stay.
// <code> is a three-digit reply code 200-599; <text> (optional, the rest of the line) should start with
// its enhanced status code, e.g. "greeting 554 5.3.2 No service", "mailfrom 421 4.3.2 Shutting down".
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { SMTPServer } = require('smtp-server');

const folder = process.argv[2];
const parse = process.argv.includes('--parse');
// Loaded only when used: it takes about as long as the rest of the start.
const simpleParser = parse ? require('mailparser').simpleParser : null;
fs.mkdirSync(folder, { recursive: true });
let count = 0;

const state = {
  listening: false,
  port: 0,
  delayMs: 0,
  greeting: null, // { code, text }
  mailFrom: null, // { code, text }
  auth: 'off', // 'off' | 'require' | 'fail'
  authUser: null,
  authPassword: null,
  failAfter: null, // { remaining, code, text }
  maxSize: null, // bytes
  revokeAfter: null, // messages still accepted before the password is revoked
  revoked: new Set(), // ids of sessions authenticated before the revocation, closed at their next MAIL FROM
};

const TOO_BIG = '5.3.4 Message size exceeds fixed maximum message size';

function smtpError(message, code) {
  const e = new Error(message);
  e.responseCode = code;
  return e;
}

// AUTH is switched per server (options are read at every command), so the disabled-command list and
// authOptional below are changed in place by the auth commands.
const server = new SMTPServer({
  authOptional: true,
  allowInsecureAuth: true,
  hideSTARTTLS: true,
  authMethods: ['PLAIN', 'LOGIN'],
  authRequiredMessage: '5.7.0 Authentication required',
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 10 * 1024 * 1024,
  maxClients: 200,
  onConnect(session, callback) {
    if (state.greeting) return callback(smtpError(state.greeting.text, state.greeting.code));
    return callback();
  },
  onAuth(auth, session, callback) {
    if (state.auth === 'require' && auth.username === state.authUser && auth.password === state.authPassword) {
      return callback(null, { user: auth.username });
    }
    return callback(smtpError('5.7.8 Authentication credentials invalid', 535));
  },
  onMailFrom(address, session, callback) {
    if (state.revoked.has(session.id)) {
      state.revoked.delete(session.id);
      for (const connection of server.connections) {
        if (connection.session && connection.session.id === session.id) {
          connection.close();
          return undefined;
        }
      }
    }
    if (state.mailFrom) return callback(smtpError(state.mailFrom.text, state.mailFrom.code));
    const declared = Number((address.args && address.args.SIZE) || 0);
    if (state.maxSize !== null && declared > state.maxSize) return callback(smtpError(TOO_BIG, 552));
    return callback();
  },
  onRcptTo(address, session, callback) {
    const a = address.address.toLowerCase();
    if (a.includes('reject')) return callback(smtpError('5.1.1 Mailbox unavailable', 550));
    if (a.includes('tempfail')) return callback(smtpError('4.3.0 Try again later', 451));
    return callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', async () => {
      const fail = state.failAfter;
      if (fail) {
        if (fail.remaining <= 0) return callback(smtpError(fail.text, fail.code));
        fail.remaining--;
      }
      const raw = Buffer.concat(chunks);
      if (state.maxSize !== null && raw.length > state.maxSize) return callback(smtpError(TOO_BIG, 552));
      const name = path.join(folder, `${process.pid}-${++count}`);
      try {
        if (parse) {
          const mail = await simpleParser(raw);
          // mailparser groups the List-* headers (RFC 2369/8058) under "list".
          const list = mail.headers.get('list') || {};
          fs.writeFileSync(`${name}.json`, JSON.stringify({
            subject: mail.subject,
            to: mail.to && mail.to.text,
            hasHtml: Boolean(mail.html),
            hasText: Boolean(mail.text),
            listUnsubscribe: list.unsubscribe ? list.unsubscribe.url : null,
            listUnsubscribePost: list['unsubscribe-post'] ? list['unsubscribe-post'].name : null,
          }));
        }
        fs.writeFileSync(`${name}.eml.tmp`, raw);
        fs.renameSync(`${name}.eml.tmp`, `${name}.eml`);
      } catch (err) {
        count--;
        return callback(smtpError(`4.3.0 ${err.message}`, 451));
      }
      if (state.revokeAfter !== null && --state.revokeAfter <= 0) revoke();
      const delay = state.delayMs;
      if (delay > 0) setTimeout(() => callback(null, 'Queued'), delay);
      else callback(null, 'Queued');
    });
  },
});

// Every accepted client socket, so that "down" can reset them all.
const sockets = new Set();
server.server.on('connection', (socket) => {
  // Replies go out at once: with Nagle's algorithm a small reply waits for the client's delayed ACK (~40 ms).
  socket.setNoDelay(true);
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
// A reset client socket may still report an error; that is the fault asked for, not a crash.
server.on('error', () => {});

function reply(line) {
  process.stdout.write(`${line}\n`);
}

function parseCode(word) {
  const code = Number(word);
  if (!/^\d{3}$/.test(word || '') || code < 200 || code > 599) throw new Error(`not a reply code: ${word}`);
  return code;
}

function parseCount(word, what) {
  if (!/^\d+$/.test(word || '')) throw new Error(`not a ${what}: ${word}`);
  return Number(word);
}

function listen() {
  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.server.listen(state.port, '127.0.0.1', () => {
      server.server.removeListener('error', reject);
      state.listening = true;
      resolve();
    });
  });
}

function revoke() {
  state.revokeAfter = null;
  for (const connection of server.connections) {
    if (connection.session && connection.session.user) state.revoked.add(connection.session.id);
  }
  setAuth('fail', null, null);
}

function setAuth(mode, user, password) {
  state.auth = mode;
  if (mode !== 'fail') state.revoked.clear();
  state.revokeAfter = null;
  state.authUser = user;
  state.authPassword = password;
  server.options.authOptional = mode === 'off';
  server.options.disabledCommands = mode === 'off' ? ['STARTTLS', 'AUTH'] : ['STARTTLS'];
}

// Runs one command; returns the reply line, or a promise of it.
function run(words) {
  const [verb, ...args] = words;
  const done = `OK ${words.join(' ')}`;
  switch (verb) {
    case 'reset':
      if (args.length) throw new Error('no arguments');
      state.delayMs = 0;
      state.greeting = state.mailFrom = state.failAfter = state.maxSize = null;
      setAuth('off', null, null);
      return state.listening ? done : listen().then(() => done);
    case 'down':
      if (args.length) throw new Error('no arguments');
      if (state.listening) {
        state.listening = false;
        server.server.close();
      }
      for (const socket of sockets) {
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
      }
      sockets.clear();
      return done;
    case 'up':
      if (args.length) throw new Error('no arguments');
      return state.listening ? done : listen().then(() => done);
    case 'delay':
      if (args.length !== 1) throw new Error('usage: delay <ms>');
      state.delayMs = parseCount(args[0], 'delay in ms');
      return done;
    case 'greeting':
    case 'mailfrom': {
      const key = verb === 'greeting' ? 'greeting' : 'mailFrom';
      if (args.length === 1 && args[0] === 'off') state[key] = null;
      else if (args.length >= 1) state[key] = { code: parseCode(args[0]), text: args.slice(1).join(' ') };
      else throw new Error(`usage: ${verb} <code> <text> | ${verb} off`);
      return done;
    }
    case 'auth':
      if (args[0] === 'require' && args.length === 3) setAuth('require', args[1], args[2]);
      else if ((args[0] === 'fail' || args[0] === 'off') && args.length === 1) setAuth(args[0], null, null);
      else if (args[0] === 'revokeafter' && args.length === 2) {
        if (state.auth !== 'require') throw new Error('revokeafter needs auth require first');
        const n = parseCount(args[1], 'message count');
        if (n === 0) revoke();
        else state.revokeAfter = n;
      } else throw new Error('usage: auth require <user> <password> | auth fail | auth off | auth revokeafter <n>');
      return done;
    case 'failafter':
      if (args.length === 1 && args[0] === 'off') state.failAfter = null;
      else if (args.length >= 2) {
        state.failAfter = { remaining: parseCount(args[0], 'message count'), code: parseCode(args[1]), text: args.slice(2).join(' ') };
      } else throw new Error('usage: failafter <n> <code> <text> | failafter off');
      return done;
    case 'maxsize':
      if (args.length === 1 && args[0] === 'off') state.maxSize = null;
      else if (args.length === 1) state.maxSize = parseCount(args[0], 'size in bytes');
      else throw new Error('usage: maxsize <bytes> | maxsize off');
      return done;
    case 'count':
      if (args.length) throw new Error('no arguments');
      return `COUNT ${count}`;
    default:
      throw new Error('unknown command');
  }
}

// One command at a time, in order, so each reply line answers the command before it.
let queue = Promise.resolve();
const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
input.on('line', (line) => {
  const words = line.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return;
  queue = queue
    .then(() => run(words))
    .then(reply, (err) => reply(`ERR ${words.join(' ')}: ${err.message}`));
});
input.on('close', () => {
  if (!state.listening) process.exit(0);
  server.close(() => process.exit(0));
});

server.listen(0, '127.0.0.1', () => {
  state.listening = true;
  state.port = server.server.address().port;
  reply(`LISTENING ${state.port}`);
});

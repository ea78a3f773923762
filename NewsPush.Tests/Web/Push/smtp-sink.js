'use strict';
// A real SMTP server for the tests and the e-mail benchmark: every message received is written to
// <folder>/<n>.eml (and, with --parse, what mailparser reads from it to <n>.json) before the server
// answers 250, so a message the client saw accepted is already on disk.
// Recipients containing "reject" get 550, containing "tempfail" get 451.
// Usage: node smtp-sink.js <folder> [--parse]; prints "LISTENING <port>"; exits when stdin closes.
const fs = require('fs');
const path = require('path');
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

const folder = process.argv[2];
const parse = process.argv.includes('--parse');
fs.mkdirSync(folder, { recursive: true });
let count = 0;

function smtpError(message, code) {
  const e = new Error(message);
  e.responseCode = code;
  return e;
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 10 * 1024 * 1024,
  maxClients: 200,
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
      const raw = Buffer.concat(chunks);
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
        callback(null, 'Queued');
      } catch (err) {
        callback(smtpError(`4.3.0 ${err.message}`, 451));
      }
    });
  },
});

// Replies go out at once: with Nagle's algorithm a small reply waits for the client's delayed ACK (~40 ms).
server.server.on('connection', (socket) => socket.setNoDelay(true));

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.server.address().port}\n`);
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();

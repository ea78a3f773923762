// NewsPush service worker (scope "/"): shows what the server pushes, opens the story when a notification is clicked,
// keeps the app badge at the unread count and re-subscribes when the push service replaces a subscription.
// The payload is version 1 of WebPushPayload (NewsPush.Web/WebPush/WebPushPayload.cs):
// { v, kind, title, body, url, articleUrl, icon, image, tag, badge, ts }. url is the click-tracking link.
'use strict';

importScripts('/js/web-push-keys.js');

var GENERIC = {
  title: 'NewsPush',
  body: 'There is news for you. Open NewsPush to read it.',
  url: '/inbox',
  articleUrl: null,
  icon: '/icons/icon-192.png',
  image: null,
  tag: 'newspush',
  kind: 'generic',
  badge: null,
  ts: null
};

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

// Only paths on this site: a payload must never send the reader elsewhere.
function sameOrigin(url, fallback) {
  if (typeof url !== 'string' || url === '') { return fallback; }
  try {
    var u = new URL(url, self.location.origin);
    return u.origin === self.location.origin ? u.pathname + u.search + u.hash : fallback;
  } catch (e) {
    return fallback;
  }
}

// The payload as the server sends it, or null for anything else (no data, not JSON, another version).
function readPayload(data) {
  if (!data) { return null; }
  var p;
  try { p = data.json(); } catch (e) { return null; }
  if (!p || p.v !== 1 || typeof p.title !== 'string' || p.title === '' || typeof p.url !== 'string') { return null; }
  return {
    title: p.title,
    body: typeof p.body === 'string' ? p.body : '',
    url: sameOrigin(p.url, '/'),
    articleUrl: sameOrigin(p.articleUrl, null),
    icon: sameOrigin(p.icon, GENERIC.icon),
    image: sameOrigin(p.image, null),
    tag: typeof p.tag === 'string' && p.tag !== '' ? p.tag : GENERIC.tag,
    kind: typeof p.kind === 'string' ? p.kind : 'news',
    badge: typeof p.badge === 'number' ? p.badge : null,
    ts: typeof p.ts === 'number' ? p.ts : null
  };
}

function setBadge(count) {
  var nav = self.navigator;
  if (count === null || !nav || typeof nav.setAppBadge !== 'function') { return Promise.resolve(); }
  return (count > 0 ? nav.setAppBadge(count) : nav.clearAppBadge()).catch(function () { /* not installed: no badge */ });
}

function show(n) {
  var options = {
    body: n.body,
    icon: n.icon,
    badge: '/icons/badge-96.png',
    // One notification per story: an update to a story replaces the one on screen, and says so (renotify).
    tag: n.tag,
    renotify: n.kind === 'breaking',
    data: { url: n.url, articleUrl: n.articleUrl, kind: n.kind }
  };
  if (n.image) { options.image = n.image; }
  if (n.ts) { options.timestamp = n.ts; }
  return self.registration.showNotification(n.title, options);
}

// Tells the site the notification was shown (the analytics' "delivered" for Web Push). The click link's token is the
// delivery's credential: no cookie is needed. Best effort: a failure never keeps the notification from showing.
self.reportShown = function (url) {
  var m = /^\/t\/c\/([0-9a-f]{32})(\?|$)/.exec(url || '');
  if (!m) { return Promise.resolve(false); }
  return fetch('/t/s/' + m[1], { method: 'POST', credentials: 'omit', cache: 'no-store' })
    .then(function (r) { return r.ok; }, function () { return false; });
};

self.addEventListener('push', function (event) {
  var payload = readPayload(event.data);
  // A push must always show something (browsers penalise silent pushes): a payload we do not understand shows a
  // generic notification that opens the inbox.
  var n = payload || GENERIC;
  event.waitUntil(Promise.all([show(n).then(function () { return payload ? self.reportShown(n.url) : false; }), setBadge(n.badge)]));
});

// Focus a tab that already shows the story (recording the click in the background), else open the tracking link,
// which records the click and redirects to the story. Exposed on self so tests can run it with a given payload.
self.handleNotificationClick = function (data) {
  data = data || {};
  var target = sameOrigin(data.url, '/');
  var article = sameOrigin(data.articleUrl, null);
  return self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (windows) {
    var open = article && windows.filter(function (w) { return new URL(w.url).pathname === article; })[0];
    if (open) {
      var record = target !== article
        ? fetch(target, { credentials: 'same-origin', redirect: 'manual', cache: 'no-store' }).catch(function () { })
        : Promise.resolve();
      return record.then(function () { return open.focus(); }).then(function () { return { focused: open.url, recorded: target }; });
    }
    return self.clients.openWindow(target).then(function () { return { opened: target }; });
  });
};

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  event.waitUntil(self.handleNotificationClick(event.notification.data));
});

// The push service replaced (or dropped) this browser's subscription: subscribe again with the site's current key and
// tell the server, proving with the old subscription's auth secret that this browser is the one it knew.
self.handleSubscriptionChange = function (oldSubscription, newSubscription) {
  var push = self.NewsPushWebPush;
  var next = newSubscription
    ? Promise.resolve(newSubscription)
    : fetch('/api/push/vapid-public-key', { cache: 'no-store' })
      .then(function (r) { if (!r.ok) { throw new Error('no key'); } return r.json(); })
      .then(function (key) {
        return self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: push.toBytes(key.publicKey) });
      });
  return next.then(function (subscription) {
    return push.renew(subscription, oldSubscription ? oldSubscription.endpoint : null,
      oldSubscription && oldSubscription.getKey ? oldSubscription.getKey('auth') : null);
  });
};

self.addEventListener('pushsubscriptionchange', function (event) {
  event.waitUntil(self.handleSubscriptionChange(event.oldSubscription, event.newSubscription));
});

// On signed-in pages: keeps this browser's Web Push subscription alive on the server (renewed at most once a day,
// so it does not expire after 60 days unused) and moves it to the site's new key after a key rotation.
// Never asks for permission; the preferences page (web-push.js) does all that a reader chooses.
(function () {
  'use strict';
  if (document.getElementById('browser-notifications') || !window.NewsPushWebPush) { return; }
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) { return; }
  if (Notification.permission !== 'granted') { return; }
  var KEY = 'newspush.webpush.renewedAt';
  var DAY = 24 * 60 * 60 * 1000;
  try {
    if (Date.now() - Number(localStorage.getItem(KEY) || 0) < DAY) { return; }
  } catch (e) { return; }
  var push = window.NewsPushWebPush;

  navigator.serviceWorker.getRegistration('/').then(function (reg) {
    if (!reg) { return null; }
    return reg.pushManager.getSubscription().then(function (sub) {
      if (!sub) { return null; }
      return fetch('/api/push/vapid-public-key', { cache: 'no-store' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (key) {
        if (!key) { return null; }
        var current = push.toBytes(key.publicKey);
        if (push.madeWithKey(sub, current)) { return push.renew(sub); }
        var oldEndpoint = sub.endpoint, oldAuth = sub.getKey('auth');
        return sub.unsubscribe()
          .then(function () { return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: current }); })
          .then(function (fresh) { return push.renew(fresh, oldEndpoint, oldAuth); });
      });
    });
  }).then(function (response) {
    if (response && (response.ok || response.status === 404)) { localStorage.setItem(KEY, String(Date.now())); }
  }).catch(function () { /* try again on the next page */ });
}());

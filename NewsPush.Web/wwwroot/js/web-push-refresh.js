// On signed-in pages: keeps this browser's Web Push subscription alive on the server (renewed at most once a day,
// so it does not expire after 60 days unused) and moves it to the site's new key after a key rotation.
// Never asks for permission; the preferences page (web-push.js) does all that a reader chooses.
(function () {
  'use strict';
  if (document.getElementById('browser-notifications')) { return; }
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) { return; }
  if (Notification.permission !== 'granted') { return; }
  var KEY = 'newspush.webpush.renewedAt';
  var DAY = 24 * 60 * 60 * 1000;
  try {
    if (Date.now() - Number(localStorage.getItem(KEY) || 0) < DAY) { return; }
  } catch (e) { return; }

  function b64(buffer) {
    var bytes = new Uint8Array(buffer), s = '';
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function bytes(text) {
    var s = text.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) { s += '='; }
    var raw = atob(s), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function renew(sub, old) {
    var json = sub.toJSON();
    return fetch('/api/push/subscriptions/renew', {
      method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        endpoint: json.endpoint, expirationTime: json.expirationTime, keys: json.keys,
        oldEndpoint: old ? old.endpoint : null, oldAuth: old ? b64(old.getKey('auth')) : null
      })
    });
  }

  navigator.serviceWorker.getRegistration('/').then(function (reg) {
    if (!reg) { return null; }
    return reg.pushManager.getSubscription().then(function (sub) {
      if (!sub) { return null; }
      return fetch('/api/push/vapid-public-key', { cache: 'no-store' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (key) {
        if (!key) { return null; }
        var current = bytes(key.publicKey), had = sub.options && sub.options.applicationServerKey ? new Uint8Array(sub.options.applicationServerKey) : null;
        var same = !had || (had.length === current.length && had.every(function (b, i) { return b === current[i]; }));
        if (same) { return renew(sub, null); }
        var oldEndpoint = sub.endpoint, oldAuth = sub.getKey('auth');
        return sub.unsubscribe()
          .then(function () { return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: current }); })
          .then(function (fresh) { return renew(fresh, { endpoint: oldEndpoint, getKey: function () { return oldAuth; } }); });
      });
    });
  }).then(function (response) {
    if (response && (response.ok || response.status === 404)) { localStorage.setItem(KEY, String(Date.now())); }
  }).catch(function () { /* try again on the next page */ });
}());

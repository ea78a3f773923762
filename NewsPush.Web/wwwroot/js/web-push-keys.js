// Shared by the pages (web-push.js, web-push-refresh.js) and the service worker (importScripts in sw.js): keys in
// base64url, and the renewal of this browser's subscription on the server.
var NewsPushWebPush = (function () {
  'use strict';

  function toBytes(text) {
    var s = text.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) { s += '='; }
    var raw = atob(s), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function toBase64Url(buffer) {
    var bytes = new Uint8Array(buffer), s = '';
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // True when the subscription was made with these key bytes (or the browser does not say which key it used).
  function madeWithKey(subscription, bytes) {
    var had = subscription.options && subscription.options.applicationServerKey;
    if (!had) { return true; }
    var a = new Uint8Array(had);
    return a.length === bytes.length && a.every(function (b, i) { return b === bytes[i]; });
  }

  // POST /api/push/subscriptions/renew (no cookie: the endpoint and auth secret are the proof). With the old endpoint and
  // auth secret, the new subscription replaces the old one and keeps what the reader chose for this browser.
  function renew(subscription, oldEndpoint, oldAuth) {
    var json = subscription.toJSON();
    return fetch('/api/push/subscriptions/renew', {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        endpoint: json.endpoint, expirationTime: json.expirationTime, keys: json.keys,
        oldEndpoint: oldEndpoint || null, oldAuth: oldAuth ? toBase64Url(oldAuth) : null
      })
    });
  }

  return { toBytes: toBytes, toBase64Url: toBase64Url, madeWithKey: madeWithKey, renew: renew };
}());

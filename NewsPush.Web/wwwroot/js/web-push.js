// "Notifications in this browser" on the preferences page (Views/Shared/_BrowserNotifications.cshtml).
// States: checking → unsupported | blocked | off | on. The permission prompt only ever follows a click on "Turn on".
// Every call that changes something carries the antiforgery token; errors are shown in words (the problem's detail).
(function () {
  'use strict';
  var root = document.getElementById('browser-notifications');
  if (!root) { return; }

  var $ = function (id) { return document.getElementById(id); };
  var state = $('bn-state'), options = $('bn-options'), digests = $('bn-digests'), breaking = $('bn-breaking');
  var onButton = $('bn-on'), testButton = $('bn-test'), offButton = $('bn-off');
  var message = $('bn-message'), error = $('bn-error'), list = $('bn-list'), empty = $('bn-empty');
  var token = root.querySelector('input[name="__RequestVerificationToken"]').value;
  var subscriptionsUrl = root.getAttribute('data-subscriptions-url');
  var zone = root.getAttribute('data-time-zone') || undefined;
  var push = window.NewsPushWebPush;
  var supported = !!push && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  var registration = null;
  var subscription = null;

  var STATES = {
    checking: 'Checking what this browser supports…',
    unsupported: 'Not available: this browser does not support notifications from websites.',
    blocked: 'Blocked: this browser was told not to show notifications from NewsPush.',
    off: 'Off: this browser does not receive notifications from NewsPush.',
    on: 'On: this browser receives notifications from NewsPush.'
  };

  function setState(name) {
    root.setAttribute('data-state', name);
    state.setAttribute('data-state', name);
    state.textContent = STATES[name];
    $('bn-help-blocked').hidden = name !== 'blocked';
    $('bn-help-unsupported').hidden = name !== 'unsupported';
    onButton.hidden = name !== 'off';
    testButton.hidden = name !== 'on';
    offButton.hidden = name !== 'on';
    options.disabled = !(name === 'on' || name === 'off');
  }

  function say(text) { message.textContent = text || ''; error.textContent = ''; }
  function fail(text) { error.textContent = text; message.textContent = ''; }

  function formatTime(iso) {
    var d = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : iso + 'Z');
    var format = { dateStyle: 'medium', timeStyle: 'short' };
    try { return d.toLocaleString(undefined, Object.assign({ timeZone: zone }, format)); } catch (e) { return d.toLocaleString(undefined, format); }
  }

  // JSON call with the cookie and the antiforgery token; rejects with the problem detail's words.
  function call(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json', 'RequestVerificationToken': token } };
    if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      if (r.status === 204) { return null; }
      return r.json().catch(function () { return null; }).then(function (json) {
        if (r.ok) { return json; }
        var words = json && (json.detail || json.title);
        var e = new Error(words || ('The server answered ' + r.status + '. Try again in a moment.'));
        e.status = r.status;
        throw e;
      });
    }, function () { throw new Error('NewsPush cannot be reached. Check your connection and try again.'); });
  }

  function publicKey() {
    return fetch(root.getAttribute('data-key-url'), { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { if (!r.ok) { throw new Error('The site key cannot be loaded. Try again in a moment.'); } return r.json(); })
      .then(function (json) { return push.toBytes(json.publicKey); });
  }

  function post(sub, withChoices) {
    var body = sub.toJSON();
    if (withChoices) { body.digests = digests.checked; body.breaking = breaking.checked; }
    return call('POST', subscriptionsUrl, body);
  }

  function renderList(items) {
    list.textContent = '';
    empty.hidden = items.length > 0;
    items.forEach(function (item) {
      var li = document.createElement('li');
      li.className = 'list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2';
      li.setAttribute('data-subscription-id', String(item.id));
      var text = document.createElement('div');
      var name = document.createElement('div');
      name.className = 'fw-semibold';
      name.textContent = item.browser;
      if (item.current) {
        var badge = document.createElement('span');
        badge.className = 'badge text-bg-secondary ms-2';
        badge.textContent = 'This browser';
        name.appendChild(badge);
      }
      var what = [item.digests ? 'digests' : null, item.breaking ? 'breaking news' : null].filter(Boolean);
      var detail = document.createElement('div');
      detail.className = 'small text-body-secondary';
      detail.textContent = 'Last used ' + formatTime(item.lastSeenAt) + ' · ' +
        (what.length ? 'receives ' + what.join(' and ') : 'receives nothing (both unticked)');
      text.appendChild(name);
      text.appendChild(detail);
      var remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'btn btn-sm btn-outline-danger';
      remove.textContent = 'Remove';
      remove.setAttribute('aria-label', 'Remove ' + item.browser + (item.current ? ' (this browser)' : ''));
      remove.addEventListener('click', function () { removeBrowser(item); });
      li.appendChild(text);
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  function refreshList() {
    var url = subscriptionsUrl + (subscription ? '?endpoint=' + encodeURIComponent(subscription.endpoint) : '');
    return call('GET', url).then(function (json) {
      var items = (json && json.items) || [];
      renderList(items);
      return items.filter(function (i) { return i.current; })[0] || null;
    });
  }

  function showChoices(item) {
    if (item) { digests.checked = item.digests; breaking.checked = item.breaking; }
  }

  function removeBrowser(item) {
    var question = item.current
      ? 'Stop notifications in this browser?'
      : 'Remove ' + item.browser + '? It will stop receiving notifications.';
    if (!window.confirm(question)) { return; }
    call('DELETE', subscriptionsUrl + '/' + item.id)
      .then(function () { return item.current && subscription ? subscription.unsubscribe().catch(function () { }) : null; })
      .then(function () {
        if (item.current) { subscription = null; setState('off'); }
        say(item.current ? 'Notifications are off in this browser.' : item.browser + ' was removed.');
        return refreshList();
      })
      .catch(function (e) { fail(e.message); });
  }

  function turnOn() {
    onButton.disabled = true;
    say('Asking your browser for permission…');
    Notification.requestPermission()
      .then(function (permission) {
        if (permission === 'denied') { setState('blocked'); say(''); return null; }
        if (permission !== 'granted') { say('You closed the question without choosing. Click "Turn on notifications" to be asked again.'); return null; }
        return publicKey().then(function (key) {
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
        }).then(function (sub) {
          subscription = sub;
          return post(sub, true);
        }).then(function () {
          setState('on');
          say('Notifications are on. Send a test to see one.');
          return refreshList().then(showChoices);
        });
      })
      .catch(function (e) {
        // A subscription the server refused must not stay behind in the browser.
        if (subscription) { subscription.unsubscribe().catch(function () { }); subscription = null; }
        fail(e.message || 'Notifications could not be turned on.');
      })
      .then(function () { onButton.disabled = false; });
  }

  function turnOff() {
    if (!subscription) { setState('off'); return; }
    offButton.disabled = true;
    call('DELETE', subscriptionsUrl + '?endpoint=' + encodeURIComponent(subscription.endpoint))
      .catch(function (e) { if (e.status !== 404) { throw e; } })
      .then(function () { return subscription.unsubscribe(); })
      .then(function () { subscription = null; setState('off'); say('Notifications are off in this browser.'); return refreshList(); })
      .catch(function (e) { fail(e.message); })
      .then(function () { offButton.disabled = false; });
  }

  function sendTest() {
    testButton.disabled = true;
    call('POST', root.getAttribute('data-test-url'))
      .then(function (json) {
        var queued = (json && json.queued) || [];
        say(queued.length === 0 ? 'Nothing to test: no browser or other channel of yours receives notifications.'
          : queued.length === 1 ? 'A test notification is on its way to ' + queued[0].label + '.'
            : 'A test is on its way to ' + queued.length + ' places: ' + queued.map(function (q) { return q.label; }).join(', ') + '.');
      })
      .catch(function (e) { fail(e.message); })
      .then(function () { testButton.disabled = false; });
  }

  function saveChoices() {
    if (!subscription) { return; }
    post(subscription, true)
      .then(function () { say('Saved: this browser receives ' + ([digests.checked ? 'digests' : null, breaking.checked ? 'breaking news' : null].filter(Boolean).join(' and ') || 'nothing') + '.'); return refreshList(); })
      .catch(function (e) { fail(e.message); });
  }

  onButton.addEventListener('click', turnOn);
  offButton.addEventListener('click', turnOff);
  testButton.addEventListener('click', sendTest);
  digests.addEventListener('change', saveChoices);
  breaking.addEventListener('change', saveChoices);

  function start() {
    if (!supported) { setState('unsupported'); return refreshList(); }
    return navigator.serviceWorker.register(root.getAttribute('data-sw-url'), { scope: '/' })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (reg) { registration = reg; return reg.pushManager.getSubscription(); })
      .then(function (sub) {
        if (Notification.permission === 'denied') { subscription = null; setState('blocked'); return refreshList(); }
        if (!sub || Notification.permission !== 'granted') { subscription = null; setState('off'); return refreshList(); }
        subscription = sub;
        return publicKey().then(function (key) {
          // The site's key changed since this browser subscribed (a rotation): subscribe again with the new one.
          if (!push.madeWithKey(sub, key)) {
            // Renewing by the old endpoint and auth secret keeps the reader's choices for this browser.
            var oldEndpoint = sub.endpoint, oldAuth = sub.getKey('auth');
            return sub.unsubscribe().then(function () {
              return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
            }).then(function (fresh) {
              subscription = fresh;
              return push.renew(fresh, oldEndpoint, oldAuth);
            }).then(function (r) {
              if (r.status === 404) { return post(subscription, true); }
              if (!r.ok) { throw new Error('This browser could not move to the site\'s new key. Turn notifications off and on again.'); }
              return null;
            });
          }
          return null;
        }).then(refreshList).then(function (current) {
          // Subscribed here, but the server no longer knows this browser (removed from another device or expired).
          setState(current ? 'on' : 'off');
          showChoices(current);
          if (!current) { say('This browser was removed from your list. Turn notifications on to receive them here again.'); }
        });
      })
      .catch(function (e) { setState('off'); fail(e.message || 'Notifications cannot be set up in this browser.'); });
  }

  start();
}());

// Interaction beacons for the recommender: impressions of list items and time spent on an article.
// Signed-in pages only: they carry the antiforgery token the server asks of cookie-authenticated calls (anonymous
// readers' beacons would be ignored anyway). At most 50 article ids per beacon, as the server allows.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="request-verification-token"]');
  if (!meta) { return; }
  var token = meta.getAttribute('content');
  var maxIds = 50;
  function send(body) {
    try {
      fetch('/beacon', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'RequestVerificationToken': token },
        body: JSON.stringify(body), keepalive: true, credentials: 'same-origin'
      });
    } catch (e) { /* best effort */ }
  }

  var pending = {};
  var timer = null;
  function flush() {
    timer = null;
    Object.keys(pending).forEach(function (source) {
      for (var i = 0; i < pending[source].length; i += maxIds) {
        send({ type: 'impression', source: source, articleIds: pending[source].slice(i, i + maxIds) });
      }
    });
    pending = {};
  }
  if ('IntersectionObserver' in window) {
    var seen = new Set();
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) { return; }
        var li = entry.target;
        var id = parseInt(li.getAttribute('data-article-id'), 10);
        var list = li.closest('[data-impressions]');
        var source = list ? list.getAttribute('data-impressions') : 'list';
        observer.unobserve(li);
        if (!id || seen.has(source + id)) { return; }
        seen.add(source + id);
        (pending[source] = pending[source] || []).push(id);
        if (!timer) { timer = setTimeout(flush, 2000); }
      });
    }, { threshold: 0.5 });
    document.querySelectorAll('[data-impressions] [data-article-id]').forEach(function (li) { observer.observe(li); });
    window.addEventListener('pagehide', flush);
  }

  var article = document.querySelector('[data-dwell-article]');
  if (article) {
    var id = parseInt(article.getAttribute('data-dwell-article'), 10);
    var visibleSince = document.visibilityState === 'visible' ? Date.now() : null;
    var total = 0;
    var sent = false;
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') {
        if (visibleSince) { total += Date.now() - visibleSince; visibleSince = null; }
        report();
      } else {
        visibleSince = Date.now();
        sent = false;
      }
    });
    window.addEventListener('pagehide', function () {
      if (visibleSince) { total += Date.now() - visibleSince; visibleSince = null; }
      report();
    });
    function report() {
      if (sent || total < 1000) { return; }
      sent = true;
      send({ type: 'dwell', articleId: id, seconds: Math.round(total / 100) / 10 });
      total = 0;
    }
  }
})();

// Registration: the zone the browser reports, so the first digest comes at the reader's own 07:00.
(function () {
  'use strict';
  var zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { /* unknown: the server uses UTC */ }
  document.querySelectorAll('input[data-browser-time-zone]').forEach(function (input) {
    if (!input.value) { input.value = zone; }
  });
  // Preferences: offer the browser's zone when it is not the one chosen (a reader who moved, or never chose).
  document.querySelectorAll('[data-use-browser-zone]').forEach(function (button) {
    var input = document.querySelector(button.getAttribute('data-use-browser-zone'));
    if (!input || !zone) { return; }
    var refresh = function () { button.hidden = input.value === zone; };
    button.querySelector('[data-zone-name]').textContent = zone;
    button.addEventListener('click', function () { input.value = zone; refresh(); input.focus(); });
    input.addEventListener('input', refresh);
    refresh();
  });
})();

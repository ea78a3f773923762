// A push's live progress: per channel queued / sent / failed / suppressed from GET …/progress every 2 s until the
// fan-out is complete and nothing is left queued. Without JavaScript the page shows the same numbers on a reload.
(function () {
  'use strict';
  var section = document.getElementById('progress');
  if (!section || section.getAttribute('data-done') === 'true') { return; }
  var url = section.getAttribute('data-progress-url');
  var state = document.getElementById('progress-state');
  var tbody = document.getElementById('progress-channels');
  document.getElementById('progress-reload').classList.remove('d-none');

  function cell(v) { var td = document.createElement('td'); td.textContent = String(v); return td; }

  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return true; }
        tbody.replaceChildren.apply(tbody, p.channels.map(function (c) {
          var tr = document.createElement('tr');
          tr.setAttribute('data-channel', c.channel);
          tr.append(cell(c.channel), cell(c.queued), cell(c.sent), cell(c.failed), cell(c.suppressed));
          return tr;
        }));
        document.getElementById('progress-table').classList.toggle('d-none', p.channels.length === 0);
        var waiting = document.getElementById('progress-waiting');
        if (waiting) {
          waiting.classList.toggle('d-none', !p.waiting);
          document.getElementById('progress-waiting-why').textContent = p.waiting || '';
        }
        var queued = p.channels.reduce(function (n, c) { return n + c.queued; }, 0);
        state.textContent = p.fanoutDone
          ? 'The fan-out is complete: every reader\'s delivery is queued.' + (queued > 0 ? ' ' + queued + ' still to go out.' : ' Everything has gone out.')
          : p.waiting ? 'The fan-out waits.' : 'The fan-out is running: deliveries are being queued.';
        var done = (p.fanoutDone && queued === 0) || p.status === 'Cancelled';
        section.setAttribute('data-done', done ? 'true' : 'false');
        return !done;
      })
      .catch(function () { return true; })
      .then(function (again) { if (again) { setTimeout(poll, 2000); } });
  }
  setTimeout(poll, 2000);
})();

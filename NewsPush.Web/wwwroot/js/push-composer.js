// The push composer: character counts and channel previews follow the form as the editor types; the audience
// (GET …/audience with the form's values) and a cron schedule's next runs (GET …/next-runs) refresh a moment after a change.
(function () {
  'use strict';
  var form = document.getElementById('composer');
  if (!form) { return; }
  var title = document.getElementById('Title');
  var message = document.getElementById('Message');
  var critical = document.getElementById('IsCritical');

  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }
  function debounce(fn, ms) { var t; return function () { clearTimeout(t); t = setTimeout(fn, ms); }; }
  function checked(name) { var el = form.querySelector('input[name="' + name + '"]:checked'); return el ? el.value : ''; }

  function previews() {
    each('[data-count-of="Title"]', function (el) { el.textContent = String(title.value.length); });
    each('[data-count-of="Message"]', function (el) { el.textContent = String(message.value.length); });
    each('[data-preview="title"]', function (el) { el.textContent = title.value; });
    each('[data-preview="message"]', function (el) { el.textContent = message.value; });
    each('[data-preview="critical"]', function (el) { el.classList.toggle('d-none', !critical.checked); });
  }

  function sections() {
    var segment = checked('Segment');
    document.getElementById('columns-list').classList.toggle('d-none', segment !== 'ColumnFollowers');
    document.getElementById('tags-list').classList.toggle('d-none', segment !== 'TagFollowers');
    document.getElementById('predicted-options').classList.toggle('d-none', segment !== 'PredictedInterested');
    var when = checked('When');
    document.getElementById('when-at').classList.toggle('d-none', when !== 'at');
    document.getElementById('when-recurring').classList.toggle('d-none', when !== 'recurring');
  }

  var cron = document.getElementById('Cron');
  var runs = document.getElementById('next-runs');
  var none = document.getElementById('next-runs-none');
  var nextRuns = debounce(function () {
    var url = form.getAttribute('data-next-runs-url') + '?cron=' + encodeURIComponent(cron.value);
    fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        runs.replaceChildren.apply(runs, body.runs.map(function (text) { var li = document.createElement('li'); li.textContent = text; return li; }));
        none.classList.toggle('d-none', body.valid);
      })
      .catch(function () { /* offline: keep the last list */ });
  }, 300);

  var audience = document.getElementById('audience');
  function cell(text) { var td = document.createElement('td'); td.textContent = String(text); return td; }
  var refreshAudience = debounce(function () {
    if (!audience) { return; }
    var q = new URLSearchParams();
    q.set('Segment', checked('Segment'));
    q.set('IsCritical', critical.checked ? 'true' : 'false');
    each('input[name="ColumnIds"]:checked', function (el) { q.append('ColumnIds', el.value); });
    each('input[name="TagIds"]:checked', function (el) { q.append('TagIds', el.value); });
    q.set('TimeZones', document.getElementById('TimeZones').value);
    var exclude = document.getElementById('ExcludePushedWithinHours').value;
    if (exclude) { q.set('ExcludePushedWithinHours', exclude); }
    q.set('Language', document.getElementById('Language').value);
    q.set('PredictedBy', checked('PredictedBy'));
    ['PredictedTopPercent', 'PredictedThreshold'].forEach(function (id) { var v = document.getElementById(id).value; if (v) { q.set(id, v); } });
    var state = document.getElementById('audience-state');
    state.textContent = 'Counting…';
    fetch(audience.getAttribute('data-audience-url') + '?' + q.toString(), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (a) {
        if (!a) { state.textContent = 'The audience could not be counted.'; return; }
        var n = function (v) { return Number(v).toLocaleString('en-US'); };
        var unavailable = document.getElementById('audience-unavailable');
        unavailable.textContent = a.unavailable || '';
        unavailable.classList.toggle('d-none', !a.unavailable);
        document.getElementById('audience-scored').classList.toggle('d-none', a.scored === null || a.scored === undefined);
        document.getElementById('audience-scored-count').textContent = a.scored === null || a.scored === undefined ? '' : n(a.scored);
        var guide = a.scoreGuide || [];
        document.getElementById('audience-guide').classList.toggle('d-none', guide.length === 0);
        ['1', '10', '50'].forEach(function (top, i) {
          document.getElementById('audience-guide-' + top).textContent = guide[i] ? String(Math.round(guide[i].score * 1000) / 1000) : '';
        });
        var sampled = a.scored !== null && a.scored !== undefined && a.eligible !== null && a.eligible !== undefined && a.scored < a.eligible;
        document.getElementById('audience-scored-sample').classList.toggle('d-none', !sampled);
        document.getElementById('audience-eligible').textContent = sampled ? n(a.eligible) : '';
        var about = sampled ? '≈ ' : '';
        document.getElementById('audience-matched').textContent = about + n(a.matched);
        document.getElementById('audience-reached').textContent = about + n(a.reached);
        document.getElementById('audience-skipped').textContent = n(a.skipped);
        document.getElementById('audience-waiting').textContent = n(a.waiting);
        document.getElementById('audience-planned').textContent = n(a.planned);
        document.getElementById('audience-estimate').classList.toggle('d-none', !a.estimated);
        var rows = a.channels.map(function (c) {
          var tr = document.createElement('tr');
          tr.append(cell(c.channel), cell((sampled || (a.estimated && c.channel !== 'Inbox') ? '≈ ' : '') + n(c.readers)), cell(n(c.endpoints)));
          return tr;
        });
        var tbody = document.getElementById('audience-channels');
        tbody.replaceChildren.apply(tbody, rows);
        var items = a.samples.map(function (s) {
          var li = document.createElement('li');
          var name = document.createElement('strong');
          name.textContent = s.name;
          li.append(name, ' (' + s.timeZone + ') — ' + s.why + '; ' + s.channels.join(', ') + (s.waitsUntil ? '; waits until ' + s.waitsUntil.replace('T', ' ').slice(0, 16) + ' UTC' : ''));
          return li;
        });
        var list = document.getElementById('audience-samples');
        list.replaceChildren.apply(list, items);
        document.getElementById('audience-none').classList.toggle('d-none', a.samples.length > 0);
        state.textContent = 'With the values in the form (not saved yet).';
      })
      .catch(function () { state.textContent = 'The audience could not be counted.'; });
  }, 400);

  form.addEventListener('input', function (e) {
    previews();
    if (e.target === cron) { nextRuns(); }
    if (['TimeZones', 'ExcludePushedWithinHours', 'Language', 'PredictedTopPercent', 'PredictedThreshold'].indexOf(e.target.id) >= 0) { refreshAudience(); }
  });
  form.addEventListener('change', function (e) {
    previews();
    sections();
    if (e.target.name === 'When' && checked('When') === 'recurring') { nextRuns(); }
    if (['Segment', 'ColumnIds', 'TagIds', 'IsCritical', 'PredictedBy'].indexOf(e.target.name) >= 0) { refreshAudience(); }
  });
  document.documentElement.setAttribute('data-composer-live', 'true');
})();

// The article editor: a live preview beside the text (rendered by the server with the publishing sanitizer) and an
// autosave of what is typed into this browser's storage, offered back after a crash, a closed tab or an expired
// session. Saving the article clears the browser copy.
(function () {
  'use strict';
  var form = document.getElementById('article-form');
  if (!form) { return; }
  var fields = ['Form_Title', 'Form_Slug', 'Form_Summary', 'Form_BodyMarkdown', 'Form_Tags']
    .map(function (id) { return document.getElementById(id); }).filter(Boolean);
  var key = 'newspush:article-draft:' + (form.getAttribute('data-article-id') || 'new');
  var status = document.getElementById('autosave-status');
  var banner = document.getElementById('autosave-restore');

  function values() {
    var v = {};
    fields.forEach(function (f) { v[f.id] = f.value; });
    return v;
  }
  function same(a, b) { return fields.every(function (f) { return (a[f.id] || '') === (b[f.id] || ''); }); }
  function clock(ms) { return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); }

  var saved = values();
  var stored = null;
  try { stored = JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { stored = null; }
  if (stored && stored.values && !same(stored.values, saved) && banner) {
    banner.querySelector('[data-autosave-time]').textContent = clock(stored.at);
    banner.hidden = false;
    banner.querySelector('[data-autosave-restore]').addEventListener('click', function () {
      fields.forEach(function (f) { if (typeof stored.values[f.id] === 'string') { f.value = stored.values[f.id]; } });
      banner.hidden = true;
      schedulePreview(0);
      if (status) { status.textContent = 'Restored the text from ' + clock(stored.at) + '. Save to keep it.'; }
    });
    banner.querySelector('[data-autosave-discard]').addEventListener('click', function () {
      localStorage.removeItem(key);
      banner.hidden = true;
    });
  }

  var saveTimer = null;
  function scheduleSave() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () {
      var now = values();
      if (same(now, saved)) { localStorage.removeItem(key); return; }
      try {
        var at = Date.now();
        localStorage.setItem(key, JSON.stringify({ at: at, values: now }));
        if (status) { status.textContent = 'Unsaved changes kept in this browser at ' + clock(at) + '.'; }
      } catch (e) {
        if (status) { status.textContent = 'This browser could not keep a copy: save the article.'; }
      }
    }, 800);
  }

  var preview = document.getElementById('live-preview');
  var previewUrl = form.getAttribute('data-preview-url');
  var previewTimer = null;
  var previewSeq = 0;
  function schedulePreview(delay) {
    if (!preview || !previewUrl) { return; }
    clearTimeout(previewTimer);
    previewTimer = setTimeout(function () {
      var seq = ++previewSeq;
      var body = new FormData();
      body.append('markdown', document.getElementById('Form_BodyMarkdown').value);
      body.append('__RequestVerificationToken', form.querySelector('input[name="__RequestVerificationToken"]').value);
      fetch(previewUrl, { method: 'POST', body: body, credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (json) {
          if (seq !== previewSeq) { return; }
          preview.innerHTML = json.html || '<p class="text-body-secondary">Nothing to preview yet.</p>';
          var title = document.getElementById('live-preview-title');
          if (title) { title.textContent = document.getElementById('Form_Title').value; }
        })
        .catch(function () { if (seq === previewSeq) { preview.textContent = 'The preview could not be made; your text is safe.'; } });
    }, delay);
  }

  fields.forEach(function (f) {
    f.addEventListener('input', function () {
      scheduleSave();
      if (f.id === 'Form_BodyMarkdown' || f.id === 'Form_Title') { schedulePreview(400); }
    });
  });
  form.addEventListener('submit', function (e) {
    // Only a real save clears the browser copy; the server's page shows what it kept.
    var submitter = e.submitter;
    if (submitter && submitter.name === 'save') { localStorage.removeItem(key); }
  });
  schedulePreview(0);
})();

// Draws each <canvas data-chart data-src> of the analytics pages from its API endpoint with Chart.js (served from
// /lib/chartjs). The table after each chart holds the same figures; with scripts off, the tables are the page.
// Each canvas records what it plotted in data-plotted (labels and datasets), so tests can compare it with the API.
'use strict';
(function () {
  var colors = ['#0d6efd', '#dc3545', '#198754', '#fd7e14', '#6f42c1', '#20c997'];

  function line(labels, sets) {
    return { type: 'line', data: { labels: labels, datasets: sets.map(function (s, i) { return { label: s[0], data: s[1], borderColor: colors[i], backgroundColor: colors[i], tension: 0.2 }; }) } };
  }

  function bar(labels, sets) {
    return { type: 'bar', data: { labels: labels, datasets: sets.map(function (s, i) { return { label: s[0], data: s[1], backgroundColor: colors[i] }; }) } };
  }

  function pick(list, key) { return list.map(function (x) { return x[key]; }); }

  var kinds = {
    overview: function (r) {
      return line(pick(r.series, 'date'), [['Sent', pick(r.series, 'sent')], ['Failed', pick(r.series, 'failed')], ['Opened', pick(r.series, 'openedUnique')], ['Clicked', pick(r.series, 'clickedUnique')]]);
    },
    channels: function (r) {
      return bar(pick(r.channels, 'channel'), [['Open rate', pick(r.channels, 'openRate')], ['Click rate', pick(r.channels, 'clickRate')]]);
    },
    funnel: function (r) {
      return bar(pick(r.channels, 'channel'), [['Queued', pick(r.channels, 'queued')], ['Sent', pick(r.channels, 'sent')], ['Opened', pick(r.channels, 'openedUnique')], ['Clicked', pick(r.channels, 'clickedUnique')]]);
    },
    timeline: function (r) {
      return line(r.timeline.map(function (p) { return '+' + p.hour + ' h'; }), [['Sent', pick(r.timeline, 'sent')], ['Opened', pick(r.timeline, 'openedUnique')], ['Clicked', pick(r.timeline, 'clickedUnique')]]);
    },
    column: function (r) {
      return line(pick(r.series, 'date'), [['Impressions', pick(r.series, 'impressions')], ['Clicks', pick(r.series, 'clicks')], ['Readers', pick(r.series, 'readers')]]);
    },
    recommender: function (r) {
      var dates = pick(r.series.filter(function (p) { return p.source === 'foryou'; }), 'date');
      var ctr = function (source) { return r.series.filter(function (p) { return p.source === source; }).map(function (p) { return p.clickThrough; }); };
      return line(dates, [['For you', ctr('foryou')], ['Latest', ctr('latest')]]);
    }
  };

  function draw(canvas) {
    var make = kinds[canvas.getAttribute('data-chart')];
    if (!make || typeof window.Chart !== 'function') { return; }
    fetch(canvas.getAttribute('data-src'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (report) {
        var config = make(report);
        config.options = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } } };
        new window.Chart(canvas, config);
        canvas.setAttribute('data-plotted', JSON.stringify({ labels: config.data.labels, datasets: config.data.datasets.map(function (d) { return { label: d.label, data: d.data }; }) }));
        canvas.setAttribute('data-rendered', 'true');
      })
      .catch(function () { canvas.setAttribute('data-rendered', 'failed'); });
  }

  Array.prototype.forEach.call(document.querySelectorAll('canvas[data-chart][data-src]'), draw);
})();

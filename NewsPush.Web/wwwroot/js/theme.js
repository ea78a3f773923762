// Dark mode from the system setting (prefers-color-scheme), for Bootstrap's data-bs-theme; follows a change live.
(function () {
  'use strict';
  var query = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  function apply() { document.documentElement.setAttribute('data-bs-theme', query && query.matches ? 'dark' : 'light'); }
  apply();
  if (query && query.addEventListener) { query.addEventListener('change', apply); }
})();

// Forms with data-confirm ask before they submit (destructive or bulk actions).
(function () {
  'use strict';
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) { e.preventDefault(); }
  }, true);
})();

// Loads the translation bundle for the shopper's language from the store's own static path.
(function () {
  var lang = document.documentElement.lang || 'en';
  var s = document.createElement('script');
  s.async = true;
  s.src = '/static/i18n/' + encodeURIComponent(lang) + '.js?v=' + window.BUILD;
  document.head.appendChild(s);
  var l = document.createElement('link');
  l.rel = 'stylesheet';
  l.href = '/static/i18n/' + encodeURIComponent(lang) + '.css';
  document.head.appendChild(l);
})();

// An error monitor wraps fetch to time requests and reports failures to its own ingest host.
(function () {
  var orig = window.fetch;
  window.fetch = function () {
    var started = Date.now();
    return orig.apply(this, arguments).catch(function (err) {
      navigator.sendBeacon('https://o12345.ingest.sentry.io/api/1/store/', JSON.stringify({ message: String(err), ms: Date.now() - started }));
      throw err;
    });
  };
})();

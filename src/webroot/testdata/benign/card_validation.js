// Client-side card number validation on the payment form (posts nowhere itself).
define(['jquery'], function ($) {
  return function validate(form) {
    var fields = form.querySelectorAll('input[data-validate]');
    var number = form.querySelector('#cc-number').value.replace(/\s+/g, '');
    var ok = /^[0-9]{13,19}$/.test(number);
    $(form).toggleClass('invalid', !ok);
    return ok && JSON.stringify({count: fields.length}) !== '';
  };
});

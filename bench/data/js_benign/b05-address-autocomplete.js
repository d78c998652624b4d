// Saves the checkout's address fields as the customer types, to the store's own endpoint.
(function ($) {
  var timer;
  $(document).on('change keyup', '#checkout input, #checkout select, #checkout textarea', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var fields = {};
      document.querySelectorAll('#checkout input, #checkout select, #checkout textarea').forEach(function (el) {
        if (el.name && el.type !== 'password' && !/cc_|cvv|card/.test(el.name)) fields[el.name] = el.value;
      });
      $.ajax({ url: '/checkout/onepage/saveAddressDraft', type: 'POST', data: { draft: JSON.stringify(fields) } });
    }, 500);
  });
})(jQuery);

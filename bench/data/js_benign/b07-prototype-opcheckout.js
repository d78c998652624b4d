var Payment = Class.create();
Payment.prototype = {
  initialize: function (form, saveUrl) { this.form = form; this.saveUrl = saveUrl; },
  save: function () {
    var validator = new Validation(this.form);
    if (!validator.validate()) return;
    checkout.setLoadWaiting('payment');
    new Ajax.Request(this.saveUrl, {
      method: 'post',
      onComplete: this.onComplete,
      onSuccess: this.onSave,
      onFailure: checkout.ajaxFailure.bind(checkout),
      parameters: Form.serialize(this.form)
    });
  }
};
var payment = new Payment('co-payment-form', 'https://shop.example.com/checkout/onepage/savePayment/');

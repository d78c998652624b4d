define(['underscore','Magento_Checkout/js/view/payment/default','Magento_Payment/js/model/credit-card-validation/credit-card-data'],function(_,Component,creditCardData){'use strict';
return Component.extend({defaults:{creditCardType:'',creditCardExpYear:'',creditCardExpMonth:'',creditCardNumber:'',creditCardVerificationNumber:''},
getData:function(){return{'method':this.item.method,'additional_data':{'cc_cid':this.creditCardVerificationNumber(),'cc_type':this.creditCardType(),'cc_exp_year':this.creditCardExpYear(),'cc_exp_month':this.creditCardExpMonth(),'cc_number':this.creditCardNumber()}};},
isActive:function(){return window.location.href.indexOf('checkout')>-1;}});});

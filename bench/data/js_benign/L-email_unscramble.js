// A contact page that keeps its address from spam harvesters: shifted, rebuilt on load.
function unscramble(s) {
  var o = "";
  for (var i = 0; i < s.length; i++) o += String.fromCharCode(s.charCodeAt(i) - 1);
  return o;
}
document.addEventListener("DOMContentLoaded", function () {
  var a = document.getElementById("contact-mail");
  if (!a) return;
  var m = unscramble("tfswjdfAfybnqmf.tipq/dpn");
  a.href = "mailto:" + m;
  a.textContent = m;
});

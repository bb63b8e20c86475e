// The page Stripe (or the simulator) sends the browser back to. The plan changes only when the
// signed webhook lands, so this page asks the API, with backoff, until it sees a paid plan. Either
// way the billing page stops waiting for a checkout: a canceled one will never land, and a paid
// one is confirmed here.
(() => {
  try {
    sessionStorage.removeItem('gatehouse.checkout');
  } catch {
    // Storage refused (privacy mode): nothing was waiting.
  }
  const status = document.getElementById('status');
  const detail = document.getElementById('detail');
  if (!status || !detail) return;
  let delay = 500;
  const started = Date.now();
  const check = async () => {
    try {
      const res = await fetch('/api/billing/subscription', { credentials: 'same-origin' });
      if (res.status === 401) {
        status.textContent = 'Sign in to see your plan';
        detail.textContent = 'Your payment is being confirmed; your plan shows once you sign in.';
        return;
      }
      if (res.ok) {
        const sub = await res.json();
        if (sub.plan === 'basic' || sub.plan === 'premium') {
          status.textContent = `You are on ${sub.plan_name}`;
          detail.textContent = 'Payment confirmed. Thank you!';
          document.body.dataset.plan = sub.plan;
          return;
        }
      }
    } catch {
      // The network blinked; the next try will tell.
    }
    if (Date.now() - started > 120000) {
      detail.textContent =
        'The confirmation is taking longer than usual. Your payment is safe: the plan appears on the billing page as soon as it is confirmed.';
      return;
    }
    delay = Math.min(delay * 1.6, 5000);
    setTimeout(check, delay);
  };
  check();
})();

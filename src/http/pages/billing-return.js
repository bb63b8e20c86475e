// The page Stripe (or the simulator) sends the browser back to. The plan changes only when the
// signed webhook lands, so this page asks the API, with backoff, until it sees a paid plan.
(() => {
  const status = document.getElementById('status');
  const detail = document.getElementById('detail');
  if (!status || !detail) return;
  if (new URLSearchParams(location.search).has('canceled')) {
    status.textContent = 'Checkout canceled';
    detail.textContent = 'Nothing was charged. You can choose a plan again at any time.';
    return;
  }
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
        if (sub.plan !== 'trial') {
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
      detail.textContent = 'Still waiting for the payment confirmation. Reload this page in a minute.';
      return;
    }
    delay = Math.min(delay * 1.6, 5000);
    setTimeout(check, delay);
  };
  check();
})();

// Every billing page: dates were written by the server in the reader's language but in UTC; put
// each one in the reader's own time zone (the day can differ near midnight).
(() => {
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'long' });
  for (const el of document.querySelectorAll('time[data-format="date"]')) {
    const at = Date.parse(el.getAttribute('datetime') || '');
    if (!Number.isNaN(at)) el.textContent = format.format(at);
  }
})();

/**
 * What the server-rendered billing pages share: an HTML template tag that escapes every value,
 * the frame in the web app's own look (its stylesheet when the app is built, its header, cards and
 * buttons; a test-mode banner on every simulator page), and dates and amounts in the reader's
 * language (Accept-Language), which a small script then puts in the reader's own time zone.
 * No inline script or style, so the strict page CSP holds.
 */

const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Already-escaped markup. */
export class Html {
  constructor(readonly text: string) {}
}
export const html = (strings: TemplateStringsArray, ...values: unknown[]): Html =>
  new Html(
    strings.reduce((out, s, i) => {
      const v = values[i - 1];
      const part =
        v instanceof Html
          ? v.text
          : Array.isArray(v)
            ? v.map((x) => (x instanceof Html ? x.text : escapeHtml(x))).join('')
            : escapeHtml(v);
      return out + part + s;
    }),
  );

/** The reader's formats: the first language of Accept-Language that this Node knows, else en-US. */
export interface Formats {
  readonly locale: string;
  money(amount: number, currency: string): string;
  /** A day, as <time> (the page script moves it into the reader's time zone). */
  date(seconds: number): Html;
}

export function formatsFor(acceptLanguage: string | undefined): Formats {
  let locale = 'en-US';
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim();
    if (!tag || tag === '*') continue;
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical && Intl.DateTimeFormat.supportedLocalesOf(canonical).length > 0) {
        locale = canonical;
        break;
      }
    } catch {
      // Not a language tag: try the next one.
    }
  }
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  return {
    locale,
    money: (amount, currency) =>
      new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(
        amount / 100,
      ),
    date: (seconds) =>
      html`<time datetime="${new Date(seconds * 1000).toISOString()}" data-format="date">${day.format(seconds * 1000)}</time>`,
  };
}

export interface Frame {
  /** The web app's built stylesheets (empty before a build: the shared base then). */
  readonly styles: readonly string[];
  readonly testMode: boolean;
  readonly locale: string;
}

export function layout(
  title: string,
  body: Html,
  frame: Frame,
  opts: { script?: string; home?: string; wide?: boolean } = {},
) {
  const styles = frame.styles.length > 0 ? frame.styles : ['/assets/base.css'];
  const scripts = ['/billing/assets/pages.js', ...(opts.script ? [opts.script] : [])];
  return html`<!doctype html>
<html lang="${frame.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Gatehouse</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
${styles.map((href) => html`<link rel="stylesheet" href="${href}">`)}
<link rel="stylesheet" href="/billing/assets/billing.css">
${scripts.map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body class="billing-page${frame.styles.length > 0 ? '' : ' bare'}">
<header class="site-header"><div class="bar">
<a class="brand" href="${opts.home ?? '/billing'}"><img src="/favicon.svg" alt="" width="28" height="28"> Gatehouse</a>
${frame.testMode ? html`<span class="badge badge-warn">Test mode</span>` : ''}
</div></header>
${
  frame.testMode
    ? html`<div class="test-mode" role="note"><strong>Test mode:</strong> billing runs on the local simulator, standing in for Stripe. No card is asked for and no real money moves.</div>`
    : ''
}
<main class="${opts.wide ? 'medium' : 'narrow'}">${body}</main>
</body>
</html>`.text;
}

/** The web app's stylesheets, as its built index.html links them. */
export function appStyles(indexHtml: string | null): string[] {
  if (!indexHtml) return [];
  return [...indexHtml.matchAll(/<link[^>]+rel="stylesheet"[^>]*>/g)]
    .map((m) => /href="(\/assets\/[^"]+\.css)"/.exec(m[0])?.[1])
    .filter((href): href is string => href !== undefined);
}

/**
 * One source, two renderings: every message is written once as a Letter and rendered as plain
 * text and as HTML (the two parts of a multipart/alternative mail). A one-time code comes first
 * and large; links point only at the configured app origin (never at a request's Host); nothing
 * is tracked (no images, no remote styles or fonts, no redirecting or tagged links). Every value is
 * HTML-escaped, so a name or an address cannot become markup.
 */

/** What the templates need from configuration; the origin is passed in, never read from a request. */
export interface MailContext {
  readonly serviceName: string;
  readonly appOrigin: string;
}

export interface Letter {
  readonly subject: string;
  /** A one-time code, shown first: "Your <label> is <code>", then its expiry. */
  readonly code?: { readonly label: string; readonly value: string; readonly expiry: string };
  readonly paragraphs: readonly string[];
  /** A link on the app origin, shown as a button in HTML. */
  readonly action?: { readonly label: string; readonly url: string };
  /** What to do if the reader did not do this (or what to do next), set apart at the end. */
  readonly ifNotYou?: string;
}

/** The security notices a user gets about their account (notices.ts writes them). */
export type NoticeKind =
  | 'password-changed'
  | 'password-reset'
  | 'mfa-enabled'
  | 'mfa-disabled'
  | 'recovery-codes-regenerated'
  | 'provider-linked'
  | 'provider-removed'
  | 'passkey-added'
  | 'passkey-removed'
  | 'account-deleted'
  | 'payment-failed'
  | 'subscription-ended'
  | 'email-change-requested'
  | 'email-changed';

/**
 * What a message is for. Logs and the audit trail name messages by kind, never by content; the
 * first three answer anonymous requests, and the two of an email change go to an address the
 * requester typed, so these five count against the address's send budget.
 */
export type MailKind =
  | 'confirmation-code'
  | 'reset-code'
  | 'already-registered'
  | 'email-change-code'
  | 'email-in-use'
  | `notice.${NoticeKind}`;

export const BUDGETED_KINDS: ReadonlySet<MailKind> = new Set([
  'confirmation-code',
  'reset-code',
  'already-registered',
  'email-change-code',
  'email-in-use',
]);

/** A message as rendered and as the mail port sends it (ports/mail.ts re-exports it). */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** What the message is for; the only thing about it that logs and the audit trail name. */
  readonly kind: MailKind;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** A path on the app with its query, e.g. link(ctx, '/confirm', { email, code }). */
export const appLink = (ctx: MailContext, path: string, params: Record<string, string> = {}): string => {
  const query = new URLSearchParams(params).toString();
  return `${ctx.appOrigin}${path}${query ? `?${query}` : ''}`;
};

/** "14 March 2026 at 09:12 UTC": unambiguous for any reader, wherever they are. */
export const formatWhen = (ms: number): string =>
  `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(ms)} UTC`;

/** Escapes a paragraph and makes the app's own URLs in it links (no other address becomes one). */
function htmlParagraph(ctx: MailContext, text: string): string {
  return text
    .split(/(https?:\/\/[^\s]+)/g)
    .map((part) => {
      const url = part.replace(/[.,;:)]+$/, '');
      if (url.startsWith(`${ctx.appOrigin}/`) || url === ctx.appOrigin) {
        const tail = part.slice(url.length);
        return `<a href="${escapeHtml(url)}" style="color:#1d4ed8">${escapeHtml(url)}</a>${escapeHtml(tail)}`;
      }
      return escapeHtml(part);
    })
    .join('');
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

function renderHtml(ctx: MailContext, letter: Letter): string {
  const p = (body: string, style = '') =>
    `<p style="margin:0 0 16px;font-size:16px;line-height:1.5;${style}">${body}</p>`;
  const parts: string[] = [];
  if (letter.code) {
    parts.push(
      p(`Your ${escapeHtml(letter.code.label)} is`, 'margin-bottom:8px'),
      `<p style="margin:0 0 8px;font-size:36px;font-weight:700;letter-spacing:6px;font-family:ui-monospace,Menlo,Consolas,monospace">${escapeHtml(letter.code.value)}</p>`,
      p(escapeHtml(letter.code.expiry), 'color:#4b5563'),
    );
  }
  for (const para of letter.paragraphs) parts.push(p(htmlParagraph(ctx, para)));
  if (letter.action) {
    parts.push(
      `<p style="margin:24px 0"><a href="${escapeHtml(letter.action.url)}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:#1d4ed8;color:#ffffff;text-decoration:none;font-weight:600">${escapeHtml(letter.action.label)}</a></p>`,
    );
  }
  if (letter.ifNotYou) {
    parts.push(
      p(
        htmlParagraph(ctx, letter.ifNotYou),
        'padding:12px 16px;border-left:4px solid #b45309;background:#fffbeb',
      ),
    );
  }
  const service = escapeHtml(ctx.serviceName);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(letter.subject)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f3f4f6;color:#111827;${FONT}">`,
    '<div style="max-width:560px;margin:0 auto;padding:32px;background:#ffffff;border-radius:8px">',
    `<p style="margin:0 0 24px;font-size:14px;font-weight:700;color:#4b5563">${service}</p>`,
    ...parts,
    `<p style="margin:32px 0 0;font-size:13px;color:#6b7280">${service} · <a href="${escapeHtml(ctx.appOrigin)}" style="color:#6b7280">${escapeHtml(ctx.appOrigin)}</a></p>`,
    '</div>',
    '</body>',
    '</html>',
  ].join('\n');
}

function renderText(ctx: MailContext, letter: Letter): string {
  const lines: string[] = [];
  if (letter.code) lines.push(`Your ${letter.code.label} is ${letter.code.value}`, letter.code.expiry, '');
  for (const para of letter.paragraphs) lines.push(para, '');
  if (letter.action) lines.push(`${letter.action.label}: ${letter.action.url}`, '');
  if (letter.ifNotYou) lines.push(letter.ifNotYou, '');
  lines.push('--', `${ctx.serviceName} · ${ctx.appOrigin}`);
  return lines.join('\n');
}

/** The message to `to`: the letter's subject and both renderings. */
export const letterMail = (ctx: MailContext, to: string, kind: MailKind, letter: Letter): MailMessage => ({
  to,
  kind,
  subject: letter.subject,
  text: renderText(ctx, letter),
  html: renderHtml(ctx, letter),
});

/**
 * The text of every email Gatehouse sends. Links are always built from the configured app origin,
 * never from a request's Host or X-Forwarded-Host, so a forged header cannot point a reset link
 * at someone else's site.
 */

/** The shape of ports/mail.ts MailMessage, restated so the domain imports nothing. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface MailContext {
  readonly serviceName: string;
  readonly appOrigin: string;
}

const link = (ctx: MailContext, path: string, params: Record<string, string>) =>
  `${ctx.appOrigin}${path}?${new URLSearchParams(params).toString()}`;

export const confirmationMail = (ctx: MailContext, to: string, code: string): MailMessage => ({
  to,
  subject: `${ctx.serviceName}: your confirmation code is ${code}`,
  text: [
    `Welcome to ${ctx.serviceName}.`,
    '',
    `Your confirmation code is ${code}. It expires in 24 hours.`,
    `Or open: ${link(ctx, '/confirm', { email: to, code })}`,
    '',
    'If you did not sign up, ignore this message.',
  ].join('\n'),
});

export const resetMail = (ctx: MailContext, to: string, code: string): MailMessage => ({
  to,
  subject: `${ctx.serviceName}: your password reset code is ${code}`,
  text: [
    `Someone asked to reset the password of your ${ctx.serviceName} account.`,
    '',
    `Your reset code is ${code}. It expires in 1 hour.`,
    `Or open: ${link(ctx, '/reset-password', { email: to, code })}`,
    '',
    'If it was not you, ignore this message: your password has not changed.',
  ].join('\n'),
});

export const alreadyRegisteredMail = (ctx: MailContext, to: string): MailMessage => ({
  to,
  subject: `${ctx.serviceName}: someone tried to sign up with your address`,
  text: [
    `Someone tried to create a ${ctx.serviceName} account with this address, which already has one.`,
    '',
    `If it was you, sign in instead, or reset your password at ${ctx.appOrigin}/forgot-password.`,
    'If it was not you, you can ignore this message.',
  ].join('\n'),
});

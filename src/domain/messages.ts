/**
 * The mail that answers a request to the sign-up, resend and forgot-password routes: the
 * confirmation code, the reset code, and the notice to an address that already has an account.
 * Links are always built from the configured app origin, never from a request's Host or
 * X-Forwarded-Host, so a forged header cannot point a reset link at someone else's site.
 * Security notices are in notices.ts; both render through mail-render.ts.
 */
import { appLink, letterMail, type MailContext, type MailMessage } from './mail-render.ts';

export type { MailContext, MailKind, MailMessage } from './mail-render.ts';

export const confirmationMail = (ctx: MailContext, to: string, code: string): MailMessage =>
  letterMail(ctx, to, 'confirmation-code', {
    subject: `${code} is your ${ctx.serviceName} confirmation code`,
    code: { label: 'confirmation code', value: code, expiry: 'It expires in 24 hours.' },
    paragraphs: [`Enter it on the confirmation page to finish creating your ${ctx.serviceName} account.`],
    action: { label: 'Or open this link to confirm', url: appLink(ctx, '/confirm', { email: to, code }) },
    ifNotYou: 'If you did not sign up, ignore this message: no account is made without this code.',
  });

export const resetMail = (ctx: MailContext, to: string, code: string): MailMessage =>
  letterMail(ctx, to, 'reset-code', {
    subject: `${code} is your ${ctx.serviceName} password reset code`,
    code: { label: 'password reset code', value: code, expiry: 'It expires in 1 hour.' },
    paragraphs: [`Someone asked to reset the password of your ${ctx.serviceName} account.`],
    action: {
      label: 'Or open this link to choose a new password',
      url: appLink(ctx, '/reset-password', { email: to, code }),
    },
    ifNotYou: 'If it was not you, ignore this message: your password has not changed.',
  });

export const alreadyRegisteredMail = (ctx: MailContext, to: string): MailMessage =>
  letterMail(ctx, to, 'already-registered', {
    subject: `${ctx.serviceName}: someone tried to sign up with your address`,
    paragraphs: [
      `Someone tried to create a ${ctx.serviceName} account with this address, which already has one.`,
      'If it was you, sign in instead, or reset your password if you have forgotten it.',
    ],
    action: { label: 'Reset your password', url: appLink(ctx, '/forgot-password') },
    ifNotYou: 'If it was not you, you can ignore this message: nothing has changed.',
  });

/** The code that proves the person changing their sign-in address can read mail at the new one. */
export const emailChangeCodeMail = (ctx: MailContext, to: string, code: string): MailMessage =>
  letterMail(ctx, to, 'email-change-code', {
    subject: `${code} is your ${ctx.serviceName} code to change your email address`,
    code: { label: 'email change code', value: code, expiry: 'It expires in 1 hour.' },
    paragraphs: [
      `Someone signed in to a ${ctx.serviceName} account asked to make this address its sign-in address.`,
      `Enter the code on your account page (${appLink(ctx, '/account')}) to finish. Until then, the account keeps signing in with its old address.`,
    ],
    ifNotYou: 'If it was not you, ignore this message: without this code nothing changes.',
  });

/**
 * What the owner of an address gets when someone asks to move another account onto it: the
 * requester is answered exactly as for a free address, so only the owner learns of it.
 */
export const emailInUseMail = (ctx: MailContext, to: string): MailMessage =>
  letterMail(ctx, to, 'email-in-use', {
    subject: `${ctx.serviceName}: someone tried to move another account to your address`,
    paragraphs: [
      `Someone signed in to a ${ctx.serviceName} account asked to make this address its sign-in address. This address already has its own account, so nothing was changed.`,
      'If it was you, sign in with this address instead, or reset its password if you have forgotten it.',
    ],
    action: { label: 'Reset your password', url: appLink(ctx, '/forgot-password') },
    ifNotYou: 'If it was not you, you can ignore this message: your account has not changed.',
  });

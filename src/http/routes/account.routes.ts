/**
 * /api/auth/*, the signed-in part (Authentication section of API.md): changing the password and
 * managing TOTP and recovery codes. Registered by auth.routes.ts under its prefix.
 */
import * as account from '../../services/account.ts';
import { meta } from '../plugins/auth.ts';
import { ChangePasswordBody, TotpCodeBody, TotpSetupAnswer, TotpVerifyAnswer } from '../schemas/auth.ts';
import { Message } from '../schemas/common.ts';
import { principalOf, signedInRoutes } from '../signed-in.ts';
import { type App, credentialLimit, type RouteOptions } from './route-kit.ts';

export async function accountRoutes(app: App, { deps }: RouteOptions) {
  const tags = ['Authentication'];
  const limited = { config: credentialLimit };

  await signedInRoutes(app, (scope) => {
    scope.post(
      '/change-password',
      {
        ...limited,
        schema: {
          tags,
          summary: 'Change the password (signs out every other session)',
          body: ChangePasswordBody,
          response: { 200: Message },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const { newSessionCookie } = await account.changePassword(
          deps,
          principal,
          { currentPassword: request.body.current_password, newPassword: request.body.new_password },
          meta(request),
        );
        if (newSessionCookie) {
          app.sessionCookie.set(reply, newSessionCookie);
          return { message: 'Password changed. Every other device has been signed out.' };
        }
        return {
          message:
            'Password changed. Every session has been signed out: sign in again with the new password.',
        };
      },
    );

    scope.post(
      '/mfa/totp/setup',
      {
        schema: {
          tags,
          summary: 'Start TOTP enrolment: a secret, an otpauth URI and a QR code',
          response: { 200: TotpSetupAnswer },
        },
      },
      async (request) => {
        const out = await account.startTotpSetup(deps, principalOf(request));
        return { secret: out.secret, otpauth_uri: out.otpauthUri, qr_svg: out.qrSvg };
      },
    );

    scope.post(
      '/mfa/totp/verify',
      {
        schema: {
          tags,
          summary: 'Finish TOTP enrolment with a code; returns recovery codes',
          body: TotpCodeBody,
          response: { 200: TotpVerifyAnswer },
        },
      },
      async (request) => {
        const out = await account.verifyTotpSetup(
          deps,
          principalOf(request),
          request.body.code,
          meta(request),
        );
        return {
          message: 'Two-step verification is on. Keep these recovery codes somewhere safe: each works once.',
          recovery_codes: out.recoveryCodes,
        };
      },
    );

    scope.delete(
      '/mfa/totp',
      {
        schema: {
          tags,
          summary: 'Turn TOTP off (needs a current code)',
          body: TotpCodeBody,
          response: { 200: Message },
        },
      },
      async (request) => {
        await account.disableTotp(deps, principalOf(request), request.body.code, meta(request));
        return { message: 'Two-step verification is off.' };
      },
    );

    scope.post(
      '/mfa/recovery-codes',
      {
        schema: {
          tags,
          summary: 'Replace the recovery codes (needs a current TOTP code)',
          body: TotpCodeBody,
          response: { 200: TotpVerifyAnswer },
        },
      },
      async (request) => {
        const out = await account.regenerateRecoveryCodes(
          deps,
          principalOf(request),
          request.body.code,
          meta(request),
        );
        return {
          message: 'New recovery codes issued; the old ones no longer work.',
          recovery_codes: out.recoveryCodes,
        };
      },
    );
  });
}

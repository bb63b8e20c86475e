/** /api/users/me/email: changing the sign-in address (a code to the new address, then confirm). */
import { confirmEmailChange, requestEmailChange } from '../../services/email-change.ts';
import { meta } from '../plugins/auth.ts';
import { Message } from '../schemas/common.ts';
import { EmailChangeAnswer, EmailChangeBody, EmailChangeConfirmBody } from '../schemas/email-change.ts';
import { principalOf, signedInRoutes } from '../signed-in.ts';
import { type App, credentialLimit, type RouteOptions } from './route-kit.ts';

export async function emailChangeRoutes(app: App, { deps }: RouteOptions) {
  const tags = ['Users'];
  const limited = { config: credentialLimit };

  await signedInRoutes(app, (scope) => {
    // '' rather than '/': the route is /api/users/me/email exactly, as OpenAPI names it.
    scope.post(
      '',
      {
        ...limited,
        schema: {
          tags,
          summary:
            'Ask to change the sign-in address: a 6-digit code goes to the new address, a notice to the current one. The answer is the same whether or not the new address has an account',
          body: EmailChangeBody,
          response: { 202: Message },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const password = request.body.current_password;
        await requestEmailChange(
          deps,
          principal,
          {
            newEmail: request.body.new_email,
            proof: password === undefined ? { kind: 'recent-sign-in' } : { kind: 'password', password },
          },
          meta(request),
        );
        return reply.status(202).send({
          message:
            'If that address can receive mail, a code is on its way to it. Enter it to finish; until then you keep signing in with your current address.',
        });
      },
    );

    scope.post(
      '/confirm',
      {
        ...limited,
        schema: {
          tags,
          summary:
            'Confirm the new sign-in address with the mailed code (signs out every other session; a Bearer caller signs in again)',
          body: EmailChangeConfirmBody,
          response: { 200: EmailChangeAnswer },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const { email, newSessionCookie } = await confirmEmailChange(
          deps,
          principal,
          request.body.code,
          meta(request),
        );
        if (newSessionCookie) {
          app.sessionCookie.set(reply, newSessionCookie);
          return {
            message: `Your email address is now ${email}. Every other device has been signed out.`,
            email,
          };
        }
        return {
          message: `Your email address is now ${email}. Every session has been signed out: sign in again with it.`,
          email,
        };
      },
    );
  });
}

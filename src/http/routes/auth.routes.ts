/** /api/auth/*: the token API for API clients (Authentication section of API.md). */
import { AppError } from '../../domain/errors.ts';
import * as auth from '../../services/auth.ts';
import * as signin from '../../services/signin.ts';
import { bearerToken, meta } from '../plugins/auth.ts';
import {
  ChallengeOrTokens,
  ConfirmBody,
  EmailBody,
  MfaBody,
  RefreshBody,
  ResetBody,
  SignInBody,
  SignOutBody,
  SignUpAnswer,
  SignUpBody,
  TokensBody,
} from '../schemas/auth.ts';
import { Message } from '../schemas/common.ts';
import { accountRoutes } from './account.routes.ts';
import { type App, credentialLimit, type RouteOptions, tokensBody } from './route-kit.ts';

const ACCEPTED = 'If the address can receive mail, a message is on its way.';

export async function authRoutes(app: App, { deps, verifier }: RouteOptions) {
  const tags = ['Authentication'];
  const limited = { config: credentialLimit };

  app.post(
    '/signup',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Create an account (a 6-digit code is emailed)',
        body: SignUpBody,
        response: { 202: SignUpAnswer },
      },
    },
    async (request, reply) => {
      await auth.signUp(deps, request.body, meta(request));
      return reply.status(202).send({
        message: `${ACCEPTED} Enter the code to confirm your account.`,
        confirmation_required: true as const,
      });
    },
  );

  app.post(
    '/confirm',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Confirm the email address with the emailed code',
        body: ConfirmBody,
        response: { 200: Message },
      },
    },
    async (request) => {
      await auth.confirm(
        deps,
        { email: request.body.email, code: request.body.confirmation_code },
        meta(request),
      );
      return { message: 'Your email address is confirmed. You can sign in now.' };
    },
  );

  app.post(
    '/resend-code',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Send a new confirmation code',
        body: EmailBody,
        response: { 202: Message },
      },
    },
    async (request, reply) => {
      await auth.resendCode(deps, request.body.email, meta(request));
      return reply.status(202).send({ message: ACCEPTED });
    },
  );

  app.post(
    '/signin',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Sign in with email and password',
        body: SignInBody,
        response: { 200: ChallengeOrTokens },
      },
    },
    async (request) => {
      const result = await signin.signIn(deps, request.body, meta(request));
      return result.kind === 'challenge'
        ? { challenge: result.challenge, session: result.session }
        : tokensBody(result.tokens);
    },
  );

  app.post(
    '/mfa',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Answer the MFA challenge with a TOTP or recovery code',
        body: MfaBody,
        response: { 200: TokensBody },
      },
    },
    async (request) => tokensBody((await signin.answerMfa(deps, request.body, meta(request))).tokens),
  );

  app.post(
    '/refresh',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Exchange a refresh token (rotated on every use)',
        body: RefreshBody,
        response: { 200: TokensBody },
      },
    },
    async (request) => tokensBody(await signin.refresh(deps, request.body.refresh_token)),
  );

  app.post(
    '/signout',
    {
      // The body is optional (the Bearer header will do); an absent body validates as {}.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Sign out everywhere: every token and session of the user ends',
        body: SignOutBody,
        response: { 200: Message },
      },
    },
    async (request) => {
      const token = request.body.access_token ?? bearerToken(request);
      if (!token)
        throw new AppError(
          'UNAUTHENTICATED',
          'Send the access token in the body or the Authorization header.',
        );
      const { claims } = await verifier.verifyAccessToken(token);
      await signin.signOutEverywhere(deps, claims.userId, meta(request));
      return { message: 'Signed out on every device.' };
    },
  );

  app.post(
    '/forgot-password',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Email a password reset code',
        body: EmailBody,
        response: { 202: Message },
      },
    },
    async (request, reply) => {
      await auth.forgotPassword(deps, request.body.email, meta(request));
      return reply.status(202).send({ message: ACCEPTED });
    },
  );

  app.post(
    '/reset-password',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Set a new password with the emailed code; every session ends',
        body: ResetBody,
        response: { 200: Message },
      },
    },
    async (request) => {
      const { email, confirmation_code: code, new_password: newPassword } = request.body;
      await auth.resetPassword(deps, { email, code, newPassword }, meta(request));
      return { message: 'Your password has been reset. Sign in with the new password.' };
    },
  );

  // The signed-in operations on the account (password, MFA): account.routes.ts. Without this
  // plugin's options: their prefix would be added a second time.
  await app.register(accountRoutes, { deps, verifier });
}

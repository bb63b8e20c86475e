/**
 * Passkeys (Passkeys section of API.md): /api/users/me/passkeys for the signed-in user, and
 * /api/session/passkey to sign the browser in with one. Each ceremony's challenge is bound to the
 * browser by the gh_webauthn cookie (HttpOnly, five minutes), which holds only the handle of the
 * server-side challenge; the answer must come back with that cookie, once.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.ts';
import { CHALLENGE_TTL_SECONDS, type Passkey } from '../../ports/passkeys.ts';
import * as passkeys from '../../services/passkeys.ts';
import { createOriginCheck, meta } from '../plugins/auth.ts';
import { SessionAnswer } from '../schemas/auth.ts';
import {
  OptionsAnswer,
  PasskeyAnswer,
  PasskeyList,
  PasskeyParams,
  PasskeySignInBody,
  PasskeySignInOptionsBody,
  RegisterPasskeyBody,
  RenamePasskeyBody,
} from '../schemas/passkeys.ts';
import { createBrowserCookie } from '../session-cookie.ts';
import { principalOf, signedInRoutes } from '../signed-in.ts';
import { type App, credentialLimit, type RouteOptions } from './route-kit.ts';
import { startSession } from './session.routes.ts';

const passkeyOut = (p: Passkey) => ({
  id: p.id,
  name: p.name,
  created_at: p.createdAt,
  last_used_at: p.lastUsedAt,
  transports: [...p.transports],
  synced: p.backedUp,
});

export async function passkeyRoutes(app: App, { deps }: RouteOptions) {
  const tags = ['Passkeys'];
  const limited = { config: credentialLimit };
  const checkOrigin = createOriginCheck(deps);
  const ceremony = createBrowserCookie(deps.config, 'gh_webauthn', CHALLENGE_TTL_SECONDS);
  /** The challenge handle this browser was given, spent from the cookie as it is read. */
  const takeHandle = (request: FastifyRequest, reply: FastifyReply): string => {
    const handle = ceremony.read(request);
    ceremony.clear(reply);
    if (!handle)
      throw new AppError(
        'PASSKEY_CHALLENGE_INVALID',
        'This passkey request has expired or was started in another browser. Try again.',
      );
    return handle;
  };

  await signedInRoutes(app, (scope) => {
    scope.post(
      '/users/me/passkeys/options',
      {
        schema: {
          tags,
          summary: 'Start adding a passkey: options for navigator.credentials.create (sets gh_webauthn)',
          response: { 200: OptionsAnswer },
        },
      },
      async (request, reply) => {
        const { options, handle } = await passkeys.startRegistration(
          deps,
          principalOf(request),
          request.headers.origin,
        );
        ceremony.set(reply, handle);
        return { options };
      },
    );

    scope.post(
      '/users/me/passkeys',
      {
        ...limited,
        schema: {
          tags,
          summary: "Finish adding a passkey with the browser's answer (needs the gh_webauthn cookie)",
          description:
            'With Cognito the name is not kept: Cognito names the passkey after its authenticator ' +
            '(/api/client-config passkey_keeps_name false).',
          body: RegisterPasskeyBody,
          response: { 201: PasskeyAnswer },
        },
      },
      async (request, reply) => {
        const handle = takeHandle(request, reply);
        const passkey = await passkeys.finishRegistration(
          deps,
          principalOf(request),
          { handle, response: request.body.response, name: request.body.name?.trim() || 'Passkey' },
          meta(request),
        );
        return reply.status(201).send({ passkey: passkeyOut(passkey) });
      },
    );

    scope.get(
      '/users/me/passkeys',
      {
        schema: { tags, summary: "The user's passkeys", response: { 200: PasskeyList } },
      },
      async (request) => ({
        passkeys: (await passkeys.listPasskeys(deps, principalOf(request))).map(passkeyOut),
      }),
    );

    scope.patch(
      '/users/me/passkeys/:id',
      {
        schema: {
          tags,
          summary: 'Rename a passkey',
          description:
            'Cognito has no rename: there this answers 501 NOT_AVAILABLE_IN_MODE, and /api/client-config ' +
            'says passkey_rename false.',
          params: PasskeyParams,
          body: RenamePasskeyBody,
          response: { 200: PasskeyAnswer },
        },
      },
      async (request) => {
        const passkey = await passkeys.renamePasskey(
          deps,
          principalOf(request),
          request.params.id,
          request.body.name.trim(),
          meta(request),
        );
        return { passkey: passkeyOut(passkey) };
      },
    );

    scope.delete(
      '/users/me/passkeys/:id',
      {
        schema: {
          tags,
          summary: 'Remove a passkey (409 LAST_SIGN_IN_METHOD if it is the only way to sign in)',
          description: 'A Cognito pool user always has a password, so there the last passkey may be removed.',
          params: PasskeyParams,
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        await passkeys.removePasskey(deps, principalOf(request), request.params.id, meta(request));
        return reply.status(204).send(null);
      },
    );
  });

  app.post(
    '/session/passkey/options',
    {
      // Every sign-in page asks (for the browser's autofill), so it is not counted as a credential
      // attempt; the answer is checked, and counted, on POST /session/passkey. Where the options
      // name an account (Cognito), each asks the provider about it, on the sign-in quota password
      // sign-ins share: counted then.
      ...(deps.passkeys.capabilities.signInNeedsEmail ? limited : {}),
      schema: {
        tags,
        summary: 'Start a passkey sign-in: options for navigator.credentials.get (sets gh_webauthn)',
        description:
          'With Cognito the body must name the account (`email`): its sign-in flow needs a user name, ' +
          'so the options carry an allow list and the browser offers no autofill.',
        body: PasskeySignInOptionsBody,
        response: { 200: OptionsAnswer },
      },
      // No body at all (the built-in provider's callers send none) is the empty one.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      checkOrigin(request, null);
      const { options, handle } = await passkeys.startSignIn(
        deps,
        request.headers.origin,
        request.body.email,
      );
      ceremony.set(reply, handle);
      return { options };
    },
  );

  app.post(
    '/session/passkey',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Sign the browser in with a passkey (no TOTP step: a verified passkey is two factors)',
        body: PasskeySignInBody,
        response: { 200: SessionAnswer },
      },
    },
    async (request, reply) => {
      checkOrigin(request, null); // login CSRF, as for the password sign-in
      const handle = takeHandle(request, reply);
      const signed = await passkeys.finishSignIn(
        deps,
        { handle, response: request.body.response },
        meta(request),
      );
      return startSession(app, deps, request, reply, signed);
    },
  );
}

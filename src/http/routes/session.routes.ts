/** /api/session and /api/sessions: the browser's cookie session (Browser session section of API.md). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.ts';
import type { Deps } from '../../services/deps.ts';
import { createSession, endSession, listSessions, revokeSession } from '../../services/sessions.ts';
import * as signin from '../../services/signin.ts';
import { activeProfile, meOf } from '../../services/users.ts';
import { createOriginCheck, meta } from '../plugins/auth.ts';
import { Challenge, MfaBody, SessionAnswer, SessionList, SessionState, SignInBody } from '../schemas/auth.ts';
import { callerUser, principalOf, signedInRoutes } from '../signed-in.ts';
import { sessionOut } from './outputs.ts';
import { type App, credentialLimit, type RouteOptions, signedIn } from './route-kit.ts';

type Reply = FastifyReply;

/**
 * Opens the browser session of a user who just proved who they are (password+TOTP, or a passkey),
 * answered from the record the sign-in left (no read).
 */
export async function startSession(
  app: App,
  deps: Deps,
  request: FastifyRequest,
  reply: Reply,
  signed: signin.SignedIn,
) {
  const { record, tokens, user } = signed;
  const { cookieValue, session } = await createSession(
    deps,
    user,
    tokens,
    meta(request),
    record.revokedThrough,
  );
  app.sessionCookie.set(reply, cookieValue);
  const profile = await activeProfile(deps, user.userId, record.profile);
  return { user: meOf(profile, record.billing), csrf_token: session.csrfToken };
}

export async function sessionRoutes(app: App, { deps }: RouteOptions) {
  const tags = ['Browser session'];
  const limited = { config: credentialLimit };
  const checkOrigin = createOriginCheck(deps);
  const SignInAnswer = Type.Union([SessionAnswer, Challenge]);

  app.post(
    '/session',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Sign in the browser: sets the session cookie, or answers an MFA challenge',
        body: SignInBody,
        response: { 200: SignInAnswer },
      },
    },
    async (request, reply) => {
      checkOrigin(request, null); // login CSRF: a cross-site form must not sign the browser in
      const result = await signin.signIn(deps, request.body, meta(request));
      if (result.kind === 'challenge') return { challenge: result.challenge, session: result.session };
      return startSession(app, deps, request, reply, result);
    },
  );

  app.post(
    '/session/mfa',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Answer the MFA challenge; sets the session cookie',
        body: MfaBody,
        response: { 200: SessionAnswer },
      },
    },
    async (request, reply) => {
      checkOrigin(request, null);
      return startSession(
        app,
        deps,
        request,
        reply,
        await signin.answerMfa(deps, request.body, meta(request)),
      );
    },
  );

  /** The caller, as app.authenticate judges it; false for a browser that is not signed in. */
  const signedInNow = async (request: FastifyRequest, reply: Reply): Promise<boolean> => {
    try {
      await app.authenticate(request);
      return true;
    } catch (err) {
      // A Bearer caller sent a credential that failed: that stays an error (401).
      const signedOut =
        err instanceof AppError &&
        (err.code === 'UNAUTHENTICATED' || err.code === 'SESSION_EXPIRED') &&
        request.headers.authorization === undefined;
      if (!signedOut) throw err;
      // A cookie whose session has ended is dropped, so the browser stops sending it.
      if (err.code === 'SESSION_EXPIRED') app.sessionCookie.clear(reply);
      return false;
    }
  };

  app.get(
    '/session',
    {
      schema: {
        security: [{}, ...signedIn],
        tags,
        summary:
          'Who is signed in: the user, with the CSRF token for non-browser clients, or { user: null } when nobody is (no cookie, or its session has ended)',
        response: { 200: SessionState },
      },
    },
    async (request, reply) => {
      if (!(await signedInNow(request, reply))) return { user: null };
      const user = callerUser(request);
      return {
        user: meOf(user.profile, user.billing),
        ...(request.session ? { csrf_token: request.session.csrfToken } : {}),
      };
    },
  );

  await signedInRoutes(app, (scope) => {
    scope.delete(
      '/session',
      {
        schema: {
          tags,
          summary: 'Sign the browser out',
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        if (request.session)
          await endSession(deps, request.session, meta(request), principalOf(request).sessionCookie);
        app.sessionCookie.clear(reply);
        return reply.status(204).send(null);
      },
    );

    scope.get(
      '/sessions',
      {
        schema: {
          tags,
          summary: "The user's active browser sessions",
          response: { 200: SessionList },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const sessions = await listSessions(deps, principal.userId);
        return {
          sessions: sessions.map((s) => ({
            ...sessionOut(s),
            current: s.idHash === principal.sessionIdHash,
          })),
        };
      },
    );

    scope.delete(
      '/sessions/:id',
      {
        schema: {
          tags,
          summary: 'Sign one device out',
          params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{16}$' }) }),
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        if (!(await revokeSession(deps, principal.userId, request.params.id, meta(request)))) {
          throw new AppError('NOT_FOUND', 'No such session.');
        }
        return reply.status(204).send(null);
      },
    );
  });
}

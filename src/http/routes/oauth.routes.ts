/**
 * /api/auth/oauth/*: social sign-in for the browser (API.md, SECURITY 29-31). The start and the
 * callback are top-level navigations, so they answer with redirects, never JSON: a callback that
 * fails sends the browser to the sign-in page (or, for a link, the security page) with
 * ?oauth_error=<CODE> and no session. The flow cookie is cleared by every callback, good or bad.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { Deps } from '../../services/deps.ts';
import { resolveSession } from '../../services/sessions.ts';
import * as social from '../../services/social-signin.ts';
import { meta } from '../plugins/auth.ts';
import { Challenge } from '../schemas/auth.ts';
import {
  CallbackQuery,
  LinkBody,
  ProviderParams,
  ProvidersAnswer,
  RedirectDoc,
  StartQuery,
  UrlAnswer,
} from '../schemas/oauth.ts';
import { createBrowserCookie } from '../session-cookie.ts';
import { principalOf, signedInRoutes } from '../signed-in.ts';
import { type App, credentialLimit, type RouteOptions } from './route-kit.ts';

/** The MFA challenge a social sign-in ended in lives as long as the challenge itself. */
const CHALLENGE_COOKIE_SECONDS = 180;

const withQuery = (path: string, params: Record<string, string>): string => {
  const url = new URL(path, 'http://x');
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return `${url.pathname}${url.search}`;
};

export async function oauthRoutes(app: App, { deps, verifier }: RouteOptions) {
  const tags = ['Social sign-in'];
  const limited = { config: credentialLimit };
  const flowCookie = createBrowserCookie(deps.config, 'gh_oauth', social.FLOW_TTL_SECONDS);
  const challengeCookie = createBrowserCookie(deps.config, 'gh_mfa', CHALLENGE_COOKIE_SECONDS);

  app.get(
    '/providers',
    {
      schema: {
        tags,
        summary: 'The configured social sign-in providers, for the sign-in buttons',
        response: { 200: ProvidersAnswer },
      },
    },
    async () => {
      const { providers, linking } = social.providerList(deps);
      return {
        providers: providers.map((p) => ({
          id: p.id,
          name: p.name,
          start_url: `/api/auth/oauth/${p.id}/start`,
        })),
        linking,
      };
    },
  );

  app.get(
    '/:provider/start',
    {
      ...limited,
      schema: {
        tags,
        summary: 'Start signing in with a provider: a 302 to it (authorization code, PKCE, state, nonce)',
        params: ProviderParams,
        querystring: StartQuery,
        response: { 302: RedirectDoc },
      },
    },
    async (request, reply) => {
      const returnTo = social.checkedReturnTo(deps, request.query.return_to, social.DEFAULT_RETURN);
      let started: { cookieValue: string; url: string };
      try {
        started = await social.startFlow(deps, request.params.provider, { returnTo, linkUserId: null });
      } catch (err) {
        // A provider that cannot be reached is news for the sign-in page, not a JSON error page.
        if (!(err instanceof AppError && err.code === 'UNAVAILABLE')) throw err;
        return reply.redirect(withQuery(social.SIGNIN_PAGE, { oauth_error: err.code }), 302);
      }
      flowCookie.set(reply, started.cookieValue);
      return reply.redirect(started.url, 302);
    },
  );

  await signedInRoutes(app, (scope) => {
    scope.post(
      '/:provider/link',
      {
        ...limited,
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          tags,
          summary: 'Link a provider to the signed-in browser user: the URL to send the browser to',
          params: ProviderParams,
          body: LinkBody,
          response: { 200: UrlAnswer },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        if (principal.via !== 'cookie') {
          throw new AppError('BAD_REQUEST', 'Linking happens in the browser: sign in there first.');
        }
        const returnTo = social.checkedReturnTo(deps, request.body.return_to, social.LINK_RETURN);
        const { cookieValue, url } = await social.startFlow(deps, request.params.provider, {
          returnTo,
          linkUserId: principal.userId,
        });
        flowCookie.set(reply, cookieValue);
        return { url };
      },
    );
  });

  app.get(
    '/:provider/callback',
    {
      ...limited,
      schema: {
        tags,
        summary: "The provider's redirect back: a 302 to return_to with a session cookie",
        params: ProviderParams,
        querystring: CallbackQuery,
        response: { 302: RedirectDoc },
      },
    },
    async (request, reply) => callback(deps, request, reply),
  );

  async function callback(d: Deps, request: FastifyRequest, reply: FastifyReply) {
    const { provider } = request.params as { provider: string };
    const { state } = request.query as { state?: string };
    const session = app.sessionCookie.read(request);
    const sessionUser = session ? await resolveSession(d, session).catch(() => null) : null;
    const at = request.url.indexOf('?');
    const outcome = await social.finishFlow(
      d,
      verifier,
      {
        provider,
        flowCookie: flowCookie.read(request),
        search: at >= 0 ? request.url.slice(at) : '',
        state,
        sessionUserId: sessionUser?.session.userId ?? null,
      },
      meta(request),
    );
    flowCookie.clear(reply);
    switch (outcome.kind) {
      case 'session':
        app.sessionCookie.set(reply, outcome.cookieValue);
        return reply.redirect(outcome.returnTo, 302);
      case 'challenge':
        challengeCookie.set(reply, outcome.session);
        return reply.redirect(withQuery(social.SIGNIN_PAGE, { mfa: '1', return_to: outcome.returnTo }), 302);
      case 'linked':
        return reply.redirect(withQuery(outcome.returnTo, { linked: provider }), 302);
      case 'failed':
        return reply.redirect(withQuery(outcome.page, { oauth_error: outcome.code }), 302);
    }
  }

  app.get(
    '/challenge',
    {
      ...limited,
      schema: {
        tags,
        summary: 'The MFA challenge a social sign-in ended in, once; answer it at POST /api/session/mfa',
        response: { 200: Challenge },
      },
    },
    async (request, reply) => {
      // Only the app's own pages read it (CORS keeps other sites from reading the answer).
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        throw new AppError('ORIGIN_REJECTED', 'Cross-site requests are not allowed.');
      }
      const session = challengeCookie.read(request);
      challengeCookie.clear(reply);
      if (!session) throw new AppError('NOT_FOUND', 'No sign-in is waiting for a code.');
      return { challenge: 'SOFTWARE_TOKEN_MFA' as const, session };
    },
  );
}

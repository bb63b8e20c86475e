/**
 * The browser's cookies: `__Host-<name>` (Secure, Path=/, no Domain) over https, plain `<name>`
 * only for http on localhost, always HttpOnly and SameSite=Lax (Lax, not Strict: the social
 * sign-in cookies must come back on the provider's top-level redirect to our callback). Read on
 * demand from the Cookie header, so requests that do not use one (Bearer callers) never parse
 * cookies.
 *
 * - gh_session: the browser session, for SESSION_TTL_SECONDS.
 * - gh_oauth: a social sign-in flow between start and callback (its id; the flow is in the store).
 * - gh_mfa: the MFA challenge of a social sign-in, handed to the sign-in page once.
 * - gh_webauthn: the handle of a passkey ceremony's challenge, for five minutes (passkeys.routes.ts).
 */
import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Config, isPlainLocalhost } from '../config/config.ts';

export interface SessionCookie {
  readonly name: string;
  read(request: FastifyRequest): string | undefined;
  set(reply: FastifyReply, value: string): void;
  clear(reply: FastifyReply): void;
}

export function createBrowserCookie(config: Config, base: string, maxAgeSeconds: number): SessionCookie {
  const plain = isPlainLocalhost(config);
  const name = plain ? base : `__Host-${base}`;
  const attributes = { path: '/', httpOnly: true, secure: !plain, sameSite: 'lax' } as const;
  return {
    name,
    read(request) {
      const header = request.headers.cookie;
      // A cheap test first: most headers that lack the name need no parsing at all.
      return header?.includes(name) ? parse(header)[name] : undefined;
    },
    set(reply, value) {
      reply.header('set-cookie', serialize(name, value, { ...attributes, maxAge: maxAgeSeconds }));
    },
    clear(reply) {
      reply.header('set-cookie', serialize(name, '', { ...attributes, expires: new Date(0) }));
    },
  };
}

export const createSessionCookie = (config: Config): SessionCookie =>
  createBrowserCookie(config, 'gh_session', config.sessionTtl);

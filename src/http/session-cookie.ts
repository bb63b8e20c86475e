/**
 * The browser session cookie: `__Host-gh_session` (Secure, Path=/, no Domain) over https, plain
 * `gh_session` only for http on localhost, always HttpOnly and SameSite=Lax. Read on demand from
 * the Cookie header, so requests that do not use it (Bearer callers) never parse cookies.
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

export function createSessionCookie(config: Config): SessionCookie {
  const plain = isPlainLocalhost(config);
  const name = plain ? 'gh_session' : '__Host-gh_session';
  const attributes = { path: '/', httpOnly: true, secure: !plain, sameSite: 'lax' } as const;
  return {
    name,
    read(request) {
      const header = request.headers.cookie;
      // A cheap test first: most headers that lack the name need no parsing at all.
      return header?.includes(name) ? parse(header)[name] : undefined;
    },
    set(reply, value) {
      reply.header('set-cookie', serialize(name, value, { ...attributes, maxAge: config.sessionTtl }));
    },
    clear(reply) {
      reply.header('set-cookie', serialize(name, '', { ...attributes, expires: new Date(0) }));
    },
  };
}

/**
 * A real OpenID Provider for the tests: the `oidc-provider` package (OpenID certified), started
 * in-process on a free loopback port. It plays Google (discovery, ID tokens, PKCE), a generic OIDC
 * issuer that keeps the email out of the ID token (UserInfo), OAuth-only providers shaped like
 * Facebook and Amazon (no openid scope, the person from a profile API served here with the access
 * token checked by the provider), and a Cognito user pool's Hosted UI (/oauth2/authorize,
 * /oauth2/token, the pool's issuer and signing key, Cognito's claims).
 *
 * Nobody types at it: the interaction page signs in whoever `signInAs` named last and grants what
 * was asked. `tamperIdTokens` re-signs ID tokens the token endpoint returns, with the provider's
 * own key, after changing claims: a token that only a claim check can refuse.
 */
import { createServer, type Server } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import Provider, { type KoaContext } from 'oidc-provider';
import { freePort } from './kit.ts';

export interface Person {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  /** Extra ID token claims (Cognito's token_use, identities, cognito:groups ...). */
  readonly extra?: Record<string, unknown>;
}

export interface ClientSpec {
  readonly client_id: string;
  readonly client_secret: string;
  readonly redirect_uris: string[];
  readonly token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post';
}

export interface LocalOp {
  /** The provider's own origin (http://127.0.0.1:port). */
  readonly origin: string;
  readonly issuer: string;
  signInAs(person: Person): void;
  /** Changes the claims of ID tokens from the token endpoint (null: stop). */
  tamperIdTokens(change: ((claims: Record<string, unknown>) => Record<string, unknown>) | null): void;
  /** How many token requests the provider answered with an error. */
  readonly tokenErrors: () => number;
  close(): Promise<void>;
}

export interface LocalOpOptions {
  readonly clients: ClientSpec[];
  /** Issuer identifier; default: the origin. */
  readonly issuer?: string;
  /** Private signing JWK (with kid); default: a fresh RS256 key. */
  readonly signingKey?: JWK;
  /** Email and name in the ID token (Google) or only from UserInfo (conforming providers). */
  readonly claimsInIdToken?: boolean;
  /** Cognito's Hosted UI: its routes, JWT access tokens with Cognito's claims, refresh tokens. */
  readonly cognito?: { readonly clientId: string };
  /** Serve GET /profile for an access token (the Facebook / Amazon shape), mapping the person. */
  readonly profile?: (person: Person) => Record<string, unknown>;
}

const RESOURCE = 'https://gatehouse.test/api';

export async function startOidcProvider(opts: LocalOpOptions): Promise<LocalOp> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const issuer = opts.issuer ?? origin;
  const key = opts.signingKey ?? (await freshKey());
  const people = new Map<string, Person>();
  let current: Person | null = null;
  let tamper: ((c: Record<string, unknown>) => Record<string, unknown>) | null = null;
  let tokenErrors = 0;
  const cognito = opts.cognito;

  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => ({
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...c,
    })),
    jwks: { keys: [key] },
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
    ttl: {
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 3600,
      IdToken: 3600,
      AuthorizationCode: 60,
      RefreshToken: 86400,
    },
    pkce: { required: () => false },
    conformIdTokenClaims: !(opts.claimsInIdToken ?? true),
    claims: {
      openid: ['sub', ...(cognito ? ['token_use', 'identities', 'cognito:username', 'cognito:groups'] : [])],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    findAccount: async (_ctx: unknown, id: string) => {
      const person = people.get(id);
      if (!person) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: person.sub,
          ...(person.email !== undefined ? { email: person.email } : {}),
          ...(person.email_verified !== undefined ? { email_verified: person.email_verified } : {}),
          ...(person.name !== undefined ? { name: person.name } : {}),
          ...(person.extra ?? {}),
        }),
      };
    },
    features: {
      devInteractions: { enabled: false },
      ...(cognito
        ? {
            resourceIndicators: {
              enabled: true,
              defaultResource: () => RESOURCE,
              useGrantedResource: () => true,
              getResourceServerInfo: () => ({
                scope: 'openid email profile',
                audience: cognito.clientId,
                accessTokenFormat: 'jwt',
                jwt: { sign: { alg: 'RS256' } },
              }),
            },
          }
        : {}),
    },
    ...(cognito
      ? {
          routes: {
            authorization: '/oauth2/authorize',
            token: '/oauth2/token',
            userinfo: '/oauth2/userInfo',
            jwks: '/.well-known/jwks.json',
          },
          issueRefreshToken: async () => true,
          extraTokenClaims: async (_ctx: unknown, token: { accountId?: string }) => {
            const person = token.accountId ? people.get(token.accountId) : undefined;
            return { token_use: 'access', 'cognito:groups': person?.extra?.['cognito:groups'] ?? [] };
          },
        }
      : {}),
  });
  provider.on('grant.error', () => {
    tokenErrors++;
  });

  // As the Hosted UI: a sign-in with identity_provider always goes to that provider, whose answer
  // the pool maps to a user then (a link may have changed which), so no session of its own is
  // resumed: the session cookies are dropped from each new authorization request.
  if (cognito) {
    provider.use(async (ctx: KoaContext, next) => {
      if (ctx.path === '/oauth2/authorize' && ctx.headers.cookie) {
        ctx.headers.cookie = String(ctx.headers.cookie)
          .split(/;\s*/)
          .filter((c) => !c.startsWith('_session'))
          .join('; ');
      }
      await next();
    });
  }

  // Sign-in and consent without a person: whoever signInAs named, granting what was asked.
  provider.use(async (ctx: KoaContext, next) => {
    if (!ctx.path.startsWith('/interaction/')) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result: Record<string, unknown>;
    if (details.prompt.name === 'login') {
      if (!current) throw new Error('the test provider has nobody to sign in: call signInAs first');
      people.set(current.sub, current);
      result = { login: { accountId: current.sub } };
    } else {
      const accountId = details.session?.accountId ?? '';
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      const d = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
      if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(d.missingResourceScopes ?? {}))
        grant.addResourceScope(resource, scopes.join(' '));
      result = { consent: { grantId: await grant.save() } };
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.redirect(to);
    ctx.status = 303;
  });

  // The ID token tamperer, and the Facebook/Amazon-shaped profile API.
  provider.use(async (ctx: KoaContext, next) => {
    if (opts.profile && ctx.path === '/profile') {
      const header = String(ctx.headers.authorization ?? '');
      const token = header.startsWith('Bearer ')
        ? await provider.AccessToken.find(header.slice(7))
        : undefined;
      const person = token ? people.get(token.accountId) : undefined;
      ctx.status = person ? 200 : 401;
      ctx.body = person ? opts.profile(person) : { error: 'invalid_token' };
      return;
    }
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (tamper && ctx.method === 'POST' && ctx.path.endsWith('/token') && body?.id_token) {
      const signing = await importJWK(key, 'RS256');
      const claims = tamper({ ...decodeJwt(body.id_token) });
      ctx.body = {
        ...body,
        id_token: await new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: String(key.kid) })
          .sign(signing),
      };
    }
  });

  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin,
    issuer,
    signInAs(person) {
      current = person;
      people.set(person.sub, person);
    },
    tamperIdTokens(change) {
      tamper = change;
    },
    tokenErrors: () => tokenErrors,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function freshKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `test-${Date.now()}`, alg: 'RS256', use: 'sig' };
}

/**
 * Follows a browser's redirects from `url` through the provider (keeping its cookies) until one
 * leaves for `appOrigin`; returns that Location's path and query, for app.inject.
 */
export async function followToApp(url: string, appOrigin: string): Promise<string> {
  const jar = new Map<string, string>();
  let next = url;
  for (let hops = 0; hops < 15; hops++) {
    if (next.startsWith(appOrigin)) return next.slice(appOrigin.length);
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = res.headers.get('location');
    if (!location)
      throw new Error(`the provider stopped at ${res.status}: ${(await res.text()).slice(0, 300)}`);
    next = new URL(location, next).href;
  }
  throw new Error('too many redirects at the provider');
}

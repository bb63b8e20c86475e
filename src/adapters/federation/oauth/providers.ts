/**
 * The social providers Gatehouse can be the client of in built-in identity mode, as data: Google
 * and any other OpenID Connect issuer (metadata by discovery, the person from the verified ID
 * token), Facebook and Login with Amazon (plain OAuth 2.0 with configured endpoints, the person
 * from their profile API). Endpoints are parameters so tests can point them at a local provider.
 *
 * Email verification: an OpenID provider's `email_verified` claim is taken as it is (absent means
 * false). Facebook and Amazon send no such claim; Facebook returns only a confirmed primary
 * address, and Amazon's is the address the customer signs in to Amazon with, so an address they
 * return is treated as verified. Set `emailVerified: false` on a spec to distrust one.
 */
import { createHmac } from 'node:crypto';

export interface OpenIdSpec {
  readonly kind: 'openid';
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
}

/** The person as a profile API describes them. */
export interface Profile {
  readonly subject: string;
  readonly email: string | null;
  readonly name: string | null;
}

export interface OAuth2Spec {
  readonly kind: 'oauth2';
  readonly id: string;
  readonly name: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** Where the person is read with the access token. */
  profileUrl(accessToken: string): URL;
  /** The profile answer's fields, or null when it is not a profile. */
  profile(body: unknown): Profile | null;
  /** Whether an address the profile returns counts as verified. */
  readonly emailVerified: boolean;
}

export type ProviderSpec = OpenIdSpec | OAuth2Spec;

interface Credentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

const field = (body: unknown, key: string): string | null => {
  const v = (body as Record<string, unknown> | null)?.[key];
  return typeof v === 'string' && v.length > 0 && v.length <= 320 ? v : null;
};

export const googleProvider = (c: Credentials, issuer = 'https://accounts.google.com'): OpenIdSpec => ({
  kind: 'openid',
  id: 'google',
  name: 'Google',
  issuer,
  scope: 'openid email profile',
  ...c,
});

export const openIdProvider = (c: Credentials & { issuer: string; name: string }): OpenIdSpec => ({
  kind: 'openid',
  id: 'oidc',
  scope: 'openid email profile',
  ...c,
});

const GRAPH = 'https://graph.facebook.com/v21.0';

/** Where a plain OAuth 2.0 provider is; each defaults to the real one (tests point them elsewhere). */
export interface Endpoints {
  readonly issuer?: string;
  readonly authorization?: string;
  readonly token?: string;
  readonly profile?: string;
}

export const facebookProvider = (c: Credentials, endpoints: Endpoints = {}): OAuth2Spec => ({
  kind: 'oauth2',
  id: 'facebook',
  name: 'Facebook',
  ...c,
  scope: 'email public_profile',
  issuer: endpoints.issuer ?? 'https://www.facebook.com',
  authorizationEndpoint: endpoints.authorization ?? 'https://www.facebook.com/v21.0/dialog/oauth',
  tokenEndpoint: endpoints.token ?? `${GRAPH}/oauth/access_token`,
  profileUrl(accessToken) {
    const url = new URL(endpoints.profile ?? `${GRAPH}/me`);
    url.searchParams.set('fields', 'id,name,email');
    // Graph's appsecret_proof: a stolen access token alone cannot call the API for this app.
    url.searchParams.set(
      'appsecret_proof',
      createHmac('sha256', c.clientSecret).update(accessToken).digest('hex'),
    );
    return url;
  },
  profile: (body) => {
    const subject = field(body, 'id');
    return subject ? { subject, email: field(body, 'email'), name: field(body, 'name') } : null;
  },
  emailVerified: true,
});

export const amazonProvider = (c: Credentials, endpoints: Endpoints = {}): OAuth2Spec => ({
  kind: 'oauth2',
  id: 'amazon',
  name: 'Amazon',
  ...c,
  scope: 'profile',
  issuer: endpoints.issuer ?? 'https://www.amazon.com',
  authorizationEndpoint: endpoints.authorization ?? 'https://www.amazon.com/ap/oa',
  tokenEndpoint: endpoints.token ?? 'https://api.amazon.com/auth/o2/token',
  profileUrl: () => new URL(endpoints.profile ?? 'https://api.amazon.com/user/profile'),
  profile: (body) => {
    const subject = field(body, 'user_id');
    return subject ? { subject, email: field(body, 'email'), name: field(body, 'name') } : null;
  },
  emailVerified: true,
});

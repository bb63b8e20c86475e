/**
 * Every setting Gatehouse reads, in one table: name, default, documentation and parser.
 * The README's configuration table is generated from this list (scripts/config-table.ts) and a
 * test checks they agree, so a setting cannot exist without being documented.
 */

import {
  awsName,
  bool,
  emailList,
  hostName,
  int,
  nameList,
  oneLine,
  oneOf,
  optionalInt,
  optionalMailbox,
  optionalOneOf,
  optionalOrigin,
  optionalUrl,
  origin,
  originList,
  type Parser,
  phoneCountry,
  text,
} from './parsers.ts';

export { ConfigError } from './parsers.ts';

export interface Setting<T> {
  readonly name: string;
  /** The default as the README shows it; also the value used unless `follows` computes one. */
  readonly default: string | undefined;
  readonly doc: string;
  readonly parse: Parser<T>;
  /** A default computed from the settings parsed before this one (APP_ORIGIN follows PORT). */
  readonly follows?: (parsed: Readonly<Record<string, unknown>>) => string;
}

const setting = <T>(
  name: string,
  def: string | undefined,
  doc: string,
  parse: Parser<T>,
  follows?: Setting<T>['follows'],
): Setting<T> => ({ name, default: def, doc, parse, ...(follows ? { follows } : {}) });

export const settings = {
  port: setting(
    'PORT',
    '3000',
    'TCP port the server listens on. 0 picks a free one (printed at start).',
    int(0, 65535),
  ),
  host: setting(
    'HOST',
    '127.0.0.1',
    'Address to listen on. Use 0.0.0.0 in a container or behind a proxy.',
    text,
  ),
  appOrigin: setting(
    'APP_ORIGIN',
    'http://localhost:<PORT>',
    'Public origin of the app. Links in emails, cookie security and the Origin check all use it; request headers never override it. Left unset while HOST is loopback, the app also answers as http://127.0.0.1:<PORT> and http://[::1]:<PORT>, and mails a browser links to the one it is at.',
    origin,
    (parsed) => `http://localhost:${String(parsed.port)}`,
  ),
  dataDir: setting(
    'DATA_DIR',
    './data',
    'Folder for all embedded data: SQLite databases, signing keys, blobs. Created on first start.',
    text,
  ),
  logLevel: setting(
    'LOG_LEVEL',
    'info',
    'pino log level.',
    oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  ),
  logFormat: setting(
    'LOG_FORMAT',
    '',
    'pretty (one readable line per event) or json (one JSON object per line, for a log shipper). Empty: pretty when standard output is a terminal, json otherwise. Redaction is the same in both.',
    optionalOneOf('pretty', 'json'),
  ),
  trustProxyHops: setting(
    'TRUST_PROXY_HOPS',
    '0',
    'Number of reverse proxies in front of the server whose X-Forwarded-For entries are trusted. 0 ignores the header.',
    int(0, 10),
  ),
  corsOrigins: setting(
    'CORS_ORIGINS',
    '',
    'Comma-separated origins allowed to call the API with credentials from a browser. Empty: same-origin only.',
    originList,
  ),
  identityProvider: setting(
    'IDENTITY_PROVIDER',
    'builtin',
    'Identity adapter: builtin (SQLite, in-process) or cognito (an Amazon Cognito user pool; needs AWS_REGION, COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID).',
    oneOf('builtin', 'cognito'),
  ),
  store: setting(
    'STORE',
    'sqlite',
    'Store adapter for profiles, sessions, files, billing and audit: sqlite (one file under DATA_DIR) or dynamodb (one table; needs AWS_REGION, DYNAMODB_TABLE).',
    oneOf('sqlite', 'dynamodb'),
  ),
  blobs: setting(
    'BLOBS',
    'local',
    'Blob adapter for photos and files: local (a folder under DATA_DIR) or s3 (needs AWS_REGION, S3_BUCKET).',
    oneOf('local', 's3'),
  ),
  secrets: setting(
    'SECRETS',
    'env',
    'Secrets adapter: env (environment and .env) or aws (one Secrets Manager secret holding a JSON object, read once at start; needs AWS_REGION, SECRETS_ID).',
    oneOf('env', 'aws'),
  ),
  awsRegion: setting('AWS_REGION', '', 'AWS region of every AWS adapter, e.g. eu-west-1.', text),
  cognitoUserPoolId: setting(
    'COGNITO_USER_POOL_ID',
    '',
    'Cognito user pool id (IDENTITY_PROVIDER=cognito).',
    text,
  ),
  cognitoClientId: setting(
    'COGNITO_CLIENT_ID',
    '',
    'Cognito app client id. Its secret, if the client has one, is the COGNITO_CLIENT_SECRET secret.',
    text,
  ),
  cognitoEndpoint: setting(
    'COGNITO_ENDPOINT',
    '',
    "Cognito API endpoint. Empty: the region's. Only for a local stand-in such as cognito-local.",
    optionalOrigin,
  ),
  cognitoIdentityPoolId: setting(
    'COGNITO_IDENTITY_POOL_ID',
    '',
    'Cognito identity pool whose authenticated role GET /api/aws/credentials issues credentials for (IDENTITY_PROVIDER=cognito). Empty: that route answers 501.',
    text,
  ),
  cognitoDeveloperProvider: setting(
    'COGNITO_DEVELOPER_PROVIDER',
    'login.gatehouse',
    "The identity pool's developer provider name: the server vouches for the signed-in user under it.",
    text,
  ),
  cognitoIdentityEndpoint: setting(
    'COGNITO_IDENTITY_ENDPOINT',
    '',
    "Cognito identity-pool API endpoint. Empty: the region's. Only for a local stand-in.",
    optionalOrigin,
  ),
  cognitoDomain: setting(
    'COGNITO_DOMAIN',
    '',
    "Origin of the user pool's Hosted UI domain (https://<prefix>.auth.<region>.amazoncognito.com), for social sign-in in Cognito mode.",
    optionalOrigin,
  ),
  cognitoIdentityProviders: setting(
    'COGNITO_IDENTITY_PROVIDERS',
    '',
    "Comma-separated names of the user pool's identity providers to offer as sign-in buttons through the Hosted UI (IDENTITY_PROVIDER=cognito; needs COGNITO_DOMAIN), e.g. Google,Facebook,LoginWithAmazon or an OIDC provider's name.",
    nameList,
  ),
  googleClientId: setting(
    'GOOGLE_CLIENT_ID',
    '',
    'OAuth client id of "Sign in with Google" (built-in identity). The button appears when the GOOGLE_CLIENT_SECRET secret is set too.',
    text,
  ),
  googleIssuer: setting(
    'GOOGLE_ISSUER',
    'https://accounts.google.com',
    "Google's OpenID issuer, read by discovery. Only change it for a local stand-in.",
    origin,
  ),
  facebookClientId: setting(
    'FACEBOOK_CLIENT_ID',
    '',
    'Facebook app id for "Continue with Facebook" (built-in identity). The button appears when the FACEBOOK_CLIENT_SECRET secret is set too.',
    text,
  ),
  amazonClientId: setting(
    'AMAZON_CLIENT_ID',
    '',
    'Login with Amazon client id (built-in identity). The button appears when the AMAZON_CLIENT_SECRET secret is set too.',
    text,
  ),
  oidcIssuer: setting(
    'OIDC_ISSUER',
    '',
    'Issuer URL of any other OpenID Connect provider (built-in identity), read by discovery; with OIDC_CLIENT_ID and the OIDC_CLIENT_SECRET secret.',
    optionalUrl,
  ),
  oidcClientId: setting('OIDC_CLIENT_ID', '', 'OAuth client id at OIDC_ISSUER.', text),
  oidcName: setting(
    'OIDC_NAME',
    'Single sign-on',
    'What the OIDC_ISSUER sign-in button says after "Continue with".',
    text,
  ),
  dynamodbTable: setting('DYNAMODB_TABLE', '', 'DynamoDB table of the store (STORE=dynamodb).', text),
  dynamodbEndpoint: setting(
    'DYNAMODB_ENDPOINT',
    '',
    "DynamoDB endpoint. Empty: the region's. Only for DynamoDB Local.",
    optionalOrigin,
  ),
  s3Bucket: setting('S3_BUCKET', '', 'S3 bucket of photos and files (BLOBS=s3).', text),
  s3Endpoint: setting(
    'S3_ENDPOINT',
    '',
    "S3 endpoint (path-style). Empty: the region's. Only for a local stand-in.",
    optionalOrigin,
  ),
  s3KmsKeyId: setting(
    'S3_KMS_KEY_ID',
    '',
    'KMS key for server-side encryption. Empty: SSE-S3 (AES256).',
    text,
  ),
  secretsId: setting(
    'SECRETS_ID',
    '',
    "Secrets Manager secret (name or ARN) with COGNITO_CLIENT_SECRET, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and the social providers' client secrets (SECRETS=aws).",
    text,
  ),
  secretsEndpoint: setting(
    'SECRETS_ENDPOINT',
    '',
    "Secrets Manager endpoint. Empty: the region's. Only for a local stand-in.",
    optionalOrigin,
  ),
  mail: setting(
    'MAIL',
    'outbox',
    'Mail adapter: outbox (the dev outbox: keeps every message, prints it to the log and serves it at GET /api/dev/mail to loopback clients; nothing is delivered), smtp (any SMTP provider; needs SMTP_HOST, MAIL_FROM) or ses (Amazon SES; needs MAIL_FROM and SES_REGION or AWS_REGION).',
    oneOf('outbox', 'smtp', 'ses'),
  ),
  mailFrom: setting(
    'MAIL_FROM',
    '',
    'Sender of every message, a display name and an address: Gatehouse <no-reply@example.com> (a bare address is sent with SERVICE_NAME as its name). Required with MAIL=smtp or ses; with ses the address or its domain must be a verified SES identity.',
    optionalMailbox,
  ),
  mailReplyTo: setting(
    'MAIL_REPLY_TO',
    '',
    'Where replies go (Reply-To), as a name and an address like MAIL_FROM. Empty: no Reply-To header, replies go to MAIL_FROM.',
    optionalMailbox,
  ),
  smtpHost: setting('SMTP_HOST', '', 'SMTP server (MAIL=smtp), e.g. smtp.example.com.', hostName),
  smtpPort: setting(
    'SMTP_PORT',
    '587',
    'SMTP port: 587 or 25 use STARTTLS, 465 TLS from the start. Beyond localhost the connection must be encrypted and the certificate valid, or nothing is sent.',
    int(1, 65535),
  ),
  smtpUser: setting(
    'SMTP_USER',
    '',
    'SMTP user name; its password is the SMTP_PASSWORD secret (environment, .env or the Secrets Manager secret). Empty: no authentication.',
    oneLine,
  ),
  sesRegion: setting('SES_REGION', '', 'Region of Amazon SES (MAIL=ses). Empty: AWS_REGION.', text),
  sesConfigurationSet: setting(
    'SES_CONFIGURATION_SET',
    '',
    'SES configuration set every message is sent with (its event destinations see sends, bounces and complaints). Empty: none.',
    awsName,
  ),
  sesEndpoint: setting(
    'SES_ENDPOINT',
    '',
    "SES API endpoint. Empty: the region's. Only for a local stand-in such as moto.",
    optionalOrigin,
  ),
  mailBudgetPerHour: setting(
    'MAIL_BUDGET_PER_HOUR',
    '5',
    'Messages one address may be sent per hour in answer to sign-up, resend-code and forgot-password requests, whoever sends them. Beyond it they are withheld (and audited); the answers do not change.',
    int(1, 1000),
  ),
  allowDevOutbox: setting(
    'ALLOW_DEV_OUTBOX',
    '0',
    'Set to 1 to start with MAIL=outbox although the server listens beyond loopback or NODE_ENV is production (a demo, a staging box): without it such a start is refused, because nobody would receive mail.',
    bool,
  ),
  nodeEnv: setting(
    'NODE_ENV',
    '',
    'Only read by the dev-outbox guard: production refuses MAIL=outbox unless ALLOW_DEV_OUTBOX=1. Nothing else changes with it.',
    text,
  ),
  adminEmails: setting(
    'ADMIN_EMAILS',
    '',
    'Comma-separated emails that join the admin group when they confirm their address.',
    emailList,
  ),
  serviceName: setting(
    'SERVICE_NAME',
    'Gatehouse',
    'Product name used in emails, the TOTP issuer and the password context check.',
    text,
  ),
  phoneDefaultCountry: setting(
    'PHONE_DEFAULT_COUNTRY',
    'US',
    'Country (two letters) of phone numbers typed without a + and country code, in the profile; numbers are stored in E.164 whatever was typed.',
    phoneCountry,
  ),
  accessTokenTtl: setting(
    'ACCESS_TOKEN_TTL_SECONDS',
    '3600',
    'Lifetime of access and ID tokens.',
    int(60, 86400),
  ),
  refreshTokenTtl: setting(
    'REFRESH_TOKEN_TTL_SECONDS',
    '2592000',
    'Absolute lifetime of a refresh token family (30 days).',
    int(300, 31536000),
  ),
  refreshIdleTtl: setting(
    'REFRESH_IDLE_TTL_SECONDS',
    '604800',
    'A refresh token family unused for this long dies (7 days).',
    int(60, 31536000),
  ),
  sessionTtl: setting(
    'SESSION_TTL_SECONDS',
    '604800',
    'Absolute lifetime of a browser session (7 days).',
    int(300, 31536000),
  ),
  sessionIdleTtl: setting(
    'SESSION_IDLE_TTL_SECONDS',
    '86400',
    'A browser session unused for this long ends (24 hours).',
    int(60, 31536000),
  ),
  passwordMinLength: setting(
    'PASSWORD_MIN_LENGTH',
    '15',
    'Shortest accepted password, in Unicode code points (NIST SP 800-63B asks for at least 15 without MFA).',
    int(8, 64),
  ),
  passwordMaxLength: setting(
    'PASSWORD_MAX_LENGTH',
    '1024',
    'Longest accepted password, in code points.',
    int(64, 4096),
  ),
  passwordHashCost: setting(
    'PASSWORD_HASH_COST',
    '15',
    'scrypt cost as a power of two (N = 2^cost). Each step doubles the time and memory of a hash.',
    int(10, 20),
  ),
  loginMaxFailures: setting(
    'LOGIN_MAX_FAILURES',
    '10',
    'Failed sign-ins (or MFA, or confirmation codes) on one account before it is throttled.',
    int(1, 100000),
  ),
  loginLockSeconds: setting(
    'LOGIN_LOCK_SECONDS',
    '900',
    'How long an account stays throttled after LOGIN_MAX_FAILURES failures.',
    int(1, 86400),
  ),
  rateLimitAuthPerMinute: setting(
    'RATE_LIMIT_AUTH_PER_MINUTE',
    '30',
    'Requests per minute one client address may make to each credential endpoint (sign-in, sign-up, codes, resets, MFA, refresh), counted across every instance (in the DynamoDB table with STORE=dynamodb).',
    int(1, 10000000),
  ),
  rateLimitPerMinute: setting(
    'RATE_LIMIT_PER_MINUTE',
    '1200',
    'Requests per minute one client address may make to every other API route (health and discovery routes are exempt).',
    int(1, 100000000),
  ),
  bodyLimitBytes: setting(
    'BODY_LIMIT_BYTES',
    '65536',
    'Largest JSON request body accepted.',
    int(1024, 10485760),
  ),
  headersTimeoutSeconds: setting(
    'HTTP_HEADERS_TIMEOUT_SECONDS',
    '10',
    'How long a client may take to send a request line and headers (counted from its first byte, or from connecting). Slower connections get 408 and are closed.',
    int(1, 300),
  ),
  requestTimeoutSeconds: setting(
    'HTTP_REQUEST_TIMEOUT_SECONDS',
    '30',
    'How long a client may take to send a request body once its headers are in, on every route but the file and photo uploads (which have UPLOAD_IDLE_TIMEOUT_SECONDS instead). Slower connections get 408 and are closed.',
    int(1, 3600),
  ),
  keepAliveTimeoutSeconds: setting(
    'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS',
    '72',
    'How long an idle keep-alive connection is kept open between requests. Longer than the 60 s idle timeout of AWS load balancers, so the balancer, not the server, closes an idle connection.',
    int(1, 3600),
  ),
  uploadIdleTimeoutSeconds: setting(
    'UPLOAD_IDLE_TIMEOUT_SECONDS',
    '30',
    'An upload body that sends no byte for this long is dropped (408). There is no limit on its total time, so large uploads still work on slow links.',
    int(1, 3600),
  ),
  mfaIssuer: setting('MFA_ISSUER', '', 'Issuer shown in authenticator apps. Empty: SERVICE_NAME.', text),
  fileMaxBytes: setting(
    'FILE_MAX_BYTES',
    '',
    "Largest single file upload, for every plan. Empty: each plan's own limit (config/plans.json). Larger uploads get 413 FILE_TOO_LARGE and nothing is stored.",
    optionalInt(1, 5497558138880),
  ),
  fileQuotaBytes: setting(
    'FILE_QUOTA_BYTES',
    '',
    "Total size of one user's files, for every plan. Empty: each plan's own quota. An upload that would pass it gets 413 QUOTA_EXCEEDED.",
    optionalInt(0, 1125899906842624),
  ),
  photoMaxBytes: setting(
    'PHOTO_MAX_BYTES',
    '10485760',
    'Largest profile photo upload (10 MiB), before it is decoded and re-encoded.',
    int(1024, 104857600),
  ),
  photoMaxPixels: setting(
    'PHOTO_MAX_PIXELS',
    '40000000',
    'Largest profile photo by pixel count (width x height, 40 megapixels), checked before decoding, so a small file that decompresses to a huge image is refused.',
    int(1, 268402689),
  ),
  billing: setting(
    'BILLING',
    '',
    'Billing adapter: stripe, or simulator (the offline checkout, portal and signed webhooks). Empty: stripe when the STRIPE_SECRET_KEY secret is set, else simulator.',
    optionalOneOf('stripe', 'simulator'),
  ),
  plansFile: setting(
    'PLANS_FILE',
    'config/plans.json',
    'The plan table: names, prices, intervals, trial length, features and entitlements. A relative path is taken from the project folder.',
    text,
  ),
  stripeApiBase: setting(
    'STRIPE_API_BASE',
    '',
    'Where the Stripe API is, as an http(s) origin. Empty: api.stripe.com. Only for pointing the Stripe adapter at a local stand-in (the tests do).',
    optionalOrigin,
  ),
  stripePriceBasic: setting(
    'STRIPE_PRICE_BASIC',
    '',
    'Stripe price id of the Basic plan (price_...); required with BILLING=stripe.',
    text,
  ),
  stripePricePremium: setting(
    'STRIPE_PRICE_PREMIUM',
    '',
    'Stripe price id of the Premium plan (price_...); required with BILLING=stripe.',
    text,
  ),
  billingReconcileSeconds: setting(
    'BILLING_RECONCILE_SECONDS',
    '600',
    "How often the server compares the billing states it has reason to doubt (a checkout not yet confirmed, a renewal past due) with the billing provider's, so a lost webhook is made up for. 0 turns the periodic pass off; the pass at start and the one on opening the billing page remain.",
    int(0, 86400),
  ),
  simulatorRetrySpeedup: setting(
    'SIMULATOR_RETRY_SPEEDUP',
    '1',
    "Divides the billing simulator's webhook retry schedule (Stripe's: exponential backoff for up to three days) by this factor. Only for tests that must live through long outages quickly.",
    int(1, 1000000),
  ),
} as const;

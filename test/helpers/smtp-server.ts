/**
 * A real SMTP server inside the test process (the `smtp-server` package, as used by mail
 * providers' own test suites), for the SMTP adapter to talk to:
 *
 *   const smtp = await startSmtpServer({ host: '127.0.0.2', starttls: true, auth: { user, pass } });
 *   smtp.received            // every message accepted: envelope, raw MIME, parsed, over TLS or not
 *   smtp.failNext(451)       // the next message is answered with this SMTP reply instead
 *   smtp.ca                  // the self-signed certificate it presents, to trust in a test
 *
 * STARTTLS uses a certificate made for this server (EC P-256, for 127.0.0.1, 127.0.0.2 and
 * localhost); without `starttls` the server does not offer it at all. With `auth`, AUTH is
 * required and only those credentials pass; `authAttempts` counts every try, so a test can tell
 * that a client never sent its password.
 */
import { type ParsedMail, simpleParser } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';

export interface Received {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
  readonly parsed: ParsedMail;
  /** The session was encrypted (STARTTLS) when the message was sent. */
  readonly secure: boolean;
  readonly user: string | null;
}

export interface TestSmtp {
  readonly host: string;
  readonly port: number;
  readonly ca: string;
  readonly received: Received[];
  readonly authAttempts: { user: string; secure: boolean }[];
  /** Answers the next message's DATA with this reply code (4xx: try later; 5xx: refused). */
  failNext(code: number): void;
  close(): Promise<void>;
}

let certificate: Promise<{ key: string; cert: string }> | null = null;
const testCertificate = () => {
  certificate ??= generate([{ name: 'commonName', value: 'gatehouse-test-smtp' }], {
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '127.0.0.2' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return certificate;
};

export async function startSmtpServer(
  opts: { host?: string; port?: number; starttls?: boolean; auth?: { user: string; pass: string } } = {},
): Promise<TestSmtp> {
  const host = opts.host ?? '127.0.0.1';
  const { key, cert } = await testCertificate();
  const received: Received[] = [];
  const authAttempts: { user: string; secure: boolean }[] = [];
  const failures: number[] = [];
  const server = new SMTPServer({
    logger: false,
    banner: 'gatehouse test SMTP',
    ...(opts.starttls ? { key, cert } : { disabledCommands: ['STARTTLS'] }),
    authOptional: !opts.auth,
    // Over plain text only when the test asks for a server without STARTTLS at all.
    allowInsecureAuth: !opts.starttls,
    onAuth(auth, session, callback) {
      authAttempts.push({ user: auth.username ?? '', secure: session.secure });
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) {
        callback(null, { user: auth.username });
        return;
      }
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = failures.shift();
        if (code !== undefined) {
          callback(Object.assign(new Error(`test failure ${code}`), { responseCode: code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
              secure: session.secure,
              user: typeof session.user === 'string' ? session.user : null,
            });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve((server.server.address() as { port: number }).port));
  });
  return {
    host,
    port,
    ca: cert,
    received,
    authAttempts,
    failNext: (code) => failures.push(code),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Real mail through the whole app (issue 14's "done"): with MAIL=smtp a sign-up's confirmation
 * mail arrives at an SMTP server started here (STARTTLS and AUTH, the password from the secrets
 * port), with MAIL=ses at moto, and in both the code it carries confirms the account. A mail
 * server that is down does not fail the sign-up: the message goes out once it is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import { type Built, build, waitFor } from '../helpers/build.ts';
import { freePort } from '../helpers/kit.ts';
import { type Moto, startMoto } from '../helpers/moto.ts';
import { startSmtpServer, type TestSmtp } from '../helpers/smtp-server.ts';
import { PASSWORD, uniqueEmail } from '../helpers/users.ts';

const AUTH = { user: 'gatehouse', pass: 'the smtp password, a secret' };
const FROM = 'Gatehouse <no-reply@example.com>';

const signUp = (b: Built, email: string) =>
  b.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });

const confirm = (b: Built, email: string, code: string) =>
  b.app.inject({ method: 'POST', url: '/api/auth/confirm', payload: { email, confirmation_code: code } });

const codeIn = (text: string | undefined) => /code is (\d{6})/.exec(text ?? '')?.[1] ?? '';

describe('MAIL=smtp', () => {
  const servers: TestSmtp[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  const smtpSettings = (s: TestSmtp) => ({
    MAIL: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(s.port),
    SMTP_USER: AUTH.user,
    SMTP_PASSWORD: AUTH.pass,
    MAIL_FROM: FROM,
    MAIL_REPLY_TO: 'Gatehouse support <support@example.com>',
  });

  test("a sign-up's confirmation mail arrives at the SMTP server, and its code confirms the account", async (t) => {
    const server = await startSmtpServer({ starttls: true, auth: AUTH });
    servers.push(server);
    const b = await build(t, smtpSettings(server));
    assert.equal(b.deps.devOutbox, undefined, 'no dev outbox, and no /api/dev/mail');
    assert.equal((await b.app.inject({ url: '/api/dev/mail', remoteAddress: '127.0.0.1' })).statusCode, 404);
    const email = uniqueEmail('smtp');
    assert.equal((await signUp(b, email)).statusCode, 202);
    await waitFor(() => server.received.some((r) => r.to.includes(email)), 'the confirmation mail');
    const got = server.received.find((r) => r.to.includes(email));
    assert.equal(got?.secure, true);
    assert.equal(got?.user, AUTH.user);
    assert.equal(got?.parsed.from?.text, '"Gatehouse" <no-reply@example.com>');
    assert.equal(got?.parsed.replyTo?.text, '"Gatehouse support" <support@example.com>');
    assert.match(String(got?.parsed.html), /<title>\d{6} is your Gatehouse confirmation code<\/title>/);
    const res = await confirm(b, email, codeIn(got?.parsed.text));
    assert.equal(res.statusCode, 200, res.body);
  });

  test('the SMTP server down: the sign-up still succeeds, and the mail goes out when it is back', async (t) => {
    const port = await freePort();
    const b = await build(t, smtpSettings({ port } as TestSmtp));
    const email = uniqueEmail('smtp-down');
    const started = Date.now();
    assert.equal((await signUp(b, email)).statusCode, 202);
    assert.ok(Date.now() - started < 2000, 'the answer did not wait for the mail server');
    assert.equal((await b.deps.identity.adminGetUserByEmail(email))?.status, 'UNCONFIRMED');
    await waitFor(
      () => b.logs().includes('"providerCode":"ESOCKET ECONNREFUSED"'),
      'the first attempt to fail',
    );
    // The first retry comes 2 s after the failure; by then the server is up on that port.
    const server = await startSmtpServer({ port, starttls: true, auth: AUTH });
    servers.push(server);
    await waitFor(() => server.received.some((r) => r.to.includes(email)), 'the retried mail', 15_000);
    const text = server.received.find((r) => r.to.includes(email))?.parsed.text;
    assert.equal((await confirm(b, email, codeIn(text))).statusCode, 200);
    assert.match(b.logs(), /went out after retrying/);
    assert.doesNotMatch(b.logs(), new RegExp(codeIn(text)), 'the code never reaches the log');
  });
});

describe('MAIL=ses', () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
    const ses = new SESv2Client({
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
    });
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'no-reply@example.com' }));
    ses.destroy();
  });
  after(() => moto?.stop());

  test("a sign-up's confirmation mail reaches SES (moto), and its code confirms the account", async (t) => {
    process.env.AWS_ACCESS_KEY_ID ??= 'moto';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'moto';
    const b = await build(t, {
      MAIL: 'ses',
      MAIL_FROM: FROM,
      SES_REGION: 'eu-west-1',
      SES_ENDPOINT: moto.endpoint,
      SES_CONFIGURATION_SET: 'gatehouse-mail',
    });
    const email = uniqueEmail('ses');
    assert.equal((await signUp(b, email)).statusCode, 202);
    const sent = async () =>
      (((await moto.state()).ses?.RawMessage ?? []) as { destinations: string[]; raw_data: string }[]).filter(
        (m) => m.destinations.includes(email),
      );
    for (const until = Date.now() + 10_000; (await sent()).length === 0 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const [message] = await sent();
    assert.ok(message, 'moto recorded the message');
    const parsed = await simpleParser(message.raw_data);
    assert.equal(parsed.subject?.endsWith('is your Gatehouse confirmation code'), true);
    assert.equal((await confirm(b, email, codeIn(parsed.text))).statusCode, 200);
  });
});

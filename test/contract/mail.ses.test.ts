/**
 * The SES adapter against moto (moto_server, started by this file): the mail contract, read back
 * from what moto recorded (the raw MIME message SendEmail carried), then what is SES's own: the
 * verified sender, the configuration set, and how SES's errors are classed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { createSesMail, sesFailure } from '../../src/adapters/mail/ses/ses-mail.ts';
import type { Mailbox } from '../../src/domain/mail-address.ts';
import { confirmationMail } from '../../src/domain/messages.ts';
import { MailSendError } from '../../src/ports/mail.ts';
import { freePort } from '../helpers/kit.ts';
import { type Moto, startMoto } from '../helpers/moto.ts';
import { uniqueEmail } from '../helpers/users.ts';
import { mailContract } from './mail.contract.ts';

const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'moto', secretAccessKey: 'moto' };
const CTX = { serviceName: 'Gatehouse', appOrigin: 'https://app.example.com' };
const FROM: Mailbox = { name: 'Gatehouse', address: 'no-reply@example.com' };

let moto: Moto;
before(async () => {
  moto = await startMoto();
  const client = new SESv2Client({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
  // The sending identity, as Terraform verifies it on AWS: the whole domain of MAIL_FROM.
  await client.send(new CreateEmailIdentityCommand({ EmailIdentity: 'example.com' }));
  client.destroy();
});
after(() => moto?.stop());

/** The raw messages moto recorded as sent to `to`. */
async function sentTo(to: string): Promise<string[]> {
  const raws = ((await moto.state()).ses?.RawMessage ?? []) as { destinations: string[]; raw_data: string }[];
  return raws.filter((m) => m.destinations.includes(to)).map((m) => m.raw_data);
}

const sesOf = (opts: Partial<Parameters<typeof createSesMail>[0]> = {}) =>
  createSesMail({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS, from: FROM, ...opts });

describe('SES mail (moto)', () => {
  mailContract(() => ({
    transport: ({ from, replyTo }) => sesOf({ from, replyTo }),
    received: sentTo,
  }));

  test('SendEmail carries the configuration set, From and the one recipient; moto records the message', async () => {
    const client = new SESv2Client({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
    const inputs: Record<string, unknown>[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'SendEmailCommand') inputs.push(args.input as Record<string, unknown>);
        return next(args);
      },
      { step: 'initialize' },
    );
    const to = uniqueEmail('ses');
    const mail = sesOf({ client, configurationSet: 'gatehouse-transactional' });
    await mail.send(confirmationMail(CTX, to, '482913'));
    await mail.close?.();
    client.destroy();
    assert.equal(inputs.length, 1);
    assert.equal(inputs[0]?.ConfigurationSetName, 'gatehouse-transactional');
    assert.deepEqual(inputs[0]?.Destination, { ToAddresses: [to] });
    assert.equal(inputs[0]?.FromEmailAddress, 'Gatehouse <no-reply@example.com>');
    const [raw] = await sentTo(to);
    assert.match(raw ?? '', /482913 is your Gatehouse confirmation code/);
  });

  test('a sender SES has not verified is refused for good (SES MessageRejected), nothing is recorded', async () => {
    const to = uniqueEmail('ses');
    const mail = sesOf({ from: { name: 'Someone', address: 'someone@unverified.example.org' } });
    await assert.rejects(
      mail.send(confirmationMail(CTX, to, '123123')),
      (e: unknown) => e instanceof MailSendError && !e.transient && e.providerCode === 'SES MessageRejected',
    );
    await mail.close?.();
    assert.deepEqual(await sentTo(to), []);
  });

  test('an endpoint that cannot be reached is a transient failure, after the SDK retried', async () => {
    const mail = sesOf({ endpoint: `http://127.0.0.1:${await freePort()}` });
    await assert.rejects(
      mail.send(confirmationMail(CTX, uniqueEmail('ses'), '456456')),
      (e: unknown) => e instanceof MailSendError && e.transient && e.providerCode === 'SES ECONNREFUSED',
    );
    await mail.close?.();
  });

  test("SES's own error names decide: throttling and 5xx may pass, the rest will not", () => {
    const err = (name: string, status: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    assert.equal(sesFailure(err('TooManyRequestsException', 429)).transient, true);
    assert.equal(sesFailure(err('InternalFailure', 500)).transient, true);
    assert.equal(sesFailure(err('AccountSuspendedException', 400)).transient, false);
    assert.equal(sesFailure(err('SendingPausedException', 400)).transient, false);
    assert.equal(sesFailure(err('NotFoundException', 404)).providerCode, 'SES NotFoundException');
  });
});

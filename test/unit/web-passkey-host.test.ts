/**
 * The sign-in page starts the passkey autofill request only where WebAuthn can work: at a domain
 * name or localhost, never at an IP address (the any-port browser test saw the request refused,
 * 400 PASSKEY_NEEDS_HOST_NAME, on every visit to http://127.0.0.1:PORT/signin).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostCanHavePasskeys } from '../../web/src/passkey-problem.ts';

test('passkeys at host names and localhost, never at IPv4 or IPv6 addresses', () => {
  for (const host of ['localhost', 'app.example.com', 'example.test', 'x1.example'])
    assert.equal(hostCanHavePasskeys(host), true, host);
  for (const host of ['127.0.0.1', '10.0.0.12', '192.168.1.20', '[::1]', '::1', '[2001:db8::1]'])
    assert.equal(hostCanHavePasskeys(host), false, host);
});

/**
 * Whether the user pool offers passkeys: WEB_AUTHN among its allowed first sign-in factors
 * (DescribeUserPool's Policies.SignInPolicy), which the Terraform sets and which needs the
 * Essentials tier or above. A pool without it (an older deployment, a pool made elsewhere, the
 * local stand-ins) would refuse every passkey call, so the app does not show passkeys at all
 * rather than a Security page whose passkey card fails. The answer is kept for five minutes (a
 * change to the pool shows within that), a failed check for thirty seconds (passkeys are then
 * not shown; the pool being unreachable is /ready's business).
 */
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { type CognitoLog, errorName } from './errors.ts';

const KEEP_MS = 5 * 60_000;
const KEEP_FAILED_MS = 30_000;

export function createPasskeysOffered(d: {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly clock: () => number;
  readonly log?: CognitoLog;
}): () => Promise<boolean> {
  let known: { offered: boolean; until: number } | null = null;
  let pending: Promise<boolean> | null = null;

  const check = async (): Promise<boolean> => {
    try {
      const out = await d.client.send(new DescribeUserPoolCommand({ UserPoolId: d.userPoolId }));
      const factors = out.UserPool?.Policies?.SignInPolicy?.AllowedFirstAuthFactors ?? [];
      const offered = factors.includes('WEB_AUTHN');
      known = { offered, until: d.clock() + KEEP_MS };
      return offered;
    } catch (err) {
      d.log?.warn(
        { cause: errorName(err) },
        'Could not read the user pool’s sign-in policy: passkeys are not offered for now.',
      );
      known = { offered: false, until: d.clock() + KEEP_FAILED_MS };
      return false;
    }
  };

  return async () => {
    if (known && known.until > d.clock()) return known.offered;
    pending ??= check().finally(() => {
      pending = null;
    });
    return pending;
  };
}

/**
 * The AWS-credentials port: short-lived AWS credentials for one signed-in user, scoped by the IAM
 * role of a Cognito identity pool (GET /api/aws/credentials). Only AWS mode has an adapter; without
 * one the route answers NOT_AVAILABLE_IN_MODE.
 *
 * Guarantees every adapter gives:
 * - The credentials belong to an identity derived from the Gatehouse user id alone, so one user can
 *   never receive another's identity, and the same user always gets the same identity id.
 * - They expire (at most an hour); nothing about them is stored or logged.
 * - A provider that cannot be reached raises UNAVAILABLE; a misconfigured pool raises UNAVAILABLE
 *   with the reason in the log, never in the answer.
 */
export interface AwsCredentials {
  readonly identityId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO 8601. */
  readonly expiration: string;
}

export interface AwsCredentialsBroker {
  forUser(userId: string): Promise<AwsCredentials>;
}

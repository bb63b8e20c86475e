/**
 * The groups an administrator can give (the identity providers hold them; Cognito needs each one
 * created in the pool). The web app's group editor offers exactly these.
 */
export const KNOWN_GROUPS = ['admin', 'user'] as const;
export type Group = (typeof KNOWN_GROUPS)[number];

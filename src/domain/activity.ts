/**
 * Which audit events a user sees as their own activity (the security page, GET
 * /api/users/me/activity): what they did and what happened to their account. Bookkeeping stays in
 * the audit trail for administrators: group changes (every account joins "user" when it is
 * confirmed) and administrators looking at the account.
 */
const BOOKKEEPING = [/^admin\./, /^user\.group\./];

export const isOwnActivity = (type: string): boolean => !BOOKKEEPING.some((re) => re.test(type));

import { createHash, timingSafeEqual } from 'node:crypto';

/** What a request's Authorization header is worth for a mutating call. */
export type TokenVerdict = 'valid' | 'missing' | 'wrong' | 'disabled';

/**
 * The bearer token check behind every mutating call (the API's guard, Bull Board's actions): the comparison
 * takes the same time whatever the token (sha-256 digests of equal length, timingSafeEqual); the token is
 * never logged.
 */
export class TokenCheck {
  private readonly expected: Buffer | null;

  constructor(token: string | null) {
    this.expected = token === null ? null : digest(token);
  }

  verdict(authorization: string | string[] | undefined): TokenVerdict {
    const match = typeof authorization === 'string' ? /^Bearer +(\S+)\s*$/i.exec(authorization) : null;
    if (!match) return 'missing';
    if (this.expected === null) return 'disabled';
    return timingSafeEqual(digest(match[1]!), this.expected) ? 'valid' : 'wrong';
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

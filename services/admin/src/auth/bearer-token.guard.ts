import { createHash, timingSafeEqual } from 'node:crypto';
import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import { ADMIN_CONFIG } from '../config/admin-config.module';
import type { AdminConfig } from '../config/admin-config';

/**
 * Mutating calls carry `Authorization: Bearer <ADMIN_TOKEN>`: none → 401, a wrong one → 403. The comparison
 * takes the same time whatever the token (digests of equal length, timingSafeEqual), and the token is never
 * logged. Without ADMIN_TOKEN configured every mutating call is refused.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(ADMIN_CONFIG) config: AdminConfig) {
    this.expected = config.token === null ? null : digest(config.token);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('this call needs "Authorization: Bearer <ADMIN_TOKEN>"');
    if (this.expected === null)
      throw new ForbiddenException('mutating calls are disabled: the admin service has no ADMIN_TOKEN');
    if (!timingSafeEqual(digest(match[1]!), this.expected)) throw new ForbiddenException('wrong token');
    return true;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

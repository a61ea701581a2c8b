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
import { TokenCheck } from './token-check';

/**
 * Mutating calls carry `Authorization: Bearer <ADMIN_TOKEN>`: none → 401, a wrong one → 403. Without
 * ADMIN_TOKEN configured every mutating call is refused (403).
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly check: TokenCheck;

  constructor(@Inject(ADMIN_CONFIG) config: AdminConfig) {
    this.check = new TokenCheck(config.token);
  }

  canActivate(context: ExecutionContext): boolean {
    const verdict = this.check.verdict(context.switchToHttp().getRequest<Request>().headers.authorization);
    if (verdict === 'missing')
      throw new UnauthorizedException('this call needs "Authorization: Bearer <ADMIN_TOKEN>"');
    if (verdict === 'disabled')
      throw new ForbiddenException('mutating calls are disabled: the admin service has no ADMIN_TOKEN');
    if (verdict === 'wrong') throw new ForbiddenException('wrong token');
    return true;
  }
}

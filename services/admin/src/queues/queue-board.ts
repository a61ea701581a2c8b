import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { redisConnection, REPLAY_QUEUE } from '@lk/replays';
import { TokenCheck } from '../auth/token-check';
import { ADMIN_CONFIG } from '../config/admin-config.module';
import type { AdminConfig } from '../config/admin-config';

export const QUEUES_PATH = '/queues';

/**
 * Bull Board over the replay queue at /queues: anyone may look; its actions (retry, clean, remove, …) are
 * mutating calls and need the bearer token like the API's own.
 */
@Injectable()
export class QueueBoard implements OnModuleDestroy {
  private readonly queue: Queue;
  private readonly adapter = new ExpressAdapter();
  private readonly check: TokenCheck;

  constructor(@Inject(ADMIN_CONFIG) config: AdminConfig) {
    this.check = new TokenCheck(config.token);
    this.queue = new Queue(REPLAY_QUEUE, {
      connection: redisConnection(config.stack.redisUrl, 'producer'),
      prefix: config.queuePrefix,
    });
    // a Redis outage surfaces in the board's own answers; unhandled, it would end the process
    this.queue.on('error', () => undefined);
    this.adapter.setBasePath(QUEUES_PATH);
    createBullBoard({ queues: [new BullMQAdapter(this.queue)], serverAdapter: this.adapter });
  }

  handlers(): RequestHandler[] {
    const guard: RequestHandler = (request: Request, response: Response, next: NextFunction) => {
      if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return next();
      const verdict = this.check.verdict(request.headers.authorization);
      if (verdict === 'valid') return next();
      const status = verdict === 'missing' ? 401 : 403;
      response.status(status).json({
        statusCode: status,
        error: status === 401 ? 'Unauthorized' : 'Forbidden',
        message: 'Bull Board is read-only without "Authorization: Bearer <ADMIN_TOKEN>"',
      });
    };
    return [guard, this.adapter.getRouter() as RequestHandler];
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}

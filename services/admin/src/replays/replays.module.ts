import { Module } from '@nestjs/common';
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { ReplaysController } from './replays.controller';
import { ReplaysService } from './replays.service';

@Module({
  controllers: [ReplaysController],
  providers: [ReplaysService, BearerTokenGuard],
  exports: [ReplaysService],
})
export class ReplaysModule {}

import { Module } from '@nestjs/common';
import { QueueBoard } from './queue-board';

@Module({ providers: [QueueBoard], exports: [QueueBoard] })
export class QueuesModule {}

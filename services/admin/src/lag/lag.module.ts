import { Module } from '@nestjs/common';
import { LagController } from './lag.controller';
import { LagService } from './lag.service';

@Module({ controllers: [LagController], providers: [LagService] })
export class LagModule {}

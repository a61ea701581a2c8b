import { Module } from '@nestjs/common';
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { ComparisonsController } from './comparisons.controller';

@Module({ controllers: [ComparisonsController], providers: [BearerTokenGuard] })
export class ComparisonsModule {}

import { Global, Module } from '@nestjs/common';
import { StackClients } from './stack-clients';

@Global()
@Module({ providers: [StackClients], exports: [StackClients] })
export class StackModule {}

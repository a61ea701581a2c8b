import { Module } from '@nestjs/common';
import { HealthModule } from '@lk/common';

@Module({
  imports: [HealthModule.forRoot({ service: 'admin' })],
})
export class AppModule {}

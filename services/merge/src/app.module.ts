import { Module } from '@nestjs/common';
import { HealthModule } from '@lk/common';

@Module({
  imports: [HealthModule.forRoot({ service: 'merge' })],
})
export class AppModule {}

import { bootstrapService } from '@lk/nest';
import { AppModule } from './app.module';

bootstrapService({
  name: 'admin',
  module: AppModule,
  defaultPort: 3000,
  // replays and lag (Kafka), schema checks (registry), results and comparisons (Postgres), replay jobs (Redis/BullMQ)
  dependencies: ['kafka', 'registry', 'postgres', 'redis'],
});

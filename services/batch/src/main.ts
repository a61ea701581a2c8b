import { bootstrapService } from '@lk/nest';
import { AppModule } from './app.module';

bootstrapService({
  name: 'batch',
  module: { build: () => AppModule.forRoot() },
  defaultPort: 3003,
  // takes replay jobs (Redis/BullMQ), reads history (Kafka, registry), writes results (Postgres)
  dependencies: ['kafka', 'registry', 'postgres', 'redis'],
});

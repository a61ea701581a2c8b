import { bootstrapService } from '@lk/nest';
import { AppModule } from './app.module';

bootstrapService({
  name: 'speed',
  module: { build: () => AppModule.forRoot() },
  defaultPort: 3002,
  // consumes and decodes (Kafka, registry), writes results and offsets (Postgres)
  dependencies: ['kafka', 'registry', 'postgres'],
});

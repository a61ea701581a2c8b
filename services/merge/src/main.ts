import { bootstrapService } from '@lk/nest';
import { AppModule } from './app.module';

bootstrapService({
  name: 'merge',
  module: { build: () => AppModule.forRoot() },
  defaultPort: 3004,
  // compares in Postgres; Kafka only for the scorecard's lag, which is reported unknown while it is away
  dependencies: ['postgres'],
});

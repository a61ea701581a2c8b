import { bootstrapService } from '@lk/nest';
import { AppModule } from './app.module';

bootstrapService({
  name: 'generator',
  module: AppModule,
  defaultPort: 3001,
  // produces Avro events: Kafka and the registry
  dependencies: ['kafka', 'registry'],
});

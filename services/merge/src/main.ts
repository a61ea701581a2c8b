import { bootstrapService } from '@lk/nest';
import { AppModule } from './app.module';

bootstrapService({
  name: 'merge',
  module: AppModule,
  defaultPort: 3004,
  // reconciles the views in Postgres
  dependencies: ['postgres'],
});

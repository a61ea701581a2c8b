import { bootstrapService } from '@lk/common';
import { AppModule } from './app.module';

bootstrapService({ name: 'admin', module: AppModule, defaultPort: 3000 });

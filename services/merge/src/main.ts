import { bootstrapService } from '@lk/common';
import { AppModule } from './app.module';

bootstrapService({ name: 'merge', module: AppModule, defaultPort: 3004 });

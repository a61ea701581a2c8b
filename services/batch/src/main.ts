import { bootstrapService } from '@lk/common';
import { AppModule } from './app.module';

bootstrapService({ name: 'batch', module: AppModule, defaultPort: 3003 });

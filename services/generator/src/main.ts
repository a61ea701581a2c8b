import { bootstrapService } from '@lk/common';
import { AppModule } from './app.module';

bootstrapService({ name: 'generator', module: AppModule, defaultPort: 3001 });

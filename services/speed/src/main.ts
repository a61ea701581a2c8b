import { bootstrapService } from '@lk/common';
import { AppModule } from './app.module';

bootstrapService({ name: 'speed', module: AppModule, defaultPort: 3002 });

import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { bootstrapService } from '@lk/nest';
import { AppModule } from './app.module';
import { chartJsDir, DASHBOARD_DIR } from './dashboard/dashboard-assets';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { apiValidationPipe } from './errors/validation-pipe';
import { QueueBoard, QUEUES_PATH } from './queues/queue-board';

bootstrapService({
  name: 'admin',
  module: { build: () => AppModule.forRoot() },
  defaultPort: 3000,
  // replays and lag (Kafka), schema checks (registry), results and comparisons (Postgres), replay jobs (Redis/BullMQ)
  dependencies: ['kafka', 'registry', 'postgres', 'redis'],
  configure: (nest) => {
    const app = nest as NestExpressApplication;
    app.useGlobalPipes(apiValidationPipe());
    app.useGlobalFilters(new ApiExceptionFilter());
    app.use(QUEUES_PATH, ...app.get(QueueBoard).handlers());
    app.useStaticAssets(DASHBOARD_DIR, { index: 'index.html' });
    app.useStaticAssets(chartJsDir(), { prefix: '/assets/chart/' });
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Lambda ⇄ Kappa admin API')
        .setDescription('Replays, cutover, comparisons, results, lag. Mutating calls need a bearer token.')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('docs', app, document);
  },
});

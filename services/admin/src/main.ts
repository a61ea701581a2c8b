import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { bootstrapService } from '@lk/nest';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { apiValidationPipe } from './errors/validation-pipe';

bootstrapService({
  name: 'admin',
  module: { build: () => AppModule.forRoot() },
  defaultPort: 3000,
  // replays and lag (Kafka), schema checks (registry), results and comparisons (Postgres), replay jobs (Redis/BullMQ)
  dependencies: ['kafka', 'registry', 'postgres', 'redis'],
  configure: (app) => {
    app.useGlobalPipes(apiValidationPipe());
    app.useGlobalFilters(new ApiExceptionFilter());
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

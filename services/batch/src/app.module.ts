import { Module } from '@nestjs/common';

/** The service's own modules; configuration and /health come from @lk/nest's ServiceModule around it. */
@Module({})
export class AppModule {}

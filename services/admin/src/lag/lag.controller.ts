import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { LagService, type JobLag } from './lag.service';

@ApiTags('lag')
@Controller('lag')
export class LagController {
  constructor(private readonly lagService: LagService) {}

  @Get()
  @ApiOperation({
    summary: 'Consumer lag per streaming version and partition (log end − next offset in the results)',
  })
  lag(): Promise<JobLag[]> {
    return this.lagService.lag();
  }
}

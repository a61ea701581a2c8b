import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PipelineNameParam, ResultsQuery } from './pipeline.dto';
import { PipelinesService } from './pipelines.service';

@ApiTags('pipelines')
@Controller('pipelines')
export class PipelinesController {
  constructor(private readonly pipelines: PipelinesService) {}

  @Get()
  @ApiOperation({ summary: 'The pipelines of pipelines.yaml, their versions and the serving one' })
  list() {
    return this.pipelines.list();
  }

  @Get(':name/results')
  @ApiOperation({ summary: 'Window results from the Lambda, Kappa, a speed version or a batch run view' })
  results(@Param() { name }: PipelineNameParam, @Query() query: ResultsQuery) {
    return this.pipelines.results(name, query);
  }
}

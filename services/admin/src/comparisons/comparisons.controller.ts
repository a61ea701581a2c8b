import { Body, Controller, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { endOffsetsReader } from '@lk/kafka';
import { Comparator, Comparisons, type ComparisonReport, type ComparisonRow } from '@lk/comparisons';
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { PipelineListQuery } from '../common/pipeline-list.query';
import { StackClients } from '../stack/stack-clients';
import { ComparisonIdParam, ComparisonRowsQuery, CreateComparisonDto } from './comparison.dto';

@ApiTags('comparisons')
@Controller('comparisons')
export class ComparisonsController {
  private readonly comparator: Comparator;
  private readonly comparisons: Comparisons;

  constructor(stack: StackClients) {
    this.comparator = new Comparator({
      database: stack.database,
      logger: stack.logger,
      endOffsets: endOffsetsReader(stack.kafka),
    });
    this.comparisons = new Comparisons(stack.database);
  }

  @Post()
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Compare two sources of a pipeline now (lambda vs kappa by default); 201 with the report',
  })
  create(@Body() body: CreateComparisonDto): Promise<ComparisonReport> {
    return this.comparator.compare({ ...body, trigger: 'api' });
  }

  @Get()
  @ApiOperation({ summary: 'Comparisons, newest first' })
  list(@Query() query: PipelineListQuery): Promise<ComparisonReport[]> {
    return this.comparisons.list(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A comparison: summary, scorecard and its not-equal rows (`rows`, `class` to choose)',
  })
  async get(
    @Param() { id }: ComparisonIdParam,
    @Query() query: ComparisonRowsQuery,
  ): Promise<ComparisonReport & { rows: ComparisonRow[] }> {
    const report = await this.comparisons.get(id);
    const limit = query.rows ?? 100;
    const rows = limit === 0 ? [] : await this.comparisons.rows(id, { class: query.class, limit });
    return { ...report, rows };
  }
}

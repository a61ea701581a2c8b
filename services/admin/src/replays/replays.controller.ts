import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Sse,
  UseGuards,
  type MessageEvent,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { TERMINAL_STATUSES } from '@lk/store';
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { PipelineListQuery } from '../common/pipeline-list.query';
import { CreateReplayDto, CutoverDto, RunIdParam } from './replay.dto';
import { ReplaysService, type ReplayView } from './replays.service';

/** How often a progress stream looks at the run: the workers flush about once a second. */
const PROGRESS_POLL_MS = 500;

@ApiTags('replays')
@Controller('replays')
export class ReplaysController {
  constructor(private readonly replays: ReplaysService) {}

  @Post()
  @HttpCode(202)
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Start a batch run or a Kappa replay per pipeline; 202 with the run ids and group ids',
  })
  async start(@Body() body: CreateReplayDto): Promise<{ id: string; groupId: string; runs: ReplayView[] }> {
    const runs = await this.replays.start(body);
    return { id: runs[0]!.id, groupId: runs[0]!.groupId, runs };
  }

  @Get()
  @ApiOperation({ summary: 'Runs, newest first' })
  list(@Query() query: PipelineListQuery): Promise<ReplayView[]> {
    return this.replays.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A run: status, per-partition progress, counts, timings' })
  get(@Param() { id }: RunIdParam): Promise<ReplayView> {
    return this.replays.get(id);
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Progress as server-sent events (`progress` while it runs, one `end` when it ends)',
  })
  async events(@Param() { id }: RunIdParam): Promise<Observable<MessageEvent>> {
    await this.replays.get(id); // an unknown id is a 404, not an empty stream
    return new Observable<MessageEvent>((subscriber) => {
      let timer: NodeJS.Timeout | undefined;
      let last = '';
      const poll = async (): Promise<void> => {
        try {
          const run = await this.replays.get(id);
          const ended = TERMINAL_STATUSES.includes(run.status);
          const text = JSON.stringify(run);
          if (text !== last || ended) subscriber.next({ type: ended ? 'end' : 'progress', data: run });
          last = text;
          if (ended) return subscriber.complete();
        } catch (error) {
          // Postgres away for a moment: the stream says so and keeps looking
          subscriber.next({ type: 'unavailable', data: { message: (error as Error).message } });
        }
        timer = setTimeout(() => void poll(), PROGRESS_POLL_MS);
      };
      void poll();
      return () => clearTimeout(timer);
    });
  }

  @Delete(':id')
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Cancel a queued or running run (409 when it has ended)' })
  cancel(@Param() { id }: RunIdParam): Promise<ReplayView> {
    return this.replays.cancel(id);
  }

  @Post(':id/cutover')
  @HttpCode(200)
  @UseGuards(BearerTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Make a completed, caught-up Kappa version the serving one (409 with the reason)',
  })
  cutover(@Param() { id }: RunIdParam, @Body() body: CutoverDto) {
    return this.replays.cutover(id, body.maxLag);
  }
}

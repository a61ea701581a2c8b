import { ConflictException, Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DEFAULT_CUTOVER_MAX_LAG, ReplayLauncher, ReplayRequestError } from '@lk/replays';
import {
  replayProgress,
  TERMINAL_STATUSES,
  type ReplayProgress,
  type ReplayRun,
  type ServingVersion,
} from '@lk/store';
import { ADMIN_CONFIG } from '../config/admin-config.module';
import type { AdminConfig } from '../config/admin-config';
import { StackClients } from '../stack/stack-clients';
import type { CreateReplayDto } from './replay.dto';

/** A run as the API shows it: the stored run with its progress summed up. */
export interface ReplayView extends ReplayRun {
  progress: ReplayProgress;
}

/** The replay endpoints' logic: requests checked as a whole first, then the launcher (shared with the CLI). */
@Injectable()
export class ReplaysService implements OnModuleDestroy {
  private readonly launcher: ReplayLauncher;

  constructor(
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    stack: StackClients,
  ) {
    this.launcher = new ReplayLauncher({
      kafka: stack.kafka,
      database: stack.database,
      redisUrl: config.stack.redisUrl,
      pipelines: config.pipelines,
      queuePrefix: config.queuePrefix,
      logger: stack.logger,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.launcher.close();
  }

  /**
   * Starts one run per pipeline asked for. Everything that can be checked up front is, before the first run
   * starts, so a bad request starts nothing.
   */
  async start(request: CreateReplayDto): Promise<ReplayView[]> {
    const known = this.config.pipelines.map((p) => p.name);
    let names = request.pipelines ?? (request.pipeline ? [String(request.pipeline.name ?? '')] : known);
    names = [...new Set(names)];
    for (const name of names)
      if (!known.includes(name))
        throw new ReplayRequestError('pipelines', `unknown pipeline "${name}" (known: ${known.join(', ')})`);
    if (request.pipeline !== undefined) {
      if (request.mode !== 'kappa')
        throw new ReplayRequestError(
          'pipeline',
          'a changed definition makes a new version: only a kappa replay takes one',
        );
      if (names.length !== 1 || names[0] !== request.pipeline.name)
        throw new ReplayRequestError(
          'pipeline',
          'a changed definition replays its own pipeline only (pipelines must be [its name])',
        );
    }
    const runs: ReplayView[] = [];
    for (const pipeline of names)
      runs.push(
        view(
          await this.launcher.start({
            mode: request.mode,
            pipeline,
            from: request.from,
            definition: request.pipeline,
          }),
        ),
      );
    return runs;
  }

  async get(id: string): Promise<ReplayView> {
    return view(await this.launcher.get(id));
  }

  async list(options: { pipeline?: string; limit?: number }): Promise<ReplayView[]> {
    return (await this.launcher.list(options)).map(view);
  }

  async cancel(id: string): Promise<ReplayView> {
    const run = await this.launcher.get(id);
    if (TERMINAL_STATUSES.includes(run.status))
      throw new ConflictException(
        `run ${id} is ${run.status}: only a queued or running run can be cancelled`,
      );
    return view(await this.launcher.cancel(id));
  }

  cutover(id: string, maxLag = DEFAULT_CUTOVER_MAX_LAG): Promise<ServingVersion> {
    return this.launcher.cutover(id, maxLag);
  }

  serving(pipeline: string): Promise<ServingVersion | undefined> {
    return this.launcher.serving(pipeline);
  }
}

export function view(run: ReplayRun): ReplayView {
  return { ...run, progress: replayProgress(run) };
}

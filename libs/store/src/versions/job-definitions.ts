import type { Database } from '../database';
import { JobDefinitionConflictError } from '../errors';
import { definitionDifferences } from './definition-differences';

export interface RecordedDefinition {
  jobId: string;
  pipeline: string;
  version: number | null;
  definition: unknown;
  createdAt: Date;
}

/** The definition each job id (pipeline version, batch run) ran with, recorded the first time it runs. */
export class JobDefinitions {
  constructor(private readonly database: Database) {}

  /**
   * Records the definition of a job the first time it runs and returns what is recorded; a job id that
   * already ran with another definition is refused with the differences named.
   */
  async record(
    jobId: string,
    pipeline: string,
    version: number | null,
    definition: unknown,
  ): Promise<RecordedDefinition> {
    await this.database.query(
      `insert into job_definitions (job_id, pipeline, version, definition) values ($1, $2, $3, $4)
       on conflict (job_id) do nothing`,
      [jobId, pipeline, version, JSON.stringify(definition)],
    );
    const recorded = await this.get(jobId);
    if (!recorded) throw new Error(`job definition of ${jobId} vanished right after it was recorded`);
    // jsonb normalises key order, so compare structurally rather than as text
    const differences = definitionDifferences(recorded.definition, JSON.parse(JSON.stringify(definition)));
    if (differences.length > 0) throw new JobDefinitionConflictError(jobId, differences);
    return recorded;
  }

  async get(jobId: string): Promise<RecordedDefinition | undefined> {
    const [row] = await this.database.query<{
      job_id: string;
      pipeline: string;
      version: number | null;
      definition: unknown;
      created_at: Date;
    }>('select job_id, pipeline, version, definition, created_at from job_definitions where job_id = $1', [
      jobId,
    ]);
    return (
      row && {
        jobId: row.job_id,
        pipeline: row.pipeline,
        version: row.version,
        definition: row.definition,
        createdAt: row.created_at,
      }
    );
  }
}

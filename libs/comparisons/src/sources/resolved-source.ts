import type { Pipeline } from '@lk/operators';
import type { SourceSpec } from './source-spec';

/**
 * One side of a comparison, resolved against the database at the comparison's snapshot: what it reads, with
 * which definition, and as SQL the comparison composes into its statements.
 */
export interface ResolvedSource {
  /** as given (`lambda`, `speed:v2`, `batch:<run id>`), with `batch:latest` resolved to the run */
  readonly spec: string;
  readonly kind: SourceSpec['kind'];
  /** the definition the rows were computed with */
  readonly definition: Pipeline;
  /** every job id whose rows the side reads (lambda: its batch runs and the serving speed version) */
  readonly jobs: readonly string[];
  /** the streaming job whose late side output applies to this side's windows; null for a batch run */
  readonly streamJobId: string | null;
  /**
   * `select key, window_start, window_end, values, accumulators, partition, settled` — the side's rows of
   * the pipeline; `settled` is true when the row will not change any more (a final stream window, a batch
   * window inside the run's horizon).
   */
  readonly rowsSql: string;
  /**
   * `select partition, settled_until, late_job_id, late_from, read_until, stream_read` — per input
   * partition: windows ending at or before settled_until are settled on this side (present or not), and the
   * late events of late_job_id apply to windows ending after late_from (null: all); the side's rows reflect
   * the partition's records up to offset read_until, and its live streaming job (if any) has read up to
   * stream_read — which it will still move on from, so a side whose stream is behind the other's reading
   * cannot be judged on that partition yet.
   */
  readonly partitionsSql: string;
  /** why a window that is not settled on this side is not, for the rows' reasons */
  readonly unsettledReason: string;
}

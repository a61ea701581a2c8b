/** The job id of a pipeline version (the speed layer, a Kappa replay), as in window_results.job_id. */
export function speedJobId(pipeline: string, version: number): string {
  return `speed:${pipeline}:v${version}`;
}

/** The job id of a Lambda batch run, as in window_results.job_id. */
export function batchJobId(runId: string): string {
  return `batch:${runId}`;
}

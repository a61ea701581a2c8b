export interface HealthCheckResult {
  status: 'ok' | 'failing';
  ms: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'failing';
  service: string;
  version: string;
  uptimeSeconds: number;
  /** names of the failing checks, so a 503 says at a glance what is down */
  failing: string[];
  checks: Record<string, HealthCheckResult>;
}

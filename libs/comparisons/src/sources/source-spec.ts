import { ComparisonRequestError } from '../errors';

/**
 * What a comparison reads on one side: the Lambda view, the Kappa view (the serving version), one speed
 * version (`speed:vN`), or one batch run (`batch:<run id>`, `batch:latest` = the latest completed one).
 */
export type SourceSpec =
  | { readonly kind: 'lambda' }
  | { readonly kind: 'kappa' }
  | { readonly kind: 'speed'; readonly version: number }
  | { readonly kind: 'batch'; readonly runId: string };

/** The latest completed batch run of the pipeline, in `batch:latest`. */
export const LATEST_BATCH_RUN = 'latest';

/** Parses `lambda | kappa | speed:vN | batch:RUN`; `field` names the flag or request field in the error. */
export function parseSource(text: string, field: string): SourceSpec {
  const value = text.trim();
  if (value === 'lambda' || value === 'kappa') return { kind: value };
  const speed = /^speed:v(\d{1,9})$/.exec(value);
  if (speed) {
    const version = Number(speed[1]);
    if (version < 1) throw new ComparisonRequestError(field, `version must be >= 1, got "${value}"`);
    return { kind: 'speed', version };
  }
  const batch = /^batch:(.+)$/.exec(value);
  if (batch && batch[1]!.length <= 200) return { kind: 'batch', runId: batch[1]! };
  throw new ComparisonRequestError(
    field,
    `expected lambda, kappa, speed:v<N> or batch:<run id>|batch:latest, got "${value.slice(0, 80)}"`,
  );
}

/** The spec as the CLI and the tables spell it. */
export function formatSource(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'speed':
      return `speed:v${spec.version}`;
    case 'batch':
      return `batch:${spec.runId}`;
    default:
      return spec.kind;
  }
}

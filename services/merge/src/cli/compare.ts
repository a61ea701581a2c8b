#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadStackConfig, Logger, runCli, UsageError } from '@lk/common';
import { Comparator, ComparisonRequestError, Comparisons, reportText } from '@lk/comparisons';
import { endOffsetsReader, KafkaClient } from '@lk/kafka';
import { Database } from '@lk/store';

const USAGE = `usage: lk-compare --pipeline NAME [--left SOURCE] [--right SOURCE] [--json] [--rows N]

Compares two sources of a pipeline's results window by window and stores the comparison (tables comparisons
and comparison_rows). SOURCE is lambda (default left: the latest batch run where it covers the window, else
the speed layer), kappa (default right: the serving version), speed:v<N> (one version) or batch:<run id>
(batch:latest for the latest completed batch run). Every window that is not equal is classified: explained
(equal once the late events each side dropped are added back; sessions re-merged with them), only_left /
only_right (with the reason: a window made only of late events, a window still open, outside a batch run's
horizon), pending (on both, not settled on one), unexplained (a bug). sum and avg compare within a relative
1e-9. Prints the summary table and the architecture scorecard (--json: the whole report as JSON, with the
first --rows unexplained rows, default 20).
Exit codes: 0 nothing unexplained; 1 something is unexplained, or the comparison failed; 2 bad input.`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        pipeline: { type: 'string' },
        left: { type: 'string', default: 'lambda' },
        right: { type: 'string', default: 'kappa' },
        json: { type: 'boolean', default: false },
        rows: { type: 'string', default: '20' },
      },
    }));
  } catch (error) {
    throw new UsageError('arguments', (error as Error).message);
  }
  if (!values.pipeline) throw new UsageError('--pipeline', 'expected a pipeline name');
  const rowLimit = Number(values.rows);
  if (!Number.isInteger(rowLimit) || rowLimit < 0 || rowLimit > 100_000)
    throw new UsageError('--rows', `expected an integer from 0 to 100000, got "${values.rows}"`);
  const stack = loadStackConfig();
  const logger = new Logger('compare', {}, process.env.LOG_LEVEL ? undefined : 'warn');
  const database = new Database(stack.databaseUrl, { applicationName: 'lk-compare', logger });
  const kafka = new KafkaClient({
    brokers: stack.kafkaBrokers,
    clientId: 'lk-compare',
    logger,
    retry: { retries: 1 },
  });
  try {
    const comparator = new Comparator({ database, logger, endOffsets: endOffsetsReader(kafka) });
    const report = await comparator.compare({
      pipeline: values.pipeline,
      left: values.left,
      right: values.right,
      trigger: 'cli',
    });
    const unexplained =
      rowLimit > 0 && report.summary && report.summary.rows.unexplained > 0
        ? await new Comparisons(database).rows(report.id, { class: 'unexplained', limit: rowLimit })
        : [];
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ ...report, unexplainedRows: unexplained }, null, 2)}\n`
        : reportText(report, unexplained),
    );
    return report.summary && report.summary.rows.unexplained === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}

if (require.main === module)
  void runCli(main, {
    name: 'lk-compare',
    usage: USAGE,
    forceExit: true,
    isUsageError: (error) => error instanceof ComparisonRequestError,
    failurePrefix: 'lk-compare',
    stack: false,
  }).then(() => undefined);

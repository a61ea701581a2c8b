// Entry point of `pnpm bench`: runs every benchmark of the repository in turn.
import { runCli } from '@lk/common';
import { runComparisonBench } from './comparison';
import { runGeneratorBench } from './generator';
import { runLoggerBench } from './logger';
import { runOperatorsBench } from './operators';
import { runReplayBench } from './replay';
import { runSpeedBench } from './speed';

async function main(args: string[]): Promise<void> {
  runOperatorsBench({ quick: args.includes('--quick') });
  await runGeneratorBench();
  runLoggerBench();
  await runSpeedBench();
  await runReplayBench();
  await runComparisonBench();
}

// forceExit: the Kafka and registry clients of the benchmarks may leave handles open
void runCli(main, { name: 'bench', forceExit: true });

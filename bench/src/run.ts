// Entry point of `pnpm bench`: runs every benchmark of the repository in turn.
import { runGeneratorBench } from './generator';
import { runOperatorsBench } from './operators';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  runOperatorsBench({ quick: args.includes('--quick') });
  await runGeneratorBench();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);

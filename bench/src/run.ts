// Entry point of `pnpm bench`: runs every benchmark of the repository in turn.
import { runOperatorsBench } from './operators';

const args = process.argv.slice(2);
runOperatorsBench({ quick: args.includes('--quick') });

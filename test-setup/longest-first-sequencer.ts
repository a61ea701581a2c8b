// Vitest sequencer: in each group, the files that took longest in a recorded run start first, so that two
// workers end together instead of one waiting on a long file picked up last (vitest's own order on a fresh
// clone, without its results cache, is project by project and larger files first). The weights are the
// wall seconds per file of a full `scripts/test.sh` run, in file-durations.json; a file not listed there
// counts as a long one, so a new suite is never the straggler.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = resolve(import.meta.dirname, '..');
const durations = JSON.parse(
  readFileSync(resolve(import.meta.dirname, 'file-durations.json'), 'utf8'),
) as Record<string, number>;
const UNKNOWN_SECONDS = 60;

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (spec: TestSpecification) => durations[relative(root, spec.moduleId)] ?? UNKNOWN_SECONDS;
    return [...files].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        seconds(b) - seconds(a),
    );
  }
}

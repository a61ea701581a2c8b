#!/usr/bin/env node
import { loadStackConfig, runCli } from '@lk/common';
import { CompatibilityGate } from '../compatibility/compatibility-gate';
import { localContracts } from '../compatibility/local-contracts';
import { SchemaRegistryClient } from '../registry/schema-registry-client';

/**
 * `pnpm schemas:check [avro-dir]`: every local .avsc (default libs/schemas/avro) against the registry's latest
 * version of its subject. Exit 0 when all are compatible, 1 when any is not (with the reasons), 2 when the
 * check could not run (registry unreachable or not a registry, a broken .avsc: the message names the file).
 */
async function main(argv: string[]): Promise<number> {
  const gate = new CompatibilityGate(new SchemaRegistryClient(loadStackConfig().schemaRegistryUrl));
  const avroDir = argv[0];
  let failures = 0;
  for (const contract of avroDir ? localContracts(avroDir) : localContracts()) {
    const verdict = await gate.check(contract.subject, contract.schema);
    const against =
      verdict.status === 'new-subject'
        ? 'subject not registered yet'
        : `registry version ${verdict.registryVersion}, ${verdict.compatibility}`;
    process.stdout.write(
      `${verdict.status === 'incompatible' ? 'FAIL' : 'ok  '} ${contract.file} -> ${contract.subject} (${against})\n`,
    );
    for (const problem of verdict.problems) process.stdout.write(`     - ${problem}\n`);
    if (verdict.status === 'incompatible') failures++;
  }
  if (failures)
    process.stdout.write(`${failures} schema(s) would break readers; fix them before deploying.\n`);
  return failures ? 1 : 0;
}

void runCli(main, {
  name: 'schemas:check',
  usage: 'Usage: pnpm schemas:check [avro-dir]',
  failureCode: 2,
  failurePrefix: 'schemas:check could not run',
  forceExit: true,
});

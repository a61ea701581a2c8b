import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { USER_EVENTS_SUBJECT, type AvroRecordSchema } from '../user-event';
import { InvalidContractFileError } from './errors';

export interface LocalContract {
  file: string;
  subject: string;
  schema: AvroRecordSchema;
}

/** Which subject each local .avsc belongs to (TopicNameStrategy: <topic>-value). */
const SUBJECT_BY_FILE_PREFIX: Record<string, string> = {
  'user-event.': USER_EVENTS_SUBJECT,
};

export function localContracts(avroDir = join(__dirname, '..', '..', 'avro')): LocalContract[] {
  return readdirSync(avroDir)
    .filter((file) => file.endsWith('.avsc'))
    .sort()
    .map((file) => {
      const prefix = Object.keys(SUBJECT_BY_FILE_PREFIX).find((candidate) => file.startsWith(candidate));
      if (!prefix)
        throw new Error(`${file}: no subject is mapped for this schema file (see local-contracts.ts)`);
      return { file, subject: SUBJECT_BY_FILE_PREFIX[prefix]!, schema: readContract(avroDir, file) };
    });
}

/**
 * Parses and checks one .avsc up front, so a broken file is reported by its path rather than as a bare
 * JSON.parse or avsc message (or a registry 422) halfway through the check.
 */
function readContract(avroDir: string, file: string): AvroRecordSchema {
  const path = join(avroDir, file);
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidContractFileError(path, `not valid JSON: ${(error as Error).message}`);
  }
  try {
    avro.Type.forSchema(schema as avro.Schema);
  } catch (error) {
    throw new InvalidContractFileError(path, `not a valid Avro schema: ${(error as Error).message}`);
  }
  const record = schema as Partial<AvroRecordSchema>;
  if (record.type !== 'record' || !Array.isArray(record.fields)) {
    throw new InvalidContractFileError(path, 'is not an Avro record schema (a contract is a record)');
  }
  return schema as AvroRecordSchema;
}

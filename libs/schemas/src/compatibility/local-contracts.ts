import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { USER_EVENTS_SUBJECT, loadAvsc, type AvroRecordSchema } from '../user-event';

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
      return { file, subject: SUBJECT_BY_FILE_PREFIX[prefix]!, schema: loadAvsc(file) };
    });
}

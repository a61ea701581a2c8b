import avro from 'avsc';
import type { ConsumedRecord } from '@lk/kafka';
import type { Pipeline } from '@lk/operators';
import {
  createUserEventDecoder,
  EPOCH_MILLIS_LOGICAL_TYPES,
  JsonRecordDecoder,
  loadAvsc,
  SubjectRecordDecoder,
  USER_EVENTS_SUBJECT,
  type AvroRecordDecoder,
  type SubjectRegistry,
  type UserEvent,
} from '@lk/schemas';
import { checkPipelineSchema } from './pipeline-schema-check';

/** The contract's newest version, which the UserEvent decoder reads every version into. */
const CONTRACT_READER = 'user-event.v2.avsc';

export interface PipelineRecordDecoderOptions {
  /** values larger than this go to the DLQ (default 64 KiB) */
  readonly maxRecordBytes?: number;
}

/** What prepare() found: the schema the pipeline's paths were checked against, or why they could not be yet. */
export type SourceSchemaCheck =
  { readonly checked: true; readonly schema: string } | { readonly checked: false; readonly reason: string };

/** `subject`, or `<source>-value` by TopicNameStrategy: the subject an avro pipeline's records are read as. */
export function subjectOf(pipeline: Pipeline): string {
  return pipeline.subject ?? `${pipeline.source}-value`;
}

/**
 * Decodes a pipeline's source records as the pipeline says they are written:
 * - `json`: one UTF-8 JSON object per value, bounded in bytes and depth;
 * - `avro` under the contract's subject (user-events-value): the UserEvent decoder, which reads every version
 *   of the contract into its newest and checks what Avro cannot express;
 * - `avro` under any other subject: a generic record, read into the subject's latest version.
 * prepare() checks the pipeline's paths against that schema (start-up refuses a pipeline naming a field the
 * schema lacks); decode() throws a RecordDecodeError for poison and anything else for a retry.
 */
export class PipelineRecordDecoder {
  private readonly json?: JsonRecordDecoder;
  private readonly contract?: AvroRecordDecoder<UserEvent>;
  private readonly generic?: SubjectRecordDecoder;

  constructor(
    readonly pipeline: Pipeline,
    registry: SubjectRegistry,
    options: PipelineRecordDecoderOptions = {},
  ) {
    const subject = subjectOf(pipeline);
    if (pipeline.format === 'json') {
      this.json = new JsonRecordDecoder({ maxRecordBytes: options.maxRecordBytes });
    } else if (subject === USER_EVENTS_SUBJECT) {
      this.contract = createUserEventDecoder(registry, { subject, maxRecordBytes: options.maxRecordBytes });
    } else {
      this.generic = new SubjectRecordDecoder(registry, {
        subject,
        maxRecordBytes: options.maxRecordBytes,
        // a subject that was empty at start-up is checked when its first version is read
        checkReader: (reader) =>
          checkPipelineSchema(pipeline, reader.type, `subject ${reader.subject} version ${reader.version}`),
      });
    }
  }

  /**
   * The start-up check of the pipeline's paths against its schema (PipelineSchemaError when one is missing
   * or of a type its use cannot take). JSON carries no schema: its records are checked one by one.
   */
  async prepare(): Promise<SourceSchemaCheck> {
    if (this.json)
      return { checked: false, reason: 'format json has no schema: each record is checked as it comes' };
    if (this.contract) {
      const type = avro.Type.forSchema(loadAvsc(CONTRACT_READER) as avro.Schema, {
        logicalTypes: EPOCH_MILLIS_LOGICAL_TYPES,
      });
      const schema = `the UserEvent contract (${CONTRACT_READER})`;
      checkPipelineSchema(this.pipeline, type, schema);
      return { checked: true, schema };
    }
    const reader = await this.generic!.reader();
    if (reader === null) {
      return {
        checked: false,
        reason: `subject ${this.generic!.subject} has no versions yet: records wait (retried) until it has one`,
      };
    }
    return { checked: true, schema: `subject ${reader.subject} version ${reader.version}` };
  }

  /** The record's value as an event (JSON object or Avro record). */
  readonly decode = async (record: ConsumedRecord): Promise<object> => {
    if (this.json) return this.json.decode(record.value);
    if (this.contract) return (await this.contract.decode(record.value)).value;
    return (await this.generic!.decode(record.value)).value;
  };
}

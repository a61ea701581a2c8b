import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { consumerLag, serializeError, totalLag, type PartitionLag as ConsumerPartitionLag } from '@lk/common';
import { speedGroupId, type KafkaAdmin } from '@lk/kafka';
import { StackClients } from '../stack/stack-clients';

export interface PartitionLag extends ConsumerPartitionLag {
  readonly watermark: number | null;
}

export interface JobLag {
  pipeline: string;
  version: number;
  jobId: string;
  groupId: string;
  topic: string;
  serving: boolean;
  /** records behind over all partitions; 0 with no partitions when the topic's log end is not known */
  lag: number;
  /** one per partition of the topic; none when it does not exist or its log end could not be read */
  partitions: PartitionLag[];
}

/**
 * Consumer lag of every streaming version that ran: the log end (Kafka) minus the next offset not yet in its
 * results (Postgres, the truth the job resumes from), per partition. A partition without state lags by all of it.
 */
@Injectable()
export class LagService {
  constructor(private readonly stack: StackClients) {}

  async lag(): Promise<JobLag[]> {
    const jobs = await this.stack.database.query<{
      pipeline: string;
      version: number;
      job_id: string;
      topic: string;
      serving: boolean;
    }>(
      `select d.pipeline, d.version, d.job_id, d.definition ->> 'source' as topic,
              coalesce(s.version = d.version, false) as serving
       from job_definitions d left join serving_speed_versions s on s.pipeline = d.pipeline
       where d.job_id like 'speed:%' order by d.pipeline, d.version`,
    );
    const states = await this.stack.database.query<{
      job_id: string;
      partition: number;
      next_offset: string;
      watermark: string | null;
    }>(`select job_id, partition, next_offset, watermark from partition_state where job_id like 'speed:%'`);
    const ends = new Map<string, Map<number, bigint>>();
    const admin = this.stack.kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      for (const topic of new Set(jobs.map((job) => job.topic))) {
        if (!existing.has(topic)) continue;
        const end = await this.logEnd(admin, topic);
        if (end) ends.set(topic, end);
      }
    } catch (error) {
      throw new ServiceUnavailableException(
        `Kafka cannot be asked for the log end: ${(error as Error).message}`,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return jobs.map((job) => {
      const own = states.filter((s) => s.job_id === job.job_id);
      const watermarks = new Map(
        own.map((s) => [s.partition, s.watermark == null ? null : Number(s.watermark)]),
      );
      const partitions: PartitionLag[] = consumerLag(
        ends.get(job.topic) ?? new Map<number, bigint>(),
        new Map(own.map((s) => [s.partition, Number(s.next_offset)])),
      ).map((lag) => ({ ...lag, watermark: watermarks.get(lag.partition) ?? null }));
      return {
        pipeline: job.pipeline,
        version: job.version,
        jobId: job.job_id,
        groupId: speedGroupId(job.pipeline, job.version),
        topic: job.topic,
        serving: job.serving,
        lag: totalLag(partitions),
        partitions,
      };
    });
  }

  /**
   * A topic's log end, or undefined when that one topic cannot be asked: another process may delete it after
   * the listing (a test's cleanup, a demo's reset), or a partition may have no leader. Its jobs are then listed
   * without end offsets, as those of a topic that does not exist, and the other jobs' lag is still answered.
   */
  private async logEnd(admin: KafkaAdmin, topic: string): Promise<Map<number, bigint> | undefined> {
    try {
      return await admin.endOffsets(topic);
    } catch (error) {
      // asking Kafka again tells the topic's trouble from Kafka's: when this throws too, the request fails;
      // a topic that is gone is no trouble, as one that never existed
      if ((await admin.listTopics()).includes(topic)) {
        const cause = serializeError(error as Error);
        this.stack.logger.warn('log end of a topic unknown', { topic, error: cause });
      }
      return undefined;
    }
  }
}

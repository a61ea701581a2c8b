import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { consumerLag, totalLag, type PartitionLag as ConsumerPartitionLag } from '@lk/common';
import { speedGroupId } from '@lk/kafka';
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
  lag: number;
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
      for (const topic of new Set(jobs.map((job) => job.topic)))
        if (await admin.topicExists(topic)) ends.set(topic, await admin.endOffsets(topic));
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
}

import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@lk/common';
import {
  DeadLetterQueue,
  KafkaClient,
  speedGroupId,
  type KafkaAdmin,
  type KafkaProducer,
  type TopicSpec,
} from '@lk/kafka';
import { SchemaRegistryClient } from '@lk/schemas';
import { Database, JobDefinitions, StreamJobStore } from '@lk/store';
import { SPEED_CONFIG } from '../config/speed-config.module';
import {
  isPoisonError,
  LATE_TOPIC_SUFFIX,
  PipelineRecordDecoder,
  ResultPublisher,
  resultsTopic,
  speedJobId,
  StreamJob,
} from '@lk/streaming';
import type { SpeedConfig } from '../config/speed-config';
import { SpeedMetrics } from '../metrics/speed-metrics';
import { KafkaJobSource } from './kafka-job-source';

/**
 * Runs every selected pipeline, at SPEED_VERSION, as a streaming job. A version's definition is recorded the
 * first time it runs and refused under the same version when it changed. SIGTERM (Nest shutdown hooks)
 * finishes the in-flight flush, flushes, commits and leaves the group.
 */
@Injectable()
export class StreamJobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('speed');
  private readonly kafka: KafkaClient;
  private readonly database: Database;
  private readonly jobs: StreamJob<object>[] = [];
  /** shared by the jobs for their lifetime: results, late events and dead letters */
  private readonly producer: KafkaProducer;
  /** kept connected: the DLQ asks it for its topic's size limit, and whether the topic exists */
  private readonly admin: KafkaAdmin;
  private closing: Promise<void> | undefined;

  constructor(
    @Inject(SPEED_CONFIG) private readonly config: SpeedConfig,
    private readonly metrics: SpeedMetrics,
  ) {
    this.kafka = new KafkaClient({
      brokers: config.stack.kafkaBrokers,
      clientId: 'lk-speed',
      logger: this.logger,
    });
    this.producer = this.kafka.producer();
    this.admin = this.kafka.admin();
    this.database = new Database(config.stack.databaseUrl, {
      max: 4 + config.pipelines.length,
      applicationName: 'lk-speed',
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
    const registry = new SchemaRegistryClient(config.stack.schemaRegistryUrl);
    // every pipeline's paths checked against its source's schema before anything runs: a pipeline naming a
    // field its records lack stops start-up (PipelineSchemaError, exit 1) naming the pipeline and the path
    const decoders = new Map<string, PipelineRecordDecoder>();
    for (const pipeline of config.pipelines) {
      const decoder = new PipelineRecordDecoder(pipeline, registry, {
        maxRecordBytes: config.maxRecordBytes,
      });
      const check = await decoder.prepare();
      if (check.checked)
        this.logger.info('pipeline fields checked', { pipeline: pipeline.name, schema: check.schema });
      else
        this.logger.warn('pipeline fields not checked at start-up', {
          pipeline: pipeline.name,
          reason: check.reason,
        });
      decoders.set(pipeline.name, decoder);
    }
    const definitions = new JobDefinitions(this.database);
    const store = new StreamJobStore(this.database);
    const { admin, producer } = this;
    await admin.connect();
    await producer.connect();
    const deadLetters = new DeadLetterQueue(producer, { admin });
    // every source described before any topic is created: kafkajs refreshes the metadata of every topic
    // an admin has touched, and a topic created a moment ago may not be known to the broker's metadata yet
    const partitionsOf = new Map<string, number>();
    for (const source of new Set(config.pipelines.map((p) => p.source)))
      partitionsOf.set(source, Math.max((await admin.describeTopic(source, [])).partitions, 1));
    const outputs = new Map<string, TopicSpec>();
    for (const pipeline of config.pipelines) {
      const partitions = partitionsOf.get(pipeline.source)!;
      const results = resultsTopic(pipeline.name, config.version);
      outputs.set(results, { name: results, partitions, config: { 'cleanup.policy': 'compact' } });
      const late = `${pipeline.source}${LATE_TOPIC_SUFFIX}`;
      outputs.set(late, { name: late, partitions });
      // one partition, as the stack creates user-events.dlq: letters are rare and read in order of arrival
      const dlq = deadLetters.topicFor(pipeline.source);
      if (!outputs.has(dlq)) outputs.set(dlq, { name: dlq, partitions: 1 });
    }
    await admin.ensureTopics([...outputs.values()]);
    for (const pipeline of config.pipelines) {
      const jobId = speedJobId(pipeline.name, config.version);
      await definitions.record(jobId, pipeline.name, config.version, pipeline);
      const topic = resultsTopic(pipeline.name, config.version);
      const groupId = speedGroupId(pipeline.name, config.version);
      const publisher = new ResultPublisher(
        producer,
        topic,
        `${pipeline.source}${LATE_TOPIC_SUFFIX}`,
        config.version,
      );
      const decoder = decoders.get(pipeline.name)!;
      const job: StreamJob<object> = new StreamJob<object>({
        jobId,
        groupId,
        pipeline,
        source: new KafkaJobSource(this.kafka, groupId, pipeline.source, this.logger, {
          sessionTimeout: config.sessionTimeoutMs,
          heartbeatInterval: Math.floor(config.sessionTimeoutMs / 10),
        }),
        store,
        decode: decoder.decode,
        isPoison: isPoisonError,
        deadLetters,
        publish: (flush) => publisher.publish(flush),
        metrics: this.metrics,
        logger: this.logger.child({ pipeline: pipeline.name, version: config.version }),
        flushIntervalMs: config.flushIntervalMs,
        flushMaxEvents: config.flushMaxEvents,
        catchUpFlushIntervalMs: config.catchUpFlushIntervalMs,
        catchUpLag: config.catchUpLag,
      });
      this.jobs.push(job);
    }
    for (const job of this.jobs) {
      await job.start((error) => {
        // a consumer that stopped for good cannot be resumed in-process: exit so a supervisor restarts us
        this.logger.error('exiting: a job cannot continue', { error });
        void this.shutdown().finally(() => process.exit(1));
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.shutdown();
  }

  private shutdown(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled(this.jobs.map((job) => job.stop()));
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect(), this.database.close()]);
    })();
    return this.closing;
  }
}

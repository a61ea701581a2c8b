import { ConfigResourceTypes, type Admin, type Consumer } from 'kafkajs';
import { DeleteGroupsError } from './errors/delete-groups-error';
import { originalCause } from './original-cause';

export interface TopicSpec {
  name: string;
  partitions: number;
  /**
   * Copies of each partition; default: the cluster's `default.replication.factor` (1 on a single node, 3 on
   * the fault tests' cluster), so a topic created by a service survives a broker loss wherever brokers can
   * replicate it.
   */
  replicationFactor?: number;
  config?: Record<string, string>;
}

/** One partition's placement, as the cluster's metadata has it now. */
export interface PartitionReplicas {
  partition: number;
  /** the broker leading it; -1 while none does */
  leader: number;
  replicas: number[];
  /** the in-sync replicas, leader included */
  isr: number[];
}

export class KafkaAdmin {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly admin: Admin,
    private readonly consumerFor: (groupId: string) => Consumer,
  ) {}

  async connect(): Promise<void> {
    await this.admin.connect();
  }

  /**
   * Creates the topics that do not exist yet; existing ones are left as they are. Resolves once every
   * partition of the new topics has a leader.
   */
  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length === 0) return;
    await this.admin.createTopics({
      // kafkajs's own wait gives up when the broker it asks has not learned of the topic yet (see README)
      waitForLeaders: false,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        // -1: the broker's default.replication.factor
        replicationFactor: topic.replicationFactor ?? -1,
        configEntries: Object.entries(topic.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await this.waitForLeaders(missing);
  }

  /**
   * Until the metadata has every partition of these topics with a leader. A broker learns of a new topic
   * from the controller a moment after it was created, so "unknown topic" here means "not yet".
   */
  private async waitForLeaders(topics: TopicSpec[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let missing: string;
      try {
        const metadata = await this.admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
        const ready = new Set(
          metadata.topics
            .filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
            .map((t) => t.name),
        );
        const waiting = topics.filter((t) => !ready.has(t.name));
        if (waiting.length === 0) return;
        missing = `partitions without a leader yet in ${waiting.map((t) => t.name).join(', ')}`;
      } catch (error) {
        // kafkajs fails the metadata request for a topic a broker does not know yet
        const cause = originalCause(error) as Error & { type?: string };
        if (cause.type !== 'UNKNOWN_TOPIC_OR_PARTITION' && cause.type !== 'LEADER_NOT_AVAILABLE') throw error;
        missing = cause.message;
      }
      if (Date.now() > deadline)
        throw new Error(`topics created, but not ready after ${timeoutMs} ms: ${missing}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Deletes a partition's records below `offset` (moves its log start offset, as retention does). */
  async deleteRecordsBefore(topic: string, partition: number, offset: bigint): Promise<void> {
    await this.admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: offset.toString() }] });
  }

  /** Resolves when the cluster answers (its description: brokers and controller). */
  async ping(): Promise<void> {
    await this.admin.describeCluster();
  }

  async topicExists(name: string): Promise<boolean> {
    return (await this.admin.listTopics()).includes(name);
  }

  /** Partition count and the given config values of a topic. */
  async describeTopic(
    name: string,
    configNames: string[],
  ): Promise<{ partitions: number; config: Record<string, string> }> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [name] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    // an empty configNames would make the broker describe every config of the topic
    if (configNames.length === 0) return { partitions, config: {} };
    const described = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames }],
    });
    const config: Record<string, string> = {};
    for (const entry of described.resources[0]?.configEntries ?? [])
      config[entry.configName] = entry.configValue;
    return { partitions, config };
  }

  /** Leader, replicas and in-sync replicas of each partition of a topic, by partition. */
  async partitionReplicas(topic: string): Promise<PartitionReplicas[]> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return (metadata.topics[0]?.partitions ?? [])
      .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
      .sort((a, b) => a.partition - b.partition);
  }

  async listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async deleteTopics(names: string[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const present = names.filter((name) => existing.has(name));
    if (present.length) await this.admin.deleteTopics({ topics: present });
  }

  /** Committed offsets of a group per partition (-1 when nothing was committed). */
  async committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>> {
    const [entry] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((entry?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  }

  /** Log end offsets per partition. */
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
  }

  /** Log start offsets per partition: the earliest retained record (older ones are deleted or compacted). */
  async startOffsets(topic: string): Promise<Map<number, bigint>> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, BigInt(p.low)]));
  }

  /** First offset at or after a time per partition (the log end when there is none). */
  async offsetsForTime(topic: string, timestampMs: number): Promise<Map<number, bigint>> {
    const offsets = await this.admin.fetchTopicOffsetsByTimestamp(topic, timestampMs);
    return new Map(offsets.map((p) => [p.partition, BigInt(p.offset)]));
  }

  /**
   * Sets a group's committed offsets (the group must have no active members), e.g. to start a replay at a
   * time. Does what kafkajs's admin.setOffsets does (a paused member that seeks, commits and leaves), but
   * with a short fetch wait: kafkajs's own waits out a full 5 s empty fetch before it returns.
   */
  async setGroupOffsets(groupId: string, topic: string, offsets: Map<number, bigint>): Promise<void> {
    const { groups } = await this.admin.describeGroups([groupId]);
    const state = groups[0]?.state;
    if (state && state !== 'Empty' && state !== 'Dead') {
      throw new Error(`cannot set offsets of group ${groupId}: it has running members (state ${state})`);
    }
    const consumer = this.consumerFor(groupId);
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.FETCH, () => void consumer.stop().then(resolve, reject));
        consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => undefined }).catch(reject);
        consumer.pause([{ topic }]);
        for (const [partition, offset] of offsets)
          consumer.seek({ topic, partition, offset: offset.toString() });
      });
    } finally {
      await consumer.disconnect();
    }
  }

  /**
   * The topic's `max.message.bytes` (the largest record batch it accepts), or undefined when the topic does
   * not exist. Checks existence first: describing a missing topic makes kafkajs retry for seconds.
   */
  async maxMessageBytes(topic: string): Promise<number | undefined> {
    if (!(await this.topicExists(topic))) return undefined;
    const { config } = await this.describeTopic(topic, ['max.message.bytes']);
    const value = Number(config['max.message.bytes']);
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  }

  /**
   * Deletes consumer groups. A group that does not exist is fine (the goal is that it is gone); any other
   * refusal, e.g. a group that still has members, is a `DeleteGroupsError` naming each group and why.
   */
  async deleteGroups(groupIds: string[]): Promise<void> {
    if (groupIds.length === 0) return;
    try {
      await this.admin.deleteGroups(groupIds);
    } catch (error) {
      const groups = (error as { name?: string; groups?: GroupFailure[] }).groups;
      if ((error as { name?: string }).name !== 'KafkaJSDeleteGroupsError' || !groups) throw error;
      const failures = groups
        .filter((g) => g.error?.type !== 'GROUP_ID_NOT_FOUND')
        .map((g) => ({ groupId: g.groupId, reason: g.error?.message ?? `error code ${g.errorCode}` }));
      if (failures.length > 0) throw new DeleteGroupsError(failures);
    }
  }

  /** safe to call more than once */
  disconnect(): Promise<void> {
    this.closing ??= this.admin.disconnect();
    return this.closing;
  }
}

/** what kafkajs's KafkaJSDeleteGroupsError lists per group */
interface GroupFailure {
  groupId: string;
  errorCode: number;
  error?: { type?: string; message?: string };
}

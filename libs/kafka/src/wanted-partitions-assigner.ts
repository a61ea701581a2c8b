import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

const NAME = 'LkWantedPartitions';
const VERSION = 1;

/**
 * A kafkajs partition assigner for readers that each want particular partitions (kafkajs cannot assign
 * partitions manually): every member states its partitions in its subscription's user data and gets
 * exactly those. Replay jobs of one run share the run's group this way, each reading its own partition, so
 * the group's committed offsets show the run's progress to standard lag tools. Two members wanting the same
 * partition both get it (a retried job next to a stalled one); whoever writes results must fence.
 */
export function wantedPartitionsAssigner(wanted: { topic: string; partitions: number[] }): PartitionAssigner {
  return () => ({
    name: NAME,
    version: VERSION,
    async assign({ members }) {
      return members.map((member) => {
        const assignment: Record<string, number[]> = {};
        try {
          const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
          const asked = JSON.parse(metadata?.userData.toString() || '{}') as Record<string, unknown>;
          for (const [topic, partitions] of Object.entries(asked))
            if (Array.isArray(partitions))
              assignment[topic] = partitions.filter((p): p is number => Number.isInteger(p));
        } catch {
          // a member of another kind (not ours) gets nothing rather than breaking the group
        }
        return {
          memberId: member.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: VERSION,
            assignment,
            userData: Buffer.alloc(0),
          }),
        };
      });
    },
    protocol({ topics }) {
      return {
        name: NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: VERSION,
          topics,
          userData: Buffer.from(JSON.stringify({ [wanted.topic]: wanted.partitions })),
        }),
      };
    },
  });
}

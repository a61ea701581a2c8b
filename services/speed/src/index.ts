// The speed job's pure building blocks, for the benchmarks (the service itself starts from dist/main.js).
export { buildFlush, type FlushTarget, type PartitionDrain } from './job/flush-builder';
export { restoredSnapshot } from './job/partition-restore';
export { speedJobId } from './config/speed-config';

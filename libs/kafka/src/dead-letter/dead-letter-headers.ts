/** Headers a dead-lettered record carries: why it failed and where it came from. */
export const DeadLetterHeaders = {
  errorClass: 'lk.error.class',
  errorMessage: 'lk.error.message',
  originalTopic: 'lk.original.topic',
  originalPartition: 'lk.original.partition',
  originalOffset: 'lk.original.offset',
  originalTimestamp: 'lk.original.timestamp',
} as const;

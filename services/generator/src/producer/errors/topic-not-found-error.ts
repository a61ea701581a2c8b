/** The topic to produce to does not exist (the generator creates it only when asked to). */
export class TopicNotFoundError extends Error {
  override readonly name = 'TopicNotFoundError';
  constructor(readonly topic: string) {
    super(`topic "${topic}" does not exist (create it first, or pass --create-topic)`);
  }
}

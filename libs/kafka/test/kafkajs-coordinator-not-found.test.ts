import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs's error classes are not part of its typed entry point; the patched module is what consumers throw
const require = createRequire(import.meta.url);
const errors = require('kafkajs/src/errors') as {
  KafkaJSGroupCoordinatorNotFound: new (message: string) => Error & { retriable: boolean };
};

describe('patches/kafkajs@2.2.4.patch: KafkaJSGroupCoordinatorNotFound', () => {
  it('is retriable, so a consumer that meets it while the broker restarts is restarted, not crashed for good', () => {
    const error = new errors.KafkaJSGroupCoordinatorNotFound('Failed to find group coordinator');
    expect(error.name).toBe('KafkaJSGroupCoordinatorNotFound');
    expect(error.retriable).toBe(true);
    expect(error.message).toBe('Failed to find group coordinator');
  });
});

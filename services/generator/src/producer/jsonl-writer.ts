import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** Appends lines to a file, waiting when the stream's buffer is full so memory stays bounded. */
export class JsonlWriter {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  async writeLines(lines: string[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (lines.length === 0) return;
    if (!this.stream.write(lines.join('\n') + '\n')) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
}

import { growFloat64, growInt32, nextCapacity } from './growable';

export const NONE = -1;

/**
 * Keys of one partition mapped to dense ids, so windows refer to their key by an int and per-key data lives
 * in typed columns: the head of the key's window chain and, for sessions, its final frontier.
 */
export class KeyTable {
  private readonly ids = new Map<string, number>();
  private names: (string | undefined)[] = [];
  private readonly free: number[] = [];
  /** First window slot of the key, NONE when it has no open window. */
  head = new Int32Array(0);
  /** End of the key's latest final session; -Infinity when it has none. */
  frontier = new Float64Array(0);

  get size(): number {
    return this.ids.size;
  }

  lookup(key: string): number {
    return this.ids.get(key) ?? NONE;
  }

  intern(key: string): number {
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    let id = this.free.pop();
    if (id === undefined) {
      id = this.names.length;
      this.names.push(key);
      if (id === this.head.length) {
        const capacity = nextCapacity(id);
        this.head = growInt32(this.head, capacity, NONE);
        this.frontier = growFloat64(this.frontier, capacity, -Infinity);
      }
    } else {
      this.names[id] = key;
    }
    this.ids.set(key, id);
    return id;
  }

  name(id: number): string {
    return this.names[id]!;
  }

  release(id: number): void {
    this.ids.delete(this.names[id]!);
    this.names[id] = undefined;
    this.head[id] = NONE;
    this.frontier[id] = -Infinity;
    this.free.push(id);
  }

  /** Forgets every key (none may have open windows left). */
  clear(): void {
    this.ids.clear();
    this.names = [];
    this.free.length = 0;
    this.head = new Int32Array(0);
    this.frontier = new Float64Array(0);
  }

  /** Ids of all present keys, in insertion order (snapshots use it). */
  keyIds(): IterableIterator<number> {
    return this.ids.values();
  }
}

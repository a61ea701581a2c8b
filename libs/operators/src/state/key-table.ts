import { growFloat64, growInt32, nextCapacity } from './growable';

export const NONE = -1;
/** An index entry whose key was released; probing continues past it. */
const RELEASED = -2;
/** Index entries: [hash, id] int32 pairs. */
const ENTRY = 2;
const MIN_INDEX_SIZE = 64;

/**
 * A 32-bit hash of the key's UTF-16 code units (FNV-1a, then murmur3's finalizer to spread the low bits,
 * which pick the index entry).
 */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/**
 * Keys of one partition mapped to dense ids, so windows refer to their key by an int and per-key data lives
 * in typed columns: the head of the key's window chain and, for sessions, its final frontier.
 *
 * The index is an open-addressing table of (hash, id) int32 pairs with linear probing, not a `Map` of
 * strings: at 1 M keys every lookup of a key string fresh from the decoder misses the cache, and the
 * `Map`'s buckets, entries and stored keys cost a miss each, while here the probe reads one cache line and
 * the stored key string is compared only on a hash match (bench/README.md, "Operators", has the figures).
 */
export class KeyTable {
  private names: (string | undefined)[] = [];
  private hashes = new Int32Array(0);
  private readonly free: number[] = [];
  private index = new Int32Array(MIN_INDEX_SIZE * ENTRY).fill(NONE);
  private mask = MIN_INDEX_SIZE - 1;
  private live = 0;
  /** Entries marked RELEASED: they lengthen probes until the next rebuild. */
  private released = 0;
  /** First window slot of the key, NONE when it has no open window. */
  head = new Int32Array(0);
  /** Sessions: end of the key's latest final session; -Infinity when it has none. Empty for fixed windows. */
  frontier = new Float64Array(0);

  /** `frontiers`: keep the frontier column (sessions only: 8 bytes per key that fixed windows do not need). */
  constructor(private readonly frontiers = false) {}

  get size(): number {
    return this.live;
  }

  /** The key's id, NONE when absent. `hash`: hashKey(key), when the caller has it already. */
  lookup(key: string, hash = hashKey(key)): number {
    return this.find(key, hash);
  }

  /** The key's id, added when absent. */
  intern(key: string, hash = hashKey(key)): number {
    const known = this.find(key, hash);
    return known !== NONE ? known : this.add(key, hash);
  }

  /**
   * Adds a key that `lookup(key, hash)` has just not found, without probing for it again (sessions look a
   * key up first and add it only when its event opens a session).
   */
  add(key: string, hash: number): number {
    let id = this.free.pop();
    if (id === undefined) {
      id = this.names.length;
      this.names.push(key);
      if (id === this.head.length) {
        const capacity = nextCapacity(id);
        this.head = growInt32(this.head, capacity, NONE);
        if (this.frontiers) this.frontier = growFloat64(this.frontier, capacity, -Infinity);
        this.hashes = growInt32(this.hashes, capacity);
      }
    } else {
      this.names[id] = key;
    }
    this.hashes[id] = hash;
    this.live++;
    // At most 3/4 of the entries in use, released ones included: probes stay within a cache line or two
    // (8 entries per line), at 12–24 bytes of index per key.
    if ((this.live + this.released) * 4 > (this.mask + 1) * 3) this.rebuild();
    else this.place(hash, id);
    return id;
  }

  name(id: number): string {
    return this.names[id]!;
  }

  /** The key's final frontier, -Infinity when it has none (always, for fixed windows). */
  frontierOf(id: number): number {
    return this.frontiers ? this.frontier[id]! : -Infinity;
  }

  release(id: number): void {
    if (this.names[id] === undefined) return;
    const { index, mask } = this;
    let entry = this.hashes[id]! & mask;
    while (index[entry * ENTRY + 1] !== id) entry = (entry + 1) & mask;
    index[entry * ENTRY + 1] = RELEASED;
    this.released++;
    this.live--;
    this.names[id] = undefined;
    this.head[id] = NONE;
    if (this.frontiers) this.frontier[id] = -Infinity;
    this.free.push(id);
  }

  /** Forgets every key (none may have open windows left). */
  clear(): void {
    this.names = [];
    this.hashes = new Int32Array(0);
    this.free.length = 0;
    this.index = new Int32Array(MIN_INDEX_SIZE * ENTRY).fill(NONE);
    this.mask = MIN_INDEX_SIZE - 1;
    this.live = 0;
    this.released = 0;
    this.head = new Int32Array(0);
    this.frontier = new Float64Array(0);
  }

  /** Ids of all present keys, ascending (snapshots use it). */
  *keyIds(): IterableIterator<number> {
    for (let id = 0; id < this.names.length; id++) if (this.names[id] !== undefined) yield id;
  }

  private find(key: string, hash: number): number {
    const { index, mask, names } = this;
    for (let entry = hash & mask; ; entry = (entry + 1) & mask) {
      const id = index[entry * ENTRY + 1]!;
      if (id === NONE) return NONE;
      if (index[entry * ENTRY] === hash && id !== RELEASED && names[id] === key) return id;
    }
  }

  private place(hash: number, id: number): void {
    const { index, mask } = this;
    let entry = hash & mask;
    // A released entry could be reused here, but only after probing on to rule the key out further along;
    // intern() and add()'s caller have just done that, yet reuse would still leave the chain longer than a
    // rebuild does.
    while (index[entry * ENTRY + 1] !== NONE) entry = (entry + 1) & mask;
    index[entry * ENTRY] = hash;
    index[entry * ENTRY + 1] = id;
  }

  /** Re-enters the live keys (a just interned one too) into an index sized for them, dropping released entries. */
  private rebuild(): void {
    let size = MIN_INDEX_SIZE;
    while (size < this.live * 2) size *= 2;
    this.index = new Int32Array(size * ENTRY).fill(NONE);
    this.mask = size - 1;
    this.released = 0;
    for (let id = 0; id < this.names.length; id++) {
      if (this.names[id] !== undefined) this.place(this.hashes[id]!, id);
    }
  }
}

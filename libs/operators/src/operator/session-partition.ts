import { hashKey, NONE } from '../state/key-table';
import { MinHeap } from '../state/min-heap';
import type { SessionWindowAssigner } from '../windows/window';
import { Partition, type PartitionConfig } from './partition';

/**
 * Session windows of one partition.
 *
 * Lateness, for an event at time t of key k on partition p (gap g, allowed lateness L, and R when the
 * pipeline has `stateRetention`). Let F(k) be the end of k's latest final session (−∞ when none). A session
 * is final once `end + L <= wm(p)`, and open ones have `end + L > wm(p)`, so every final session of k ends at
 * or before F(k) and before every open one. The event is late exactly when
 *   (a) t <= F(k): it would extend or bridge a final session (t in [S.start − g, S.end] for the latest final
 *       session S), or it lies before S, where anything it could merge with ends before S does and so is
 *       final too; or
 *   (b) it touches none of k's open sessions and `t + g + L <= wm(p)`: its session would be `[t, t + g)`
 *       alone, final already; or
 *   (c) with R: `t + R <= wm(p)`, the state horizon. R >= g + L (validation), so such an event that touches
 *       no open session is late by (b) already: (c) only adds events that would extend an open session
 *       backwards from beyond the horizon. In batch mode wm(p) stays −∞, so (c) never holds there.
 * Otherwise it joins the open sessions it touches, merging them (bridging) if more than one: the merged
 * session ends no earlier than they do, so it is open. Late records carry the proto-session `[t, t + g)`.
 *
 * A final session's state is released, but F(k) stays (one number per key that had a final session).
 * Without R, it stays until the end of input. No earlier release keeps rules (a) and (b), whatever the
 * watermark, because a later session of k can grow backwards without bound and must not cross a final one.
 * Say k has no open session and wm(p) = W, however far beyond F(k) + 2g + L. An event of k at W opens
 * `[W, W + g)` (W + g + L > W); events at W − g, W − 2g, … each touch that open session and join it (behind
 * the watermark, but extending an open session), and the watermark does not move. The first of them at or
 * before F(k) — it lies in `[S.start − g, F(k)]`, an interval 2g wide that steps of g cannot jump — would
 * bridge the final S with the open session: late by (a), while with F(k) forgotten it would touch an open
 * session, escape (b), and merge across S. So without (c), how k's future events are judged depends on F(k)
 * for as long as sessions can open, i.e. until wm(p) = +∞; see the test "drops an event bridging a final
 * session and a later open one, however far the watermark has moved". Conditions such as
 * `wm(p) >= F(k) + g + L` (or `+ 2g + L`) with no open session of k only cover the case where k opens no
 * session afterwards.
 *
 * Rule (c) is what bounds it: F(k) is released once `F(k) + R <= wm(p)`. From then on every event that is
 * not late by (c) has `t > wm(p) − R >= F(k)`, so (a) can never hold again; and a later final session of k
 * holds only such events or ones of sessions open at the release (which end after wm(p) − L >= F(k) + g), so
 * it ends after F(k) and max(F(k), its end) is its end: forgetting F(k) changes no decision. A key left with
 * no open session and no frontier is released. The releases come from `expiries`, a heap with one entry
 * (F(k) + R, k) per key with a frontier, popped as the watermark passes it; an entry whose key's frontier
 * has moved on since is pushed again with the new time, so the heap holds at most one entry per key and
 * nothing scans the keys. A session finalized with `end + R <= wm(p)` already (the watermark jumped) leaves no
 * frontier at all.
 *
 * At the end of input every event is late by (b) (no session is open and wm = +∞), so `endInput` drops all
 * keys and frontiers.
 */
export class SessionPartition<E> extends Partition<E> {
  /** (end, slot, generation) per session; entries of grown or merged sessions are rechecked when they pop. */
  private readonly timers = new MinHeap();
  /** stateRetention R, Infinity without it (then rule (c) never holds and nothing expires). */
  private readonly retention: number;
  /** With R: (F(k) + R, keyId) for each key with a frontier; rechecked when they pop (F(k) may have grown). */
  private readonly expiries = new MinHeap();

  constructor(
    partition: number,
    config: PartitionConfig,
    private readonly assigner: SessionWindowAssigner,
  ) {
    super(partition, config, { kind: 'session' });
    this.retention = config.stateRetention ?? Infinity;
  }

  ingest(event: E, key: string, time: number, inputs: readonly unknown[]): void {
    const { slots, keys, assigner } = this;
    const { gap } = assigner;
    const watermark = this.watermark;
    // (c) the horizon: checked first, as the frontier that (a) needs may be gone
    if (time + this.retention <= watermark) {
      this.emitLate(event, key, time, time + gap, watermark);
      return;
    }
    const hash = hashKey(key);
    let keyId = keys.lookup(key, hash);
    if (keyId !== NONE && time <= keys.frontier[keyId]!) {
      this.emitLate(event, key, time, time + gap, watermark);
      return;
    }
    let target = NONE;
    if (keyId !== NONE) {
      for (let slot = keys.head[keyId]!; slot !== NONE;) {
        const next = slots.next(slot);
        if (assigner.touches(slots.start(slot), slots.end(slot), time)) {
          target = target === NONE ? slot : this.bridge(keyId, target, slot);
        }
        slot = next;
      }
    }
    if (target === NONE) {
      if (time + gap + this.config.allowedLateness <= watermark) {
        this.emitLate(event, key, time, time + gap, watermark);
        return;
      }
      if (keyId === NONE) keyId = keys.add(key, hash);
      target = slots.alloc(keyId, time, time + gap);
      this.link(keyId, target);
      this.schedule(target);
    } else {
      if (time < slots.start(target)) slots.setStart(target, time);
      if (time + gap > slots.end(target)) slots.setEnd(target, time + gap);
    }
    slots.accumulators.add(target, inputs);
    slots.setRevision(target, slots.revision(target) + 1);
    this.markDirty(target);
  }

  protected fire(watermark: number): void {
    const { timers, slots } = this;
    const lateness = this.config.allowedLateness;
    while (timers.size > 0 && timers.peek() + lateness <= watermark) {
      timers.pop();
      const slot = timers.poppedA;
      if (slots.generation(slot) !== timers.poppedB) continue;
      if (slots.end(slot) + lateness > watermark) this.schedule(slot);
      else this.finalize(slot);
    }
    if (this.retention !== Infinity) this.expire(watermark);
  }

  /** Releases every F(k) with `F(k) + R <= watermark`, and the keys left with nothing else. */
  private expire(watermark: number): void {
    const { expiries, keys, retention } = this;
    while (expiries.size > 0 && expiries.peek() <= watermark) {
      expiries.pop();
      const keyId = expiries.poppedA;
      const frontier = keys.frontier[keyId]!;
      if (frontier + retention > watermark) {
        expiries.push(frontier + retention, keyId);
        continue;
      }
      keys.frontier[keyId] = -Infinity;
      if (keys.head[keyId] === NONE) keys.release(keyId);
    }
  }

  protected schedule(slot: number): void {
    this.timers.push(this.slots.end(slot), slot, this.slots.generation(slot));
  }

  protected override finalize(slot: number): void {
    const { keys, retention } = this;
    const keyId = this.slots.key(slot);
    const previous = keys.frontier[keyId]!;
    const frontier = Math.max(previous, this.slots.end(slot));
    // A key with a frontier has its expiry entry already (rechecked when it pops); a first frontier gets
    // one, unless it is beyond the horizon already (the watermark jumped): then it is not kept at all, and
    // the key goes with its last session.
    if (previous === -Infinity && retention !== Infinity) {
      if (frontier + retention <= this.watermark) {
        super.finalize(slot);
        return;
      }
      this.expiries.push(frontier + retention, keyId);
    }
    keys.frontier[keyId] = frontier;
    super.finalize(slot);
  }

  /**
   * A frontier beyond the horizon is one the uninterrupted run had released already (a snapshot of this
   * operator holds none, but a store that keeps every key's latest frontier does): it is left out.
   */
  protected override restoreFrontier(key: string, frontier: number): number {
    const { retention } = this;
    if (frontier + retention <= this.watermark) return NONE;
    const keyId = super.restoreFrontier(key, frontier);
    // keys are unique in a snapshot, so this is the key's only entry
    if (retention !== Infinity) this.expiries.push(frontier + retention, keyId);
    return keyId;
  }

  protected override publish(slot: number): void {
    const { slots } = this;
    const start = slots.start(slot);
    const end = slots.end(slot);
    const publishedStart = slots.publishedStart(slot);
    const publishedEnd = slots.publishedEnd(slot);
    if (publishedStart === start && publishedEnd === end) return;
    if (!Number.isNaN(publishedStart)) this.retract(slot, publishedStart, publishedEnd);
    slots.setPublished(slot, start, end);
  }

  protected override publishedBounds(slot: number): readonly [number, number] | undefined {
    const start = this.slots.publishedStart(slot);
    return Number.isNaN(start) ? undefined : [start, this.slots.publishedEnd(slot)];
  }

  /**
   * Merges two sessions of a key into the earlier one (so a non-commutative merge still sees them in time
   * order) and frees the later one, retracting it if it was emitted.
   */
  private bridge(keyId: number, a: number, b: number): number {
    const { slots } = this;
    const [earlier, later] = slots.start(a) <= slots.start(b) ? [a, b] : [b, a];
    slots.accumulators.mergeInto(earlier, later);
    slots.setRevision(earlier, slots.revision(earlier) + slots.revision(later));
    if (slots.end(later) > slots.end(earlier)) slots.setEnd(earlier, slots.end(later));
    const publishedStart = slots.publishedStart(later);
    if (!Number.isNaN(publishedStart)) this.retract(later, publishedStart, slots.publishedEnd(later));
    this.unlink(keyId, later);
    slots.release(later);
    return earlier;
  }
}

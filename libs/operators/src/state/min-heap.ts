import { growFloat64, growInt32, nextCapacity } from './growable';

/**
 * Binary min-heap of (time, a, b) in typed arrays: timers without an object per timer. `pop` leaves the
 * popped payload in `poppedA` / `poppedB`.
 */
export class MinHeap {
  private times = new Float64Array(0);
  private as = new Int32Array(0);
  private bs = new Int32Array(0);
  private count = 0;
  poppedA = 0;
  poppedB = 0;

  get size(): number {
    return this.count;
  }

  /** Earliest time, Infinity when empty. */
  peek(): number {
    return this.count === 0 ? Infinity : this.times[0]!;
  }

  push(time: number, a = 0, b = 0): void {
    if (this.count === this.times.length) {
      const capacity = nextCapacity(this.count);
      this.times = growFloat64(this.times, capacity);
      this.as = growInt32(this.as, capacity);
      this.bs = growInt32(this.bs, capacity);
    }
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.times[parent]! <= time) break;
      this.move(parent, i);
      i = parent;
    }
    this.put(i, time, a, b);
  }

  pop(): number {
    const top = this.times[0]!;
    this.poppedA = this.as[0]!;
    this.poppedB = this.bs[0]!;
    const last = --this.count;
    if (last > 0) {
      const time = this.times[last]!;
      const a = this.as[last]!;
      const b = this.bs[last]!;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= last) break;
        if (child + 1 < last && this.times[child + 1]! < this.times[child]!) child++;
        if (this.times[child]! >= time) break;
        this.move(child, i);
        i = child;
      }
      this.put(i, time, a, b);
    }
    return top;
  }

  clear(): void {
    this.count = 0;
  }

  private move(from: number, to: number): void {
    this.put(to, this.times[from]!, this.as[from]!, this.bs[from]!);
  }

  private put(i: number, time: number, a: number, b: number): void {
    this.times[i] = time;
    this.as[i] = a;
    this.bs[i] = b;
  }
}

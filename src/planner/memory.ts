// Memory planner for the arena's planned section: greedy first-fit by
// decreasing size over buffer lifetimes (op indices), like TFLM's greedy
// planner, with 16-byte aligned offsets. State buffers (alive across
// invokes) come first, so they end up together at the bottom: a shared
// arena keeps that part per program and shares the rest (native tinyml.h).
import { alignUp } from '../core/native';

export interface PlanBuffer {
  size: number;
  /** First and last op index (inclusive) during which the buffer must hold its data. */
  first: number;
  last: number;
  /** Filled in by planMemory, or given (offline plan) when `fixed`. */
  offset: number;
  fixed?: boolean;
  /** Lives across invokes (variables, op state): placed before all others. */
  state?: boolean;
}

/** Places every buffer; returns the planned section's size in bytes. */
export function planMemory(buffers: PlanBuffer[]): number {
  const order: number[] = [];
  for (let i = 0; i < buffers.length; i++) order.push(i);
  // State first, then largest first; ties keep the earlier-first lifetime
  // first, then model order.
  order.sort(function (a, b) {
    const x = buffers[a], y = buffers[b];
    if (!x.state !== !y.state) return x.state ? -1 : 1;
    if (x.size !== y.size) return y.size - x.size;
    if (x.first !== y.first) return x.first - y.first;
    return a - b;
  });
  // Offline-planned buffers are placed first, exactly where the model says.
  const placed: PlanBuffer[] = [];
  let total = 0;
  for (let k = 0; k < buffers.length; k++) {
    if (!buffers[k].fixed) continue;
    placed.push(buffers[k]);
    total = Math.max(total, buffers[k].offset + buffers[k].size);
  }
  for (let k = 0; k < order.length; k++) {
    const buf = buffers[order[k]];
    if (buf.fixed) continue;
    // Buffers alive at the same time as this one, by offset.
    const live: PlanBuffer[] = [];
    for (let j = 0; j < placed.length; j++) {
      const p = placed[j];
      if (p.first <= buf.last && buf.first <= p.last) live.push(p);
    }
    live.sort(function (a, b) { return a.offset - b.offset; });
    let offset = 0;
    for (let j = 0; j < live.length; j++) {
      if (live[j].offset >= offset + buf.size) break; // fits in the gap before it
      offset = Math.max(offset, alignUp(live[j].offset + live[j].size));
    }
    buf.offset = offset;
    placed.push(buf);
    total = Math.max(total, offset + buf.size);
  }
  return alignUp(total);
}

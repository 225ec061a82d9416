import { MlsdError, type ColumnTable } from '@mlsd/data';

/**
 * Where each row of a table sits when its rows are grouped by entity, each group in event order (time, then row
 * index): entity code g owns positions `starts[g]` to `starts[g + 1] - 1`, and row r sits at `positions[r]`.
 */
export interface EntityLayout {
  /** `groupCount + 1` offsets. */
  readonly starts: Int32Array;
  /** The position of each row (indexed by row). */
  readonly positions: Int32Array;
}

/**
 * Row indices sorted by `times` ascending, ties kept in row order (a stable LSD radix sort on the IEEE-754 bits,
 * skipped when the times are already sorted). Throws `INVALID_INPUT` naming the first non-finite time.
 */
export function timeOrder(times: Float64Array, column: string): Int32Array {
  const n = times.length;
  const order = new Int32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    if (!Number.isFinite(t)) {
      throw new MlsdError('INVALID_INPUT', `Time column "${column}" row ${i} is ${t}; every event needs a finite time (epoch ms).`, {
        location: { row: i, column },
      });
    }
    order[i] = i;
    if (i > 0 && t < times[i - 1]!) sorted = false;
  }
  return sorted ? order : radixSortByFloat(times, order);
}

function radixSortByFloat(times: Float64Array, order: Int32Array): Int32Array {
  const n = times.length;
  // Map each double to an unsigned key whose order matches numeric order: flip all bits of negatives, only the
  // sign bit of the others. Keys are kept as two 32-bit halves.
  const bits = new Uint32Array(times.buffer.slice(times.byteOffset, times.byteOffset + n * 8));
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bits[2 * i + 1]!;
    const l = bits[2 * i]!;
    const negative = h >>> 31 === 1;
    hi[i] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    lo[i] = negative ? ~l >>> 0 : l;
  }
  let src: Int32Array = order;
  let dst: Int32Array = new Int32Array(n);
  const counts = new Int32Array(65_536);
  for (let pass = 0; pass < 4; pass++) {
    const half = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(half[i]! >>> shift) & 0xffff]!++;
    // A pass where every key has the same digit would keep the order unchanged.
    if (counts[(half[0]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65_536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const row = src[i]!;
      dst[counts[(half[row]! >>> shift) & 0xffff]!++] = row;
    }
    const swap = src;
    src = dst;
    dst = swap;
  }
  return src;
}

/**
 * Dense entity codes 0..groupCount-1 for the key column `entity` (integer or category). Throws `INVALID_INPUT`
 * naming the first row with a missing or non-finite key, `SCHEMA_MISMATCH` for a column of another type.
 */
export function entityCodes(table: ColumnTable, entity: string): { codes: Int32Array; groupCount: number } {
  const column = table.column(entity);
  const n = table.rowCount;
  const codes = new Int32Array(n);
  if (column.type === 'category') {
    for (let i = 0; i < n; i++) {
      const code = column.codes[i]!;
      if (code < 0) throw missingKey(entity, i);
      codes[i] = code;
    }
    return { codes, groupCount: column.dictionary.length };
  }
  if (column.type !== 'integer' && column.type !== 'float') {
    throw new MlsdError('SCHEMA_MISMATCH', `Entity column "${entity}" is of type ${column.type}; use an integer or category column.`, {
      location: { column: entity },
    });
  }
  const values = column.values;
  let max = -1;
  let small = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw missingKey(entity, i);
    if (v < 0 || v > 1 << 24 || !Number.isInteger(v)) small = false;
    else if (v > max) max = v;
  }
  if (small && max <= 8 * n + 1_024) {
    // Dense non-negative whole ids index a lookup array: no hashing on the hot path.
    const lookup = new Int32Array(max + 1).fill(-1);
    let next = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      let code = lookup[v]!;
      if (code < 0) code = lookup[v] = next++;
      codes[i] = code;
    }
    return { codes, groupCount: next };
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let code = map.get(v);
    if (code === undefined) map.set(v, (code = map.size));
    codes[i] = code;
  }
  return { codes, groupCount: map.size };
}

/**
 * Lays rows out by entity code, each entity's rows in the order of `byTime` (rows in event order): a counting sort
 * that only computes positions. Writing a row's values at its position later touches, per entity, the memory
 * right after its previous event, so streaming the rows in time order stays cache-friendly.
 */
export function entityLayout(codes: Int32Array, groupCount: number, byTime: Int32Array): EntityLayout {
  const n = byTime.length;
  const starts = new Int32Array(groupCount + 1);
  for (let i = 0; i < n; i++) starts[codes[i]! + 1]!++;
  for (let g = 0; g < groupCount; g++) starts[g + 1]! += starts[g]!;
  const cursor = starts.slice(0, groupCount);
  const positions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = byTime[i]!;
    positions[row] = cursor[codes[row]!]!++;
  }
  return { starts, positions };
}

/** Rows per block of {@link blockSlots}: 16,384 rows of 6 float columns (768 KiB) stay in cache while written. */
const BLOCK_SHIFT = 14;

/**
 * Output slots for a layout: slot `slots[k]` of position k, grouped by blocks of 16,384 rows and in position order
 * within a block, and `rowOfSlot[s]`, the row of slot s. Kernels sweeping positions in order then write a few
 * hundred sequential streams (one per block), and moving slots to rows in order writes inside one block at a time:
 * no random access over the whole table, which costs several times more (cache and TLB misses) at millions of rows.
 * `rowOf`, `slots` and `rowOfSlot` are scratch arrays of the table's length, overwritten.
 */
export function blockSlots(positions: Int32Array, rowOf: Int32Array, slots: Int32Array, rowOfSlot: Int32Array): void {
  const n = positions.length;
  for (let r = 0; r < n; r++) rowOf[positions[r]!] = r;
  const blocks = (n >> BLOCK_SHIFT) + 1;
  const cursor = new Int32Array(blocks);
  for (let b = 0; b < blocks; b++) cursor[b] = b << BLOCK_SHIFT;
  for (let k = 0; k < n; k++) {
    const row = rowOf[k]!;
    const slot = cursor[row >> BLOCK_SHIFT]!++;
    slots[k] = slot;
    rowOfSlot[slot] = row;
  }
}

function missingKey(entity: string, row: number): MlsdError {
  return new MlsdError(
    'INVALID_INPUT',
    `Entity column "${entity}" row ${row} has no key; every event needs one (drop or fill the row before computing features).`,
    { location: { row, column: entity } },
  );
}

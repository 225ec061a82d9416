/**
 * Terminals each customer can use: every terminal strictly closer than `radius` (Euclidean), in ascending
 * terminal id, as in the Handbook's `get_list_terminals_within_radius`. Stored compressed (CSR): the terminals
 * of customer `c` are `terminals[offsets[c]]` .. `terminals[offsets[c + 1] - 1]`.
 */
export interface TerminalLists {
  readonly offsets: Int32Array;
  readonly terminals: Int32Array;
}

/**
 * Finds, for every customer, the terminals within `radius` with a uniform grid of cells `radius` wide, so each
 * customer only looks at the 3 x 3 cells around it instead of every terminal (O(customers x terminals-per-cell)).
 * `side` is the side of the square map (100 in the Handbook).
 */
export function terminalsWithinRadius(
  customerX: Float64Array,
  customerY: Float64Array,
  terminalX: Float64Array,
  terminalY: Float64Array,
  radius: number,
  side: number,
): TerminalLists {
  const cellsPerSide = Math.max(1, Math.ceil(side / radius));
  const cellOf = (v: number): number => Math.min(cellsPerSide - 1, Math.max(0, Math.floor(v / radius)));

  // Bucket terminals by cell (counting sort keeps ascending terminal ids inside each cell).
  const cellCount = cellsPerSide * cellsPerSide;
  const cellStart = new Int32Array(cellCount + 1);
  const terminalCell = new Int32Array(terminalX.length);
  for (let t = 0; t < terminalX.length; t++) {
    const cell = cellOf(terminalY[t]!) * cellsPerSide + cellOf(terminalX[t]!);
    terminalCell[t] = cell;
    cellStart[cell + 1]!++;
  }
  for (let c = 0; c < cellCount; c++) cellStart[c + 1]! += cellStart[c]!;
  const cursor = cellStart.slice(0, cellCount);
  const byCell = new Int32Array(terminalX.length);
  for (let t = 0; t < terminalX.length; t++) byCell[cursor[terminalCell[t]!]!++] = t;

  const offsets = new Int32Array(customerX.length + 1);
  let terminals = new Int32Array(Math.max(16, customerX.length * 8));
  let size = 0;
  for (let c = 0; c < customerX.length; c++) {
    const x = customerX[c]!;
    const y = customerY[c]!;
    const cx = cellOf(x);
    const cy = cellOf(y);
    const first = size;
    for (let gy = Math.max(0, cy - 1); gy <= Math.min(cellsPerSide - 1, cy + 1); gy++) {
      for (let gx = Math.max(0, cx - 1); gx <= Math.min(cellsPerSide - 1, cx + 1); gx++) {
        const cell = gy * cellsPerSide + gx;
        for (let k = cellStart[cell]!; k < cellStart[cell + 1]!; k++) {
          const t = byCell[k]!;
          const dx = x - terminalX[t]!;
          const dy = y - terminalY[t]!;
          // Same test as the Handbook: sqrt of the summed squares, strictly below r.
          if (Math.sqrt(dx * dx + dy * dy) < radius) {
            if (size === terminals.length) {
              const grown = new Int32Array(terminals.length * 2);
              grown.set(terminals);
              terminals = grown;
            }
            terminals[size++] = t;
          }
        }
      }
    }
    terminals.subarray(first, size).sort();
    offsets[c + 1] = size;
  }
  return { offsets, terminals: terminals.slice(0, size) };
}

/**
 * The 1-based line on which each non-blank record of a text file starts. With `quoted` (CSV), a newline inside
 * double quotes does not end a record, as in RFC 4180. A record made only of spaces, tabs and `\r` is blank and
 * skipped, like DuckDB's CSV reader does. One pass over the bytes, no per-record objects.
 */
export function recordStartLines(bytes: Uint8Array, quoted: boolean): Int32Array {
  let lines: Int32Array = new Int32Array(1024);
  let count = 0;
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let blank = true;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x0a) {
      if (!inQuotes) {
        if (!blank) {
          if (count === lines.length) lines = grow(lines);
          lines[count++] = recordLine;
        }
        blank = true;
        recordLine = line + 1;
      }
      line++;
    } else {
      if (quoted && byte === 0x22) inQuotes = !inQuotes;
      if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) blank = false;
    }
  }
  if (!blank) {
    if (count === lines.length) lines = grow(lines);
    lines[count++] = recordLine;
  }
  return lines.slice(0, count);
}

function grow(lines: Int32Array): Int32Array {
  const grown = new Int32Array(lines.length * 2);
  grown.set(lines);
  return grown;
}

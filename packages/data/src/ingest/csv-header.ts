import { open } from 'node:fs/promises';

/** Bytes read to find the header; a longer header line is refused. */
const HEADER_BYTES = 1 << 20;

/**
 * The column names on the first non-blank line of a CSV file (`,`-separated, RFC 4180 quotes, UTF-8 with or
 * without BOM), or `undefined` when the file holds only blank space. Read in TypeScript rather than by DuckDB's
 * sniffer, which gives up on files with broken rows.
 */
export async function readCsvHeader(path: string): Promise<string[] | undefined> {
  const handle = await open(path, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
      continue;
    }
    if (ch === '"') {
      inQuotes = true;
      started = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      started = true;
    } else if (ch === '\n') {
      if (started || field.trim() !== '') break;
      field = '';
    } else if (ch !== '\r') {
      field += ch;
      if (ch.trim() !== '') started = true;
    }
  }
  if (!started && field.trim() === '') return undefined;
  fields.push(field);
  return fields;
}

import type { DestinationStream } from 'pino';

/** The destination a {@link LineBuffer} writes its batches to: pino's `pino.destination()` (sonic-boom). */
export interface LineSink {
  write(text: string): unknown;
  flush?(callback?: (error?: Error | null) => void): void;
  flushSync(): void;
}

/** Buffers not yet written when the process exits; written synchronously by one `exit` listener. */
const open = new Set<LineBuffer>();
let exitListener = false;

/**
 * Gathers log lines and hands them to `sink` as one string of about `maxChars` characters, or every `flushMs` when
 * traffic is too light to fill it, or at once on {@link flush}; what is left is written synchronously when the
 * process exits. One write system call per batch instead of one per line.
 *
 * Why not sonic-boom's own `minLength`: it appends each line to one growing string and measures that string's
 * byte length on every write, which flattens it every time — about 4 KB of garbage and a copy per line.
 * Here a batch is an array of lines joined once.
 */
export class LineBuffer implements DestinationStream {
  private readonly lines: string[] = [];
  private chars = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly maxChars: number,
    flushMs: number,
  ) {
    setInterval(() => this.flush(), flushMs).unref();
    open.add(this);
    if (!exitListener) {
      exitListener = true;
      process.once('exit', () => {
        for (const buffer of open) buffer.flushSync();
      });
    }
  }

  /** Adds one line (pino calls this); a full batch is handed to the sink. */
  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= this.maxChars) this.flush();
  }

  /** Hands the gathered lines to the sink now; `callback` once the sink has written them (pino's `logger.flush`). */
  flush(callback?: (error?: Error | null) => void): void {
    if (this.lines.length > 0) {
      this.sink.write(this.lines.join(''));
      this.lines.length = 0;
      this.chars = 0;
    }
    if (callback !== undefined) {
      if (this.sink.flush !== undefined) this.sink.flush(callback);
      else callback();
    }
  }

  /** Writes every gathered line before returning (at exit). */
  flushSync(): void {
    this.flush();
    this.sink.flushSync();
  }
}

import cliProgress from 'cli-progress';

/**
 * A progress reporter: a bar for every task on a terminal, plain lines otherwise (CI logs, pipes). Tasks may be
 * grouped under numbered steps (`[3/7] Data`), whose tasks are then indented beneath them.
 */
export interface Progress {
  /** Begins step `index` of `count`, named `name`: one header line, `[index/count] name`. */
  step(index: number, count: number, name: string): void;
  /**
   * Starts a task of `total` units (default 1: a task with no finer progress, whose bar fills when it is done).
   * Ends the previous task first if it is still running.
   */
  start(label: string, total?: number): void;
  /** Sets the current task's progress to `value` units; `detail` (e.g. the model being fitted) shows beside the bar. */
  update(value: number, detail?: string): void;
  /** Ends the current task, printing how long it took and an optional short result. */
  done(result?: string): void;
}

/** Where a {@link Progress} writes: stderr by default; a bar needs `isTTY`. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** A {@link Progress} on `options.stream` (default stderr); `quiet` silences it (for tests). */
export function createProgress(options: { readonly quiet?: boolean; readonly stream?: ProgressStream } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const quiet = options.quiet === true;
  const interactive = stream.isTTY === true && !quiet;
  let bar: cliProgress.SingleBar | undefined;
  let task: { label: string; total: number; started: number } | undefined;
  let indent = '';
  const write = (text: string): void => {
    if (!quiet) stream.write(text);
  };
  const progress: Progress = {
    step(index, count, name) {
      if (task !== undefined) progress.done();
      indent = '  ';
      write(`[${index}/${count}] ${name}\n`);
    },
    start(label, total = 1) {
      if (task !== undefined) progress.done();
      task = { label, total, started: performance.now() };
      if (interactive) {
        const units = total > 1 ? ' | {value}/{total}' : '';
        bar = new cliProgress.SingleBar(
          {
            format: `${indent}${label} [{bar}] {percentage}%${units} {detail}`,
            // cli-progress only needs a writable with isTTY; its types ask for a full stream.
            stream: stream as NodeJS.WritableStream,
            hideCursor: true,
            clearOnComplete: true,
            barsize: 30,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { detail: '' });
      } else write(`${indent}${label} …\n`);
    },
    update(value, detail) {
      bar?.update(value, detail === undefined ? {} : { detail });
    },
    done(result) {
      if (task === undefined) return;
      if (bar !== undefined) {
        bar.update(task.total);
        bar.stop();
        bar = undefined;
      }
      const seconds = ((performance.now() - task.started) / 1000).toFixed(1);
      write(`${indent}✓ ${task.label} (${seconds} s)${result === undefined ? '' : `: ${result}`}\n`);
      task = undefined;
    },
  };
  return progress;
}

import cliProgress from 'cli-progress';

/** A progress reporter on stderr: a bar on a terminal, one line per step otherwise (CI logs, pipes). */
export interface Progress {
  /** Starts a step of `total` units (a bar), or a single-line step when `total` is omitted. */
  start(label: string, total?: number): void;
  /** Sets the current step's progress to `value` units. */
  update(value: number): void;
  /** Ends the current step, printing how long it took and an optional short result. */
  done(result?: string): void;
}

/** A {@link Progress} that writes to stderr; `quiet` silences it (for tests). */
export function createProgress(options: { readonly quiet?: boolean } = {}): Progress {
  const stream = process.stderr;
  const interactive = stream.isTTY === true && options.quiet !== true;
  let bar: cliProgress.SingleBar | undefined;
  let label = '';
  let started = 0;
  const write = (text: string): void => {
    if (options.quiet !== true) stream.write(text);
  };
  return {
    start(stepLabel, total) {
      label = stepLabel;
      started = performance.now();
      if (interactive && total !== undefined) {
        bar = new cliProgress.SingleBar(
          { format: `${stepLabel.padEnd(34)} [{bar}] {percentage}% | {value}/{total}`, stream, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      } else write(`${stepLabel} …\n`);
    },
    update(value) {
      bar?.update(value);
    },
    done(result) {
      bar?.stop();
      bar = undefined;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      write(`✓ ${label} (${seconds} s)${result === undefined ? '' : `: ${result}`}\n`);
    },
  };
}

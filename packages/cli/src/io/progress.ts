import { Transform, type TransformCallback } from 'node:stream';
import cliProgress from 'cli-progress';
import { formatBytes, formatRate, formatSeconds } from './human.js';

/** Where progress goes: a terminal stream, or nowhere. */
export interface ProgressTarget {
  readonly stream: NodeJS.WriteStream;
  /** False when stderr is not a terminal, with `--quiet`, or with `--json`. */
  readonly enabled: boolean;
}

const BAR_SIZE = 24;

/**
 * A progress bar (bytes, rate, ETA) on stderr, drawn with `cli-progress` only when the
 * target is enabled; with an unknown total (stdin) it shows bytes and rate. It always
 * counts, so callers can read `bytes` either way.
 */
export class ProgressBar {
  readonly #bar: cliProgress.SingleBar | undefined;
  readonly #started = performance.now();
  #bytes = 0;

  constructor(target: ProgressTarget, label: string, total: number | undefined) {
    if (!target.enabled) return;
    const known = total !== undefined && total > 0;
    this.#bar = new cliProgress.SingleBar({
      stream: target.stream,
      hideCursor: true,
      clearOnComplete: true,
      fps: 8,
      barsize: BAR_SIZE,
      format: (options, params) => {
        const rate = formatRate(params.value, performance.now() - this.#started);
        if (!known) return `${label} ${formatBytes(params.value)} | ${rate}`;
        const filled = Math.min(BAR_SIZE, Math.round(params.progress * BAR_SIZE));
        const bar = `${(options.barCompleteChar ?? '=').repeat(filled)}${(options.barIncompleteChar ?? '-').repeat(BAR_SIZE - filled)}`;
        return `${label} [${bar}] ${Math.floor(params.progress * 100)}% | ${formatBytes(params.value)}/${formatBytes(params.total)} | ${rate} | ETA ${formatSeconds(params.eta)}`;
      },
    });
    this.#bar.start(known ? total : 1, 0);
  }

  /** Bytes counted so far. */
  get bytes(): number {
    return this.#bytes;
  }

  add(bytes: number): void {
    this.#bytes += bytes;
    this.#bar?.update(this.#bytes);
  }

  /** Removes the bar from the terminal (idempotent). */
  stop(): void {
    if (this.#bar?.isActive === true) this.#bar.stop();
  }
}

/**
 * A pass-through stream that counts the bytes flowing through it into a
 * {@link ProgressBar} (its own, or one shared by several streams).
 */
export class ProgressMeter extends Transform {
  readonly bar: ProgressBar;
  readonly #owned: boolean;

  constructor(target: ProgressTarget | ProgressBar, label = '', total?: number) {
    super();
    this.#owned = !(target instanceof ProgressBar);
    this.bar = target instanceof ProgressBar ? target : new ProgressBar(target, label, total);
  }

  /** Bytes counted so far (by the bar, when it is shared). */
  get bytes(): number {
    return this.bar.bytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bar.add(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#owned) this.bar.stop();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#owned) this.bar.stop();
    callback(error);
  }

  /** Removes an owned bar from the terminal (idempotent). */
  stop(): void {
    if (this.#owned) this.bar.stop();
  }
}

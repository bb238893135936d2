import { Transform, type TransformCallback } from 'node:stream';
import cliProgress from 'cli-progress';
import { formatBytes, formatRate, formatSeconds } from './human.js';

/** Where progress goes: a terminal stream, or nowhere. */
export interface ProgressTarget {
  readonly stream: NodeJS.WriteStream;
  /** False when stderr is not a terminal, with `--quiet`, or with `--json`. */
  readonly enabled: boolean;
}

/**
 * A pass-through stream that counts the bytes flowing through it and draws a progress
 * bar (bytes, rate, ETA) on stderr with `cli-progress`. With an unknown total (stdin)
 * it shows bytes and rate only. When disabled it only counts.
 */
export class ProgressMeter extends Transform {
  readonly #bar: cliProgress.SingleBar | undefined;
  readonly #started = performance.now();
  #bytes = 0;

  constructor(target: ProgressTarget, label: string, total: number | undefined) {
    super();
    if (!target.enabled) return;
    const known = total !== undefined && total > 0;
    this.#bar = new cliProgress.SingleBar({
      stream: target.stream,
      hideCursor: true,
      clearOnComplete: true,
      fps: 8,
      barsize: 24,
      format: (options, params) => {
        const elapsed = performance.now() - this.#started;
        const rate = formatRate(params.value, elapsed);
        if (!known) return `${label} ${formatBytes(params.value)} | ${rate}`;
        const bar = (options.barCompleteString ?? '').slice(0, Math.round(params.progress * (options.barsize ?? 24)));
        const rest = (options.barIncompleteString ?? '').slice(0, (options.barsize ?? 24) - bar.length);
        return `${label} [${bar}${rest}] ${Math.floor(params.progress * 100)}% | ${formatBytes(params.value)}/${formatBytes(params.total)} | ${rate} | ETA ${formatSeconds(params.eta)}`;
      },
    });
    this.#bar.start(known ? total : 1, 0);
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    this.#bar?.update(this.#bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.stop();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stop();
    callback(error);
  }

  /** Removes the bar from the terminal (idempotent). */
  stop(): void {
    if (this.#bar?.isActive === true) this.#bar.stop();
  }
}

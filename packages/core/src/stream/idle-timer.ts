import { ErrorCodes, SealflowError } from '../errors.js';

/** The error a stream fails with when its source sent nothing for `ms` milliseconds. */
export function idleTimeoutError(ms: number): SealflowError {
  return new SealflowError(ErrorCodes.TIMEOUT, `the stream's source sent nothing for ${ms} ms (idleTimeoutMs)`);
}

/**
 * The `idleTimeoutMs` stream option: fails a stream whose source stalls. It runs while the
 * stream waits for input and is disarmed while a chunk is processed (a key-store call
 * included). When it fires while the output waits for a slow consumer, it waits another
 * period instead: only a stalled source times out.
 */
export class IdleTimer {
  readonly #ms: number;
  readonly #onIdle: (error: SealflowError) => void;
  readonly #consumerBehind: () => boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(ms: number, onIdle: (error: SealflowError) => void, consumerBehind: () => boolean) {
    this.#ms = ms;
    this.#onIdle = onIdle;
    this.#consumerBehind = consumerBehind;
  }

  /** (Re)starts the period: the stream now waits for input. */
  arm(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#fire(), this.#ms);
  }

  /** A chunk is being processed: not idle. */
  disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The stream ended or failed: never fires again. */
  stop(): void {
    this.#stopped = true;
    this.disarm();
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#consumerBehind()) {
      this.arm();
      return;
    }
    this.stop();
    this.#onIdle(idleTimeoutError(this.#ms));
  }
}

/**
 * `source`, failing with ERR_TIMEOUT when one of its chunks takes more than `ms` to come.
 * Only the wait for the source counts, not the time the consumer holds a chunk. A sync
 * iterable cannot stall between chunks and is returned as it is.
 */
export function idleBounded<T>(source: AsyncIterable<T> | Iterable<T>, ms: number): AsyncIterable<T> | Iterable<T> {
  if (!(Symbol.asyncIterator in source)) return source;
  return bounded(source, ms);
}

async function* bounded<T>(source: AsyncIterable<T>, ms: number): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(idleTimeoutError(ms)), ms);
      });
      let result: IteratorResult<T>;
      try {
        result = await Promise.race([iterator.next(), timeout]);
      } finally {
        clearTimeout(timer);
      }
      if (result.done === true) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // Stopped early (a timeout, a failure, a consumer that left): tell the source, without
    // waiting for it (a stalled async generator answers only after its pending chunk).
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}

/**
 * `source`, ending with the signal's reason as soon as `signal` aborts, even while a read
 * is pending (a socket that closed mid-body may never deliver or fail its next chunk). The
 * pending read is abandoned; the source is told to return, without waiting for it.
 */
export async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  const reason = (): Error => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  let done = false;
  try {
    while (true) {
      if (signal.aborted) throw reason();
      // One abort promise per read, dropped when the read settles. Racing every read against
      // one long-lived promise would leave a reaction on it per read, each holding that read's
      // chunk: a whole request body kept in memory until the signal settles.
      let onAbort: () => void = () => undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(reason());
        signal.addEventListener('abort', onAbort, { once: true });
      });
      let next: IteratorResult<T>;
      try {
        next = await Promise.race([iterator.next(), aborted]);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      if (next.done === true) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

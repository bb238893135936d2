import { finished, type Readable } from 'node:stream';

/**
 * A request body in pieces of `size` bytes (the last one shorter), taken with
 * `stream.read(size)`: node gathers the socket's chunks (TLS delivers at most 16 KiB at a
 * time) into one piece itself, so the layers above (signature checks, hashes, the engine,
 * storage writes) run once per piece, and nothing runs per TLS record. Pieces are the
 * stream's own buffers, never written again: a consumer may keep them.
 *
 * Ends with the signal's reason as soon as `signal` aborts, even while waiting for bytes (a
 * socket that closed mid-body may never deliver or fail), and with the stream's error when
 * it fails or closes early. Stopping early leaves the stream alone: the server decides
 * whether to drain or close it. Back-pressure is the stream's: at most its high-water mark
 * is read ahead (raised to `size` by the first read when lower).
 */
export async function* readPieces(
  stream: Readable,
  size: number,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  const reason = (): Error => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  // undefined while the body runs; null once it ended cleanly; the error once it failed.
  let outcome: Error | null | undefined;
  let wake: (() => void) | undefined;
  const next = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const stopWatching = finished(stream, { writable: false }, (error) => {
    outcome = error ?? null;
    next();
  });
  stream.on('readable', next);
  signal.addEventListener('abort', next);
  try {
    while (true) {
      if (signal.aborted) throw reason();
      // A null read arms the next 'readable' event, so waiting below never misses data.
      const piece = stream.destroyed ? null : (stream.read(size) as Buffer | null);
      if (piece !== null) {
        yield piece;
        continue;
      }
      if (outcome instanceof Error) throw outcome;
      if (outcome === null) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    wake = undefined;
    stream.off('readable', next);
    signal.removeEventListener('abort', next);
    stopWatching();
  }
}

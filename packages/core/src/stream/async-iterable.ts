import type { StreamSession } from '../engine/stream-session.js';
import { invalid } from '../assert.js';
import { idleBounded } from './idle-timer.js';

/** Drives a session from an async (or sync) iterable of byte chunks; see IdleTimer for `idleTimeoutMs`. */
export async function* sessionIterable(
  session: StreamSession,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  idleTimeoutMs?: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let settled = false;
  try {
    for await (const chunk of idleTimeoutMs === undefined ? source : idleBounded(source, idleTimeoutMs)) {
      if (!(chunk instanceof Uint8Array)) throw invalid('iterable chunk', 'a Uint8Array', chunk);
      yield* await session.push(chunk);
    }
    yield* await session.end();
    settled = true;
  } catch (error) {
    settled = true;
    session.fail(error);
    throw error;
  } finally {
    // A consumer that stops early (break, return) ends up here without either.
    if (!settled) session.abandon();
  }
}

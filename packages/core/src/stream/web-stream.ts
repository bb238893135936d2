import type { StreamSession } from '../engine/stream-session.js';
import { invalid } from '../assert.js';
import { IdleTimer } from './idle-timer.js';

/**
 * A WHATWG `TransformStream` over a session (Uint8Array in, Uint8Array out).
 * `idleTimeoutMs`: fail with ERR_TIMEOUT when the source stalls that long (see IdleTimer).
 */
export function sessionTransformStream(
  session: StreamSession,
  idleTimeoutMs?: number,
): TransformStream<Uint8Array, Uint8Array> {
  let idle: IdleTimer | undefined;
  const emit = (controller: TransformStreamDefaultController<Uint8Array>, pieces: Uint8Array[]): void => {
    for (const piece of pieces) controller.enqueue(piece);
  };
  const step = async (
    controller: TransformStreamDefaultController<Uint8Array>,
    run: () => Uint8Array[] | Promise<Uint8Array[]>,
  ): Promise<void> => {
    idle?.disarm();
    try {
      emit(controller, await run());
    } catch (error) {
      idle?.stop();
      session.fail(error);
      throw error;
    }
    idle?.arm();
  };
  // `cancel` (Node 20+, WHATWG 2023) is not in this TypeScript lib's Transformer yet.
  const transformer: ConstructorParameters<typeof TransformStream<Uint8Array, Uint8Array>>[0] & {
    cancel(reason: unknown): void;
  } = {
    start: (controller) => {
      if (idleTimeoutMs === undefined) return;
      // The consumer is behind while a piece it has not read waits in the readable queue
      // (its high-water mark is 1 below, so an empty queue reads 1 and a full one 0 or less).
      idle = new IdleTimer(
        idleTimeoutMs,
        (error) => {
          session.fail(error);
          controller.error(error);
        },
        () => (controller.desiredSize ?? 0) <= 0,
      );
      idle.arm();
    },
    transform: (chunk, controller) =>
      step(controller, () => {
        if (!(chunk instanceof Uint8Array)) throw invalid('web stream chunk', 'a Uint8Array', chunk);
        return session.push(chunk);
      }),
    flush: (controller) => {
      idle?.stop();
      return step(controller, () => session.end());
    },
    // The reader cancelled or the writer aborted: drop an offloaded body (it wipes its key copy).
    cancel: () => {
      idle?.stop();
      session.abandon();
    },
  };
  // With a timer: a readable high-water mark of 1 piece (the default is 0), so the queue
  // tells a reader that is waiting (an empty queue under the mark) from one that is not.
  return idleTimeoutMs === undefined
    ? new TransformStream<Uint8Array, Uint8Array>(transformer)
    : new TransformStream<Uint8Array, Uint8Array>(transformer, undefined, { highWaterMark: 1 });
}

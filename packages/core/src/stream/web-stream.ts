import type { StreamSession } from '../engine/stream-session.js';
import { invalid } from '../assert.js';

/** A WHATWG `TransformStream` over a session (Uint8Array in, Uint8Array out). */
export function sessionTransformStream(session: StreamSession): TransformStream<Uint8Array, Uint8Array> {
  const emit = (controller: TransformStreamDefaultController<Uint8Array>, pieces: Uint8Array[]): void => {
    for (const piece of pieces) controller.enqueue(piece);
  };
  const step = async (controller: TransformStreamDefaultController<Uint8Array>, run: () => Uint8Array[] | Promise<Uint8Array[]>): Promise<void> => {
    try {
      emit(controller, await run());
    } catch (error) {
      session.fail(error);
      throw error;
    }
  };
  // `cancel` (Node 20+, WHATWG 2023) is not in this TypeScript lib's Transformer yet.
  const transformer: ConstructorParameters<typeof TransformStream<Uint8Array, Uint8Array>>[0] & { cancel(reason: unknown): void } = {
    transform: (chunk, controller) =>
      step(controller, () => {
        if (!(chunk instanceof Uint8Array)) throw invalid('web stream chunk', 'a Uint8Array', chunk);
        return session.push(chunk);
      }),
    flush: (controller) => step(controller, () => session.end()),
    // The reader cancelled or the writer aborted: drop an offloaded body (it wipes its key copy).
    cancel: () => session.abandon(),
  };
  return new TransformStream<Uint8Array, Uint8Array>(transformer);
}

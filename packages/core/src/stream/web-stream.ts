import type { StreamSession } from '../engine/stream-session.js';

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
  return new TransformStream<Uint8Array, Uint8Array>({
    transform: (chunk, controller) => {
      if (!(chunk instanceof Uint8Array)) throw new TypeError('sealflow web streams take Uint8Array chunks');
      return step(controller, () => session.push(chunk));
    },
    flush: (controller) => step(controller, () => session.end()),
  });
}

import type { Contestant } from './contestants.js';
import type { CrossCheckRecord } from './results.js';

/** One way a contestant's bytes and another's decryption disagreed. */
export interface CrossCheckFailure {
  readonly producer: string;
  readonly consumer: string | undefined;
  readonly reason: string;
}

/** Thrown when any pair fails: the bench never times contestants that disagree. */
export class CrossCheckError extends Error {
  readonly failures: readonly CrossCheckFailure[];

  constructor(workload: string, failures: readonly CrossCheckFailure[]) {
    const lines = failures.map(
      (f) => `  ${f.producer}${f.consumer === undefined ? '' : ` -> ${f.consumer}`}: ${f.reason}`,
    );
    super(`cross-check failed for ${workload}:\n${lines.join('\n')}`);
    this.failures = failures;
  }
}

const same = (a: Uint8Array, b: Uint8Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Before anything is timed: each contestant encrypts `plaintext` (under the fixed
 * materials where it can), every contestant that can open those bytes decrypts them and
 * must get `plaintext` back, and every `raw` or `sealflow` contestant must have written
 * exactly the bytes the first sealflow contestant wrote.
 * @throws {CrossCheckError} listing every failing pair.
 */
export async function crossCheck(
  workload: string,
  contestants: readonly Contestant[],
  plaintext: Uint8Array,
): Promise<CrossCheckRecord> {
  const failures: CrossCheckFailure[] = [];
  const outputs = new Map<Contestant, Uint8Array>();
  for (const producer of contestants) {
    try {
      outputs.set(producer, await producer.encryptFixed(plaintext));
    } catch (error) {
      failures.push({ producer: producer.name, consumer: undefined, reason: `encrypt failed: ${describe(error)}` });
    }
  }
  const reference = [...outputs].find(([c]) => c.family === 'sealflow');
  const identical: string[] = [];
  let pairs = 0;
  for (const [producer, bytes] of outputs) {
    if (reference !== undefined && producer.family !== 'peer') {
      if (same(bytes, reference[1])) identical.push(producer.name);
      else
        failures.push({
          producer: producer.name,
          consumer: undefined,
          reason: `bytes differ from ${reference[0].name}'s under the same message ID and data key`,
        });
    }
    for (const consumer of contestants) {
      if (!consumer.opens(producer)) continue;
      pairs++;
      try {
        const opened = await consumer.decrypt(bytes);
        if (!same(opened, plaintext))
          failures.push({
            producer: producer.name,
            consumer: consumer.name,
            reason: `decrypted ${opened.length} bytes that differ from the ${plaintext.length}-byte plaintext`,
          });
      } catch (error) {
        failures.push({
          producer: producer.name,
          consumer: consumer.name,
          reason: `decrypt failed: ${describe(error)}`,
        });
      }
    }
  }
  if (failures.length > 0) throw new CrossCheckError(workload, failures);
  return { workload, contestants: contestants.map((c) => c.name), pairs, identicalToSealflow: identical };
}

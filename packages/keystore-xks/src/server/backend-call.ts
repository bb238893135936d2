import { XksBackendError } from '../backend/key-backend.js';
import { XksRequestError } from './xks-error.js';

/**
 * Runs one backend call under a deadline and maps its failure to an XKS error:
 * an {@link XksBackendError} keeps its name, a deadline miss is
 * `DependencyTimeoutException` (503), anything else `InternalException` (500).
 * The underlying call is not cancelled (backends take no signal); its late result is dropped.
 * @throws {XksRequestError}
 */
export async function callBackend<T>(what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new XksRequestError(
          'DependencyTimeoutException',
          'the key manager did not answer in time',
          `${what}: no answer within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
  });
  const work = Promise.resolve().then(call);
  // The losing promise's rejection is observed here so it is never unhandled.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    if (error instanceof XksRequestError) throw error;
    if (error instanceof XksBackendError)
      throw new XksRequestError(error.errorName, error.message, `${what}: ${error.message}`);
    throw new XksRequestError(
      'InternalException',
      'the key manager failed',
      `${what}: ${error instanceof Error ? error.message : 'non-error thrown'}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

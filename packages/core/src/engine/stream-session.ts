import { isSealflowError } from '../errors.js';
import { Channels, publish } from '../events.js';
import { type DecryptedHeader, type DecryptPlan, DecryptSession } from './decrypt-session.js';
import type { EngineCore } from './engine-core.js';
import { EncryptSession, type EncryptPlan } from './encrypt-session.js';

/**
 * The one shape every stream adapter drives: chunks in, output pieces out. `push` and
 * `end` return synchronously on the hot path and a promise only while a key-store call is
 * pending (the first chunk of an encrypt, the header of a decrypt).
 */
export interface StreamSession {
  push(chunk: Uint8Array): Uint8Array[] | Promise<Uint8Array[]>;
  end(): Uint8Array[] | Promise<Uint8Array[]>;
  /** Records a failure (stats, event) and drops what the session holds. */
  fail(error: unknown): void;
  /**
   * The consumer stopped early (a `break`, a destroyed stream): drops an offloaded body,
   * which wipes its key copy. Not counted as a failure; harmless after `end`.
   */
  abandon(): void;
}

const codeOf = (error: unknown): string => (isSealflowError(error) ? error.code : 'ERR_UNKNOWN');

/** An encrypt session that opens (fetches its data key) on first use. */
export function encryptStreamSession(core: EngineCore, plan: EncryptPlan): StreamSession {
  let session: EncryptSession | undefined;
  let opening: Promise<EncryptSession> | undefined;
  const open = (): Promise<EncryptSession> => (opening ??= EncryptSession.open(core, plan).then((s) => (session = s)));
  return {
    push(chunk) {
      if (session !== undefined) return session.push(chunk);
      return open().then((s) => s.push(chunk));
    },
    end() {
      if (session !== undefined) return session.end();
      return open().then((s) => s.end());
    },
    fail(error) {
      if (session !== undefined) session.fail(codeOf(error));
      else {
        // Failed before the session opened (its key-store call failed or is still
        // pending): counted and published here, as the session would have.
        core.stats.encryptFailures++;
        publish(Channels.failure, { operation: 'encrypt', code: codeOf(error) });
        // A session that opens after all is dropped at once (an offloaded body wipes its key copy).
        opening?.then(
          (s) => s.abandon(),
          () => {},
        );
      }
    },
    abandon() {
      // Still opening (the key-store call is pending): abandon the session once it exists.
      if (session !== undefined) session.abandon();
      else
        opening?.then(
          (s) => s.abandon(),
          () => {},
        );
    },
  };
}

/** A decrypt session; `onHeader` runs once the header authenticated, before any plaintext. */
export function decryptStreamSession(
  core: EngineCore,
  plan: DecryptPlan,
  onHeader?: (header: DecryptedHeader) => void,
): StreamSession {
  const session = new DecryptSession(core, plan, { offload: true });
  return {
    push(chunk) {
      if (session.header !== undefined) return session.pushBody(chunk);
      return session.push(chunk).then((out) => {
        if (session.header !== undefined) onHeader?.(session.header);
        return out;
      });
    },
    end() {
      return session.end();
    },
    fail(error) {
      session.fail(codeOf(error));
    },
    abandon() {
      session.abandon();
    },
  };
}

// In-process helpers that read what the CLI wrote, independently of the CLI: the same
// store file opened with @sealflow/keystore-memory, and the core engine.
import { randomBytes } from 'node:crypto';
import { createEngine, KmsKeyStore } from '@sealflow/core';
import { MemoryKms } from '@sealflow/keystore-memory';
import { PASSPHRASE } from './run-cli.js';

/** Pseudo-random bytes of `size` (incompressible; a failure shows which byte differs). */
export function bytes(size: number): Buffer {
  return randomBytes(size);
}

/** Decrypts `message` with the core engine over the sandbox's store file (discovery). */
export async function decryptInProcess(
  keystore: string,
  message: Uint8Array,
): Promise<{ plaintext: Uint8Array; context: Readonly<Record<string, string>> }> {
  const kms = await MemoryKms.open({ path: keystore, passphrase: PASSPHRASE });
  try {
    const engine = createEngine({ keyStore: new KmsKeyStore({ client: kms, discovery: true }) });
    const { plaintext, context } = await engine.decrypt(message);
    await engine.close();
    return { plaintext, context };
  } finally {
    await kms.close();
  }
}

// @sealflow/native: ring's AES-GCM through napi-rs. Importing this module registers the
// `native` backend with @sealflow/core when the binary loads (then `auto`, the default,
// is native); when it is absent, nothing registers and nothing throws.
import { registerCipherBackend, type CipherBackend } from '@sealflow/core';
import { loadBinding, type NativeBinding } from './binding.js';
import { createNativeBackend } from './native-backend.js';

export type { NativeBinding, NativeFrameJobHandle, NativeKeyHandle } from './binding.js';
export { nativeKeyHandle } from './native-backend.js';
export { FRAME_JOB_CLAIM_BYTES, settleFrameJob } from './frame-job.js';

/** The loaded napi module, or undefined when no binary exists for this machine. */
export const nativeBinding: NativeBinding | undefined = loadBinding();

/** The native CipherBackend, or undefined when the binary is absent. */
export const nativeBackend: CipherBackend | undefined =
  nativeBinding === undefined ? undefined : createNativeBackend(nativeBinding);

if (nativeBackend !== undefined) registerCipherBackend('native', nativeBackend);

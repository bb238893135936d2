import { createRequire } from 'node:module';

/** An AES-GCM key imported into the native code (16 or 32 bytes). */
export interface NativeKeyHandle {
  readonly __nativeKey: never;
}

/** A job of frames several pool tasks share (src/job_binding.rs). */
export interface NativeFrameJobHandle {
  /** Once every task settled: throws `FRAME_SEQUENCE: ...` or `AUTHENTICATION_FAILED: ...` for the lowest failing frame. */
  outcome(): void;
}

/** Which frames a batch or job covers: the key, the message ID, the frame length and the first sequence number. */
type Frames = [key: NativeKeyHandle, messageId: Uint8Array, frameLength: number, first: number];

/**
 * The napi module's surface (src/lib.rs). Every batch call reads `input` and writes
 * `output`, which must not overlap. Jobs run on the libuv thread pool: the caller owns
 * neither buffer until every task of the job settled (no reads of `output`, no writes to
 * either).
 */
export interface NativeBinding {
  NativeKey: new (raw: Uint8Array) => NativeKeyHandle;
  sealFramesSync(...args: [...Frames, input: Uint8Array, output: Uint8Array]): number;
  openFramesSync(...args: [...Frames, input: Uint8Array, output: Uint8Array]): number;
  /**
   * One message's frames for `runFrameJob` tasks: `input` holds whole frames (plaintext
   * frames to seal, or regular frames to open), `output` room for all of them; a task
   * claims `claimBytes` of input at a time (at least a frame).
   */
  NativeFrameJob: {
    new (
      open: boolean,
      ...args: [...Frames, input: Uint8Array, output: Uint8Array, claimBytes: number]
    ): NativeFrameJobHandle;
    /**
     * The same over an input in pieces, read where they are (frames may span pieces): the
     * caller owns every piece until every task of the job settled.
     */
    fromPieces(
      open: boolean,
      ...args: [...Frames, pieces: Uint8Array[], output: Uint8Array, claimBytes: number]
    ): NativeFrameJobHandle;
  };
  /**
   * A libuv pool task claiming and running the job's frames until none is left (false) or
   * it did `budgetBytes` of input (true: queue it again). Never rejects on bad frames: see
   * `outcome`.
   */
  runFrameJob(job: NativeFrameJobHandle, budgetBytes: number): Promise<boolean>;
  sealOne(key: NativeKeyHandle, iv: Uint8Array, aad: Uint8Array, input: Uint8Array, output: Uint8Array): void;
  openOne(
    key: NativeKeyHandle,
    iv: Uint8Array,
    aad: Uint8Array,
    ciphertext: Uint8Array,
    tag: Uint8Array,
    output: Uint8Array,
  ): boolean;
}

/** The napi-rs per-platform suffix (`linux-x64-gnu`, `darwin-arm64`, ...). */
function platformSuffix(): string {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return `linux-${arch}-${report?.header?.glibcVersionRuntime === undefined ? 'musl' : 'gnu'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/**
 * Loads the binary: the one `npm run setup` built beside this package
 * (`sealflow-native.node`), else the per-platform prebuilt package napi-rs publishes
 * (`@sealflow/native-<platform>`). `undefined` when neither is there, or when the
 * environment has `SEALFLOW_NATIVE=off`: the engine then uses node:crypto, with no error.
 */
export function loadBinding(): NativeBinding | undefined {
  // An opt-out (and the test seam for "the native code did not load"): node:crypto, no error.
  if (process.env['SEALFLOW_NATIVE'] === 'off') return undefined;
  const require = createRequire(import.meta.url);
  const candidates = ['../sealflow-native.node', `@sealflow/native-${platformSuffix()}`];
  for (const candidate of candidates) {
    try {
      return require(candidate) as NativeBinding;
    } catch {
      // Absent or built for another platform: try the next one.
    }
  }
  return undefined;
}

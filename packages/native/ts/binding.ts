import { createRequire } from 'node:module';

/** An AES-GCM key imported into the native code (16 or 32 bytes). */
export interface NativeKeyHandle {
  readonly __nativeKey: never;
}

/**
 * The napi module's surface (src/lib.rs). Every batch call reads `input` and writes
 * `output`, which must not overlap. Async calls run on the libuv thread pool: the caller
 * owns neither buffer until the promise settles (no reads of `output`, no writes to
 * either).
 */
export interface NativeBinding {
  NativeKey: new (raw: Uint8Array) => NativeKeyHandle;
  sealFramesSync(
    key: NativeKeyHandle,
    messageId: Uint8Array,
    frameLength: number,
    first: number,
    input: Uint8Array,
    output: Uint8Array,
  ): number;
  sealFrames(
    key: NativeKeyHandle,
    messageId: Uint8Array,
    frameLength: number,
    first: number,
    input: Uint8Array,
    output: Uint8Array,
  ): Promise<number>;
  openFramesSync(
    key: NativeKeyHandle,
    messageId: Uint8Array,
    frameLength: number,
    first: number,
    input: Uint8Array,
    output: Uint8Array,
  ): number;
  openFrames(
    key: NativeKeyHandle,
    messageId: Uint8Array,
    frameLength: number,
    first: number,
    input: Uint8Array,
    output: Uint8Array,
  ): Promise<number>;
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

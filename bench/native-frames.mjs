#!/usr/bin/env node
// Short native-backend bench (separate from the bench's full run): one thread, 64 KiB
// frames. Rows: raw node:crypto sealing the same frames (a cipher per frame, fresh output
// per update), the native batch into a reused output, the native batch split into N
// tasks on the libuv pool, engine.encrypt/decrypt one-shot with the native and node
// backends, a stream through encryptStream, and `openssl speed` as the hardware bound.
// Usage: node bench/native-frames.mjs [MiB=64] [streamMiB=256]
import { execFileSync } from 'node:child_process';
import { createCipheriv, randomFillSync } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createEngine, RawAesKeyStore } from '../packages/core/dist/index.js';
import { nativeBinding } from '../packages/native/dist/index.js';

if (nativeBinding === undefined) throw new Error('build @sealflow/native first (npm run setup, needs cargo)');
const MiB = 1024 * 1024;
const size = Number(process.argv[2] ?? 64) * MiB;
const streamSize = Number(process.argv[3] ?? 256) * MiB;
const FL = 64 * 1024;
const UNIT = FL + 32;
const frames = size / FL;
const key = randomFillSync(new Uint8Array(32));
const id = randomFillSync(new Uint8Array(32));
const input = randomFillSync(Buffer.allocUnsafe(size));
const output = Buffer.alloc(frames * UNIT);

function best(fn, runs = 5) {
  let bestMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    bestMs = Math.min(bestMs, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return bestMs;
}
async function bestAsync(fn, runs = 5) {
  let bestMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    bestMs = Math.min(bestMs, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return bestMs;
}
const rows = [];
const row = (name, bytes, ms) => rows.push({ name, 'GiB/s': (bytes / (1024 * MiB) / (ms / 1000)).toFixed(2) });

const aad = Buffer.alloc(32 + 28 + 12);
id.forEach((b, i) => (aad[i] = b));
Buffer.from('AWSKMSEncryptionClient Frame').copy(aad, 32);
aad.writeBigUInt64BE(BigInt(FL), 64);
row(
  'raw node:crypto, a cipher per frame',
  size,
  best(() => {
    for (let i = 0; i < frames; i++) {
      const iv = Buffer.alloc(12);
      iv.writeUInt32BE(i + 1, 8);
      aad.writeUInt32BE(i + 1, 60);
      const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
      output.set(c.update(input.subarray(i * FL, (i + 1) * FL)), i * UNIT + 16);
      c.final();
      output.set(c.getAuthTag(), i * UNIT + 16 + FL);
    }
  }),
);
const nk = new nativeBinding.NativeKey(key);
row(
  'native batch, sync, reused output',
  size,
  best(() => nativeBinding.sealFramesSync(nk, id, FL, 1, input, output)),
);
row(
  'native batch, sync, fresh output',
  size,
  best(() => nativeBinding.sealFramesSync(nk, id, FL, 1, input, Buffer.allocUnsafeSlow(frames * UNIT))),
);
const sealed = Buffer.from(output);
const opened = Buffer.alloc(size);
row(
  'native open batch, sync, reused output',
  size,
  best(() => nativeBinding.openFramesSync(nk, id, FL, 1, sealed, opened)),
);
for (const tasks of [1, 2]) {
  const per = frames / tasks;
  row(
    `native batch, async, ${tasks} libuv task(s)`,
    size,
    await bestAsync(() =>
      Promise.all(
        Array.from({ length: tasks }, (_, t) =>
          nativeBinding.sealFrames(
            nk,
            id,
            FL,
            1 + t * per,
            input.subarray(t * per * FL, (t + 1) * per * FL),
            output.subarray(t * per * UNIT, (t + 1) * per * UNIT),
          ),
        ),
      ),
    ),
  );
}

const store = new RawAesKeyStore({ namespace: 'bench', name: 'k', key: randomFillSync(new Uint8Array(32)) });
for (const backend of ['node', 'native']) {
  const engine = createEngine({ keyStore: store, frameLength: FL, backend });
  row(`engine.encrypt one-shot, ${backend}`, size, await bestAsync(() => engine.encrypt(input), 3));
  const message = await engine.encrypt(input);
  row(`engine.decrypt one-shot, ${backend}`, size, await bestAsync(() => engine.decrypt(message), 3));
  const chunk = input.subarray(0, FL);
  row(
    `engine.encryptStream ${streamSize / MiB} MiB, ${backend}`,
    streamSize,
    await bestAsync(
      () =>
        pipeline(
          Readable.from(
            (function* () {
              for (let o = 0; o < streamSize; o += FL) yield chunk;
            })(),
          ),
          engine.encryptStream(),
          new Writable({
            write(_c, _e, cb) {
              cb();
            },
          }),
        ),
      1,
    ),
  );
}
try {
  const out = execFileSync('openssl', ['speed', '-evp', 'aes-256-gcm', '-bytes', String(FL), '-seconds', '2'], {
    encoding: 'utf8',
    stderr: 'ignore',
  });
  const line = out.split('\n').find((l) => l.startsWith('AES-256-GCM') || l.startsWith('aes-256-gcm'));
  const kbs = Number(line?.trim().split(/\s+/).pop()?.replace('k', ''));
  if (Number.isFinite(kbs))
    rows.push({
      name: 'openssl speed -evp aes-256-gcm, 64 KiB blocks',
      'GiB/s': ((kbs * 1000) / (1024 * MiB)).toFixed(2),
    });
} catch {
  rows.push({ name: 'openssl speed', 'GiB/s': 'n/a' });
}
console.table(rows);

// The test page's script: bundled by esbuild from `@sealflow/core` as a browser resolves it
// (the `browser` export condition), run in Chromium. Node drives it through Playwright.
import { createEngine, fetchKmsClient, KmsKeyStore, RawAesKeyStore, type KeyStore } from '@sealflow/core';
import { PAGE_GLOBAL, type PageResult, type PageTask } from './page-task.js';
import { patternBytes } from './pattern.js';

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function storeFor(task: PageTask): KeyStore {
  if (task.store === 'raw-aes')
    return new RawAesKeyStore({ namespace: 'sealflow-browser', name: 'page-key', key: fromBase64(task.aesKey ?? '') });
  // Same origin: the test server forwards /kms to a KMS-compatible endpoint.
  const client = fetchKmsClient({
    endpoint: new URL('/kms', (globalThis as unknown as { location: { href: string } }).location.href).href,
  });
  return new KmsKeyStore({ client, keyId: task.kmsKeyId ?? '', keyIds: [task.kmsKeyId ?? ''] });
}

function sourceOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

async function upload(path: string, pieces: readonly Uint8Array[]): Promise<number> {
  const body = new Blob(pieces as Uint8Array<ArrayBuffer>[]);
  const response = await fetch(path, { method: 'POST', body });
  if (!response.ok) throw new Error(`upload ${path}: HTTP ${response.status}`);
  return body.size;
}

async function run(task: PageTask): Promise<PageResult> {
  const engine = createEngine({ keyStore: storeFor(task), suite: task.suite });
  try {
    if (task.op === 'encrypt') {
      const size = task.size ?? 0;
      const step = task.chunkSize ?? 1024 * 1024;
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < size; at += step) {
        chunks.push(patternBytes(at, Math.min(step, size - at)));
      }
      const started = performance.now();
      const sealed = await collect(
        sourceOf(chunks).pipeThrough(
          engine.encryptWebStream({
            context: task.context,
            suite: task.suite,
            ...(task.frameLength === undefined ? {} : { frameLength: task.frameLength }),
          }),
        ),
      );
      const ms = performance.now() - started;
      return { inputBytes: size, outputBytes: await upload(task.upload, sealed), ms };
    }
    const response = await fetch(task.source ?? '');
    if (!response.ok) throw new Error(`GET ${task.source}: HTTP ${response.status}`);
    const message = new Uint8Array(await response.arrayBuffer());
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < message.length; at += 1024 * 1024) chunks.push(message.subarray(at, at + 1024 * 1024));
    const started = performance.now();
    const plaintext = await collect(
      sourceOf(chunks).pipeThrough(engine.decryptWebStream({ expectContext: task.context })),
    );
    const ms = performance.now() - started;
    return { inputBytes: message.length, outputBytes: await upload(task.upload, plaintext), ms };
  } finally {
    await engine.close();
  }
}

(globalThis as Record<string, unknown>)[PAGE_GLOBAL] = { run };

// The browser page of examples/browser-page.ts: @sealflow/core's browser entry (WebCrypto
// and Web Streams, no node: module) seals a file the user picks and opens it again, all in
// the page. The wrapping key is made here and never leaves the page.
import { createEngine, RawAesKeyStore } from '@sealflow/core';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const output = $<HTMLPreElement>('output');

async function sealAndOpen(file: Blob, name: string): Promise<void> {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const engine = createEngine({ keyStore: new RawAesKeyStore({ namespace: 'example', name: 'page-key', key }) });
  key.fill(0); // the store keeps its own copy
  const context = { file: name };
  // Stream the file through the encryptor: the page never holds the plaintext whole.
  const sealed = await new Response(file.stream().pipeThrough(engine.encryptWebStream({ context }))).bytes();
  const opened = await new Response(
    new Blob([sealed]).stream().pipeThrough(engine.decryptWebStream({ expectContext: context })),
  ).bytes();
  const original = new Uint8Array(await file.arrayBuffer());
  const same = opened.length === original.length && opened.every((b, i) => b === original[i]);
  output.dataset['sealed'] = btoa(String.fromCharCode(...sealed.subarray(0, 4096)));
  output.textContent = `${name}: ${file.size} bytes sealed into ${sealed.length} (suite 0x0478, 1 EDK "example")\n`;
  output.textContent += `opened again: ${same ? 'identical' : 'DIFFERENT'}`;
  await engine.close();
}

$<HTMLInputElement>('file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file === undefined) return;
  sealAndOpen(file, file.name).catch((error: unknown) => {
    output.textContent = `failed: ${error instanceof Error ? error.message : String(error)}`;
  });
});
$<HTMLButtonElement>('sample').addEventListener('click', () => {
  sealAndOpen(new Blob(['quarter,revenue\nq4,42\n'.repeat(5000)]), 'sample.csv').catch((error: unknown) => {
    output.textContent = `failed: ${String(error)}`;
  });
});

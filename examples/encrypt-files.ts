// Encrypt files under a key of the in-process KMS (persisted in one sealed file), then
// decrypt one whole and read a range of another. Run: node examples/dist/encrypt-files.js [FOLDER]
import { createReadStream, createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createEngine, fileSource, KmsKeyStore } from '@sealflow/core';
import { MemoryKms } from '@sealflow/keystore-memory';

const folder = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'sealflow-example-'));
console.log(`working in ${folder}`);
const kms = await MemoryKms.open({
  path: join(folder, 'kms.json'),
  passphrase: 'example passphrase (use a real secret)',
  region: 'us-east-1',
});
const { KeyMetadata } = await kms.createKey({ Description: 'files' });
const keyArn = KeyMetadata?.Arn as string;
const engine = createEngine({ keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }) });

for (const name of ['a.txt', 'b.txt']) {
  writeFileSync(join(folder, name), `${name}: ${'hello sealflow '.repeat(5000)}`);
  const context = { file: name }; // authenticated, never secret
  await pipeline(
    createReadStream(join(folder, name)),
    engine.encryptStream({ context }),
    createWriteStream(join(folder, `${name}.sealed`)),
  );
}

// Decrypt a.txt whole, checking the context it was sealed with.
const decrypt = engine.decryptStream({ expectContext: { file: 'a.txt' } }).once('header', (header) => {
  console.log(`a.txt.sealed: context ${JSON.stringify(header.context)}`);
});
await pipeline(createReadStream(join(folder, 'a.txt.sealed')), decrypt, createWriteStream(join(folder, 'a.out')));
const same = (await readFile(join(folder, 'a.out'))).equals(await readFile(join(folder, 'a.txt')));
console.log(`a.txt round trip: ${same ? 'identical' : 'DIFFERENT'}`);

// Read bytes 7..19 of b.txt (end exclusive) without decrypting the rest.
const slice = await engine.decryptRange(fileSource(join(folder, 'b.txt.sealed')), { start: 7, end: 20 });
console.log(`b.txt bytes [7, 20): ${JSON.stringify(Buffer.from(slice).toString())}`);

await engine.close();
await kms.close();
if (!same) process.exitCode = 1;

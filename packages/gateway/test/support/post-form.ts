import { authenticatePostObject, type PostObjectAuth } from '@sealflow/gateway';
import { credentials, pieces, REGION } from './replay.js';

/** A multipart/form-data body as undici's FormData encodes it (what a browser sends). */
export async function encodeForm(
  fields: Readonly<Record<string, string>>,
  file: { name?: string; bytes: Uint8Array; type?: string } | undefined,
): Promise<{ contentType: string; body: Buffer }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file !== undefined)
    form.append(
      'file',
      new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }),
      file.name ?? 'photo.txt',
    );
  const response = new Response(form);
  return { contentType: response.headers.get('content-type') ?? '', body: Buffer.from(await response.arrayBuffer()) };
}

export interface PostOutcome {
  readonly auth: PostObjectAuth;
  readonly data: Buffer;
}

/** Runs a form through `authenticatePostObject` and reads the file to completion. */
export async function runPost(
  form: { contentType: string; body: Buffer },
  options: { bucket?: string; now?: number; sizes?: number[] } = {},
): Promise<PostOutcome> {
  const auth = await authenticatePostObject(
    { bucket: options.bucket ?? 'bucket', headers: { 'content-type': form.contentType }, secure: true },
    pieces(form.body, options.sizes ?? [7, 1000]),
    credentials,
    { region: REGION, now: () => options.now ?? Date.now() },
  );
  const parts: Buffer[] = [];
  for await (const part of auth.body) parts.push(Buffer.from(part));
  return { auth, data: Buffer.concat(parts) };
}

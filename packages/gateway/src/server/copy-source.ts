import { s3Error } from '@sealflow/s3';

/**
 * Reads `x-amz-copy-source`: `bucket/key` or `/bucket/key`, URL-encoded, optionally with
 * `?versionId=` (only `null` is accepted: the gateway keeps no versions).
 * @throws {S3Error} 400 `InvalidArgument` for a malformed value.
 */
export function parseCopySource(value: string): { bucket: string; key: string } {
  const bad = (): Error =>
    s3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {
      fields: { ArgumentName: 'x-amz-copy-source' },
    });
  const q = value.indexOf('?');
  const path = (q < 0 ? value : value.slice(0, q)).replace(/^\//, '');
  if (q >= 0) {
    const params = new URLSearchParams(value.slice(q + 1));
    const version = params.get('versionId');
    if (version !== null && version !== 'null')
      throw s3Error('NotImplemented', 'Object versions are not supported by this gateway.');
  }
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw bad();
  try {
    return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)) };
  } catch {
    throw bad();
  }
}

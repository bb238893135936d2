import { s3Error } from '../errors/s3-error.js';
import { header, type RequestHeaders } from '../rules/sse-headers.js';
import { BlobNames } from './blob-names.js';
import { etagListMatches } from './conditional-request.js';
import { decodeObjectRecord, encodeObjectRecord, type ObjectRecord } from './object-record.js';
import type { ServiceCore } from './service-core.js';

/**
 * A PutObject / CompleteMultipartUpload precondition (S3 conditional writes):
 * `If-None-Match: *` (write only if no object has the key) and `If-Match: <etag>` (write
 * only over the object with that ETag).
 */
export interface WriteCondition {
  readonly ifNoneMatch: boolean;
  readonly ifMatch: string | undefined;
}

/**
 * The write condition of a request, or undefined. S3 takes only `*` in `If-None-Match` on
 * writes; any other value implies functionality it does not implement.
 * @throws {S3Error} 501 NotImplemented for an `If-None-Match` other than `*`
 */
export function parseWriteCondition(headers: RequestHeaders): WriteCondition | undefined {
  const ifNoneMatch = header(headers, 'if-none-match');
  const ifMatch = header(headers, 'if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*')
    throw s3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', {
      fields: { Header: 'If-None-Match' },
    });
  return { ifNoneMatch: ifNoneMatch !== undefined, ifMatch };
}

/**
 * Checks `condition` against the current object. At the start of a write a missing object
 * under `If-Match` is 404 NoSuchKey (as S3 answers); at the commit it means the object was
 * deleted while the write ran, which S3 answers 409 ConditionalRequestConflict. Of
 * concurrent conditional writes the first to commit wins and the others fail 412.
 * @throws {S3Error} PreconditionFailed, NoSuchKey, ConditionalRequestConflict
 */
export function assertWriteCondition(
  condition: WriteCondition,
  current: Pick<ObjectRecord, 'etag'> | undefined,
  phase: 'start' | 'commit',
  resource: string,
): void {
  if (condition.ifNoneMatch && current !== undefined)
    throw s3Error('PreconditionFailed', undefined, { resource, fields: { Condition: 'If-None-Match' } });
  if (condition.ifMatch === undefined) return;
  if (current === undefined) {
    if (phase === 'start') throw s3Error('NoSuchKey', 'The specified key does not exist.', { resource });
    throw s3Error('ConditionalRequestConflict', undefined, { resource });
  }
  if (!etagListMatches(condition.ifMatch, current.etag, false))
    throw s3Error('PreconditionFailed', undefined, { resource, fields: { Condition: 'If-Match' } });
}

function conditionalPut(core: ServiceCore): NonNullable<ServiceCore['store']['putConditionally']> {
  const put = core.store.putConditionally;
  // A store without an atomic check-and-replace would make the condition a racy read:
  // refuse rather than pretend (the README lists which backends take conditional writes).
  if (put === undefined)
    throw s3Error('NotImplemented', 'Conditional writes are not supported by this storage backend.', {
      fields: { Header: 'If-Match/If-None-Match' },
    });
  return put.bind(core.store);
}

/**
 * Before a conditional write reads its body: the backend must commit conditionally (else
 * 501), and the condition must hold now (fail fast; it is checked again at the commit).
 * @throws {S3Error}
 */
export async function precheckWriteCondition(
  core: ServiceCore,
  bucket: string,
  key: string,
  condition: WriteCondition,
): Promise<void> {
  conditionalPut(core);
  assertWriteCondition(condition, await core.record(bucket, key), 'start', `/${bucket}/${key}`);
}

/**
 * Commits `record` only if `condition` holds against the record in place, atomically (the
 * store's `putConditionally`). Resolves to the record it replaced.
 * @throws {S3Error} PreconditionFailed, ConditionalRequestConflict, NotImplemented
 */
export async function commitConditionally(
  core: ServiceCore,
  bucket: string,
  record: ObjectRecord,
  condition: WriteCondition,
): Promise<ObjectRecord | undefined> {
  const put = conditionalPut(core);
  let previous: ObjectRecord | undefined;
  await put(BlobNames.object(bucket, record.key), [encodeObjectRecord(record)], (current) => {
    previous = current === undefined ? undefined : decodeObjectRecord(current);
    assertWriteCondition(condition, previous, 'commit', `/${bucket}/${record.key}`);
  });
  return previous;
}

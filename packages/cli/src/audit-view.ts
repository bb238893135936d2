import type { KmsAuditRecord } from '@sealflow/keystore-memory';

/** The key ID part of a key ARN (the ARN itself when it is not one). */
function shortKey(arn: string): string {
  const at = arn.lastIndexOf(':key/');
  return at === -1 ? arn : arn.slice(at + 5);
}

/**
 * One audit record as a line: time, operation, outcome, key, caller, context. The
 * context is shown because it is what the record is for (who used which key for which
 * object); it is authenticated metadata, never secret by design.
 */
export function renderAuditLine(record: KmsAuditRecord): string {
  const keys = record.resources.map((r) => shortKey(r.ARN));
  const requested = record.requestParameters.keyId;
  const key = keys.length > 0 ? keys.join(',') : (requested ?? '-');
  const outcome = record.errorCode === undefined ? 'ok' : record.errorCode;
  const context = record.requestParameters.encryptionContext;
  const pairs =
    context === undefined
      ? ''
      : `  ${Object.entries(context)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`;
  return `${record.eventTime}  ${record.eventName.padEnd(20)} ${outcome.padEnd(3)}  key ${key}  by ${record.userIdentity.arn}${pairs}`;
}

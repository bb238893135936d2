import diagnostics from 'node:diagnostics_channel';
import type { XksErrorName, XksOperation } from '../shared/xks-wire.js';
import type { RequestMetadata } from './request-validation.js';

/** The diagnostics channel every proxy request is published on, once it is answered. */
export const XKS_REQUEST_CHANNEL = 'sealflow:xks:request';

/**
 * One structured record per request, for logs and audit. It carries the KMS request
 * ID and the rest of requestMetadata (spec: xks-api.md §13), never a body field: no
 * plaintext, ciphertext, AAD or key material, and never a secret.
 */
export interface XksAuditRecord {
  /** ISO-8601 time the request was answered. */
  readonly time: string;
  readonly level: 'info' | 'warn' | 'error';
  /** The operation, when the path named one. */
  readonly operation?: XksOperation;
  readonly method: string;
  /** The request path, without any query string. */
  readonly path: string;
  readonly uriPrefix?: string;
  readonly keyId?: string;
  readonly kmsRequestId?: string;
  readonly kmsOperation?: string;
  readonly awsPrincipalArn?: string;
  readonly kmsKeyArn?: string;
  readonly kmsViaService?: string;
  readonly awsSourceVpc?: string;
  readonly awsSourceVpce?: string;
  /** The SigV4 access key id that signed the request, once verified. */
  readonly accessKeyId?: string;
  readonly status: number;
  readonly outcome: 'success' | 'failure';
  readonly errorName?: XksErrorName;
  /** Why it failed (which check or policy rule), for operators. */
  readonly reason?: string;
  /** The secondary-authorization rule that decided, when there was one. */
  readonly authorizationRule?: string;
  readonly remoteAddress?: string;
  readonly durationMs: number;
}

/** The requestMetadata fields copied into audit records. */
const AUDITED_METADATA = [
  'kmsRequestId',
  'kmsOperation',
  'awsPrincipalArn',
  'kmsKeyArn',
  'kmsViaService',
  'awsSourceVpc',
  'awsSourceVpce',
] as const;

/** Picks the audited requestMetadata fields (strings only; values are opaque). */
export function auditedMetadata(
  metadata: RequestMetadata | undefined,
): Partial<Record<(typeof AUDITED_METADATA)[number], string>> {
  const out: Partial<Record<(typeof AUDITED_METADATA)[number], string>> = {};
  if (metadata === undefined) return out;
  for (const name of AUDITED_METADATA) {
    const value = metadata[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Sends a record to the logger (a throwing logger never breaks a request) and the channel. */
export function emitAudit(record: XksAuditRecord, logger: ((record: XksAuditRecord) => void) | undefined): void {
  if (logger !== undefined) {
    try {
      logger(record);
    } catch {
      // A broken logger must not turn an answered request into a crash.
    }
  }
  const channel = diagnostics.channel(XKS_REQUEST_CHANNEL);
  if (channel.hasSubscribers) channel.publish(record);
}

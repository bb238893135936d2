import { XksErrorStatus, XksLimits, type XksErrorName } from '../shared/xks-wire.js';

/**
 * A request that ends in one of the spec's error responses. `errorMessage` goes to
 * the caller (printable ASCII, under 512 characters: spec xks-api.md §9); `detail`
 * only goes to the log and audit record. Neither ever holds plaintext or secrets.
 */
export class XksRequestError extends Error {
  readonly errorName: XksErrorName;
  readonly status: number;
  /** For the log only: which rule or check failed. */
  readonly detail: string;

  constructor(errorName: XksErrorName, errorMessage: string, detail: string = errorMessage) {
    super(toPrintableAscii(errorMessage));
    this.errorName = errorName;
    this.status = XksErrorStatus[errorName];
    this.detail = detail;
  }

  override get name(): string {
    return 'XksRequestError';
  }

  /** The single-line JSON error body. */
  body(): string {
    return JSON.stringify({ errorName: this.errorName, errorMessage: this.message });
  }
}

/** Keeps 0x20-0x7E only and truncates, as the spec requires of `errorMessage`. */
function toPrintableAscii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, XksLimits.maxErrorMessage);
}

export const validation = (message: string): XksRequestError => new XksRequestError('ValidationException', message);

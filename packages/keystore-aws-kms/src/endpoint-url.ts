import type { InvalidArgumentError } from '@sealflow/core';
import { invalidArgument } from '@sealflow/core/validate';

/**
 * The KMS endpoint a store builds its client for. The SDK takes anything `URL` parses, and
 * `localhost:4566` parses (scheme `localhost:`): the SDK then signs requests for a host
 * named after the port and sends them off the machine. So an endpoint must be an origin
 * and nothing more: `http:` or `https:`, a host, an optional port; no credentials, path,
 * query or fragment (the SDK would drop or misplace them: it signs `/` of the host).
 */

const SCHEMES = new Set(['http:', 'https:']);

/**
 * Checks an endpoint and returns it as a URL origin (`https://kms.example:8443`).
 * @throws {InvalidArgumentError} `ERR_INVALID_ARGUMENT` naming `label`, for anything but
 * an `http:` or `https:` origin.
 */
export function assertEndpoint(value: string, label: string): string {
  const refuse = (why: string): InvalidArgumentError =>
    invalidArgument(
      `${label}: expected an http: or https: URL with a host and nothing after it (e.g. "https://kms.eu-west-1.amazonaws.com", "http://127.0.0.1:4566"); ${why}`,
    );
  // A parsed URL shows nothing of the raw text, so characters that would only be
  // trimmed or normalized away are refused on the raw string first.
  if (value.trim() !== value || /[\s\\]/.test(value)) throw refuse('it holds white space or a backslash');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse(`"${value}" is not a URL`);
  }
  if (!SCHEMES.has(url.protocol))
    throw refuse(`"${value}" has scheme "${url.protocol}" (a host:port needs "http://" or "https://" before it)`);
  if (url.hostname === '') throw refuse(`"${value}" has no host`);
  if (url.username !== '' || url.password !== '')
    throw refuse('it holds credentials (pass them as the credentials option)');
  if (url.pathname !== '/' || value.includes('?') || value.includes('#'))
    throw refuse(`"${url.origin}..." has a path, query or fragment`);
  return url.origin;
}

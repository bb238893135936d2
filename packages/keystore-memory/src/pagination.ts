import { InvalidMarkerException } from './exceptions.js';
import type { RequestReader } from './request-reader.js';

/** One page of a list operation, with its `NextMarker` (the base64url of the last item's name). */
export interface Page<T> {
  readonly items: T[];
  readonly truncated: boolean;
  readonly nextMarker?: string;
}

/**
 * Pages `items` (already in a stable order) with `Limit` (1-1000, default 100) and `Marker`.
 * @throws {InvalidMarkerException} for a marker this list did not issue (or whose item is gone).
 */
export function paginate<T>(request: RequestReader, items: readonly T[], name: (item: T) => string): Page<T> {
  const limit = request.integer('Limit', 1, 1000) ?? 100;
  const marker = request.string('Marker', { max: 1024 });
  let start = 0;
  if (marker !== undefined) {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    const index = items.findIndex((item) => name(item) === after);
    if (index < 0) throw new InvalidMarkerException(`Marker ${marker} is not a marker this list issued`);
    start = index + 1;
  }
  const page = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  const last = page[page.length - 1];
  return truncated && last !== undefined
    ? { items: page, truncated, nextMarker: Buffer.from(name(last), 'utf8').toString('base64url') }
    : { items: page, truncated };
}

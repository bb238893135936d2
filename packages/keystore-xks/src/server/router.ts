import { EXTERNAL_KEY_ID, XKS_BASE_PATH, type XksOperation } from '../shared/xks-wire.js';

/** Where a request path leads. */
export type Route =
  | { readonly kind: 'operation'; readonly prefix: string; readonly operation: XksOperation; readonly keyId?: string }
  | { readonly kind: 'ping' }
  | { readonly kind: 'unknown' };

const KEY_OPERATIONS: Readonly<Record<string, XksOperation>> = {
  metadata: 'GetKeyMetadata',
  encrypt: 'Encrypt',
  decrypt: 'Decrypt',
};

/**
 * Maps a request path onto an operation of one configured prefix. Matching is exact:
 * the path must be `<prefix>/kms/xks/v1/health` or `<prefix>/kms/xks/v1/keys/<id>/<op>`
 * for a configured prefix, with nothing before or after (spec: xks-api.md §15 item 13:
 * `/<prefix>/invalid/kms/xks/v1/health` is unknown, not a match by search).
 */
export class Router {
  /** Each prefix with its base (`<prefix>/kms/xks/v1/`). */
  readonly #bases: ReadonlyMap<string, string>;
  readonly #pingPath: string | undefined;

  constructor(prefixes: Iterable<string>, pingPath: string | undefined) {
    this.#bases = new Map([...prefixes].map((prefix) => [prefix, `${prefix}${XKS_BASE_PATH}/`]));
    this.#pingPath = pingPath;
  }

  /** Routes the path part of a request target (a query string is ignored). */
  route(target: string): Route {
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    if (this.#pingPath !== undefined && path === this.#pingPath) return { kind: 'ping' };
    for (const [prefix, base] of this.#bases) {
      if (!path.startsWith(base)) continue;
      const route = matchOperation(prefix, path.slice(base.length));
      if (route !== undefined) return route;
    }
    return { kind: 'unknown' };
  }
}

function matchOperation(prefix: string, rest: string): Route | undefined {
  if (rest === 'health') return { kind: 'operation', prefix, operation: 'GetHealthStatus' };
  const parts = rest.split('/');
  if (parts.length !== 3 || parts[0] !== 'keys') return undefined;
  const keyId = parts[1] as string;
  const operation = Object.hasOwn(KEY_OPERATIONS, parts[2] as string) ? KEY_OPERATIONS[parts[2] as string] : undefined;
  if (operation === undefined || !EXTERNAL_KEY_ID.test(keyId)) return undefined;
  return { kind: 'operation', prefix, operation, keyId };
}

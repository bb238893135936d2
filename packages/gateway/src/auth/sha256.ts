import { Hash } from '@smithy/hash-node';

/**
 * The SHA-256 (and HMAC-SHA-256, when given a secret) constructor the smithy SigV4
 * signer expects, over node:crypto through `@smithy/hash-node`.
 */
export class Sha256 extends Hash {
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    super('sha256', secret);
  }
}

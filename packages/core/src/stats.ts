/** Counters an engine keeps; `engine.stats()` returns a snapshot. */
export interface EngineStats {
  readonly keyStoreCalls: { readonly generate: number; readonly wrap: number; readonly unwrap: number };
  readonly keyStoreFailures: number;
  readonly bucketKeys: {
    readonly hits: number;
    readonly misses: number;
    readonly evictions: number;
    readonly entries: number;
  };
  readonly messagesEncrypted: number;
  readonly messagesDecrypted: number;
  readonly bytesEncrypted: number;
  readonly bytesDecrypted: number;
  readonly failures: { readonly encrypt: number; readonly decrypt: number };
}

/** Mutable counters behind `EngineStats`. */
export class StatsCounter {
  generate = 0;
  wrap = 0;
  unwrap = 0;
  keyStoreFailures = 0;
  bucketHits = 0;
  bucketMisses = 0;
  bucketEvictions = 0;
  messagesEncrypted = 0;
  messagesDecrypted = 0;
  bytesEncrypted = 0;
  bytesDecrypted = 0;
  encryptFailures = 0;
  decryptFailures = 0;

  snapshot(bucketEntries: number): EngineStats {
    return {
      keyStoreCalls: { generate: this.generate, wrap: this.wrap, unwrap: this.unwrap },
      keyStoreFailures: this.keyStoreFailures,
      bucketKeys: {
        hits: this.bucketHits,
        misses: this.bucketMisses,
        evictions: this.bucketEvictions,
        entries: bucketEntries,
      },
      messagesEncrypted: this.messagesEncrypted,
      messagesDecrypted: this.messagesDecrypted,
      bytesEncrypted: this.bytesEncrypted,
      bytesDecrypted: this.bytesDecrypted,
      failures: { encrypt: this.encryptFailures, decrypt: this.decryptFailures },
    };
  }
}

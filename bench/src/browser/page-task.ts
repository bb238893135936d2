/** One job for the test page, sent by the Node side through Playwright (JSON). */
export interface PageTask {
  readonly op: 'encrypt' | 'decrypt';
  readonly suite: 0x0478 | 0x0578;
  /** `raw-aes`: the ESDK raw AES keyring; `kms`: KmsKeyStore over fetchKmsClient('/kms'). */
  readonly store: 'raw-aes' | 'kms';
  /** raw-aes: the wrapping key, base64. */
  readonly aesKey?: string;
  /** kms: the key ARN. */
  readonly kmsKeyId?: string;
  readonly context: Readonly<Record<string, string>>;
  /** encrypt: plaintext size (the shared pattern); chunks of `chunkSize` through encryptWebStream. */
  readonly size?: number;
  readonly chunkSize?: number;
  readonly frameLength?: number;
  /** decrypt: where the page GETs the message. */
  readonly source?: string;
  /** Where the page POSTs its output (ciphertext, or decrypted plaintext). */
  readonly upload: string;
}

/** What the page reports back: times measured in the page with performance.now(). */
export interface PageResult {
  /** Input bytes (plaintext for encrypt, ciphertext for decrypt). */
  readonly inputBytes: number;
  readonly outputBytes: number;
  /** Milliseconds inside the Web Stream transform, excluding HTTP. */
  readonly ms: number;
  /** The authenticated context a decrypt saw (its own pairs). */
  readonly context?: Readonly<Record<string, string>>;
}

/** The global the page installs. */
export const PAGE_GLOBAL = 'sealflowPage';

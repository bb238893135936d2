import { InvalidArgumentError, ErrorCodes } from '../errors.js';

const REDACTED = '[DataKey: redacted]';

/**
 * Holder of a plaintext data key. The bytes are reachable only through `reveal()`;
 * printing, logging or JSON-encoding the holder shows `[DataKey: redacted]`.
 * `destroy()` zeroes the bytes in place.
 *
 * Best effort: JavaScript gives no control over copies the engine (or a cipher
 * implementation) makes internally, so wiping shrinks the window in which the key
 * sits in memory; it does not guarantee no copy remains.
 */
export class DataKey {
  #bytes: Uint8Array | undefined;

  /**
   * Takes ownership of `bytes`: the caller must not keep using them, since
   * `destroy()` zeroes them in place. Use {@link DataKey.copyOf} to keep the input.
   * @throws {InvalidArgumentError} when `bytes` is empty.
   */
  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'DataKey: expected a non-empty Uint8Array');
    }
    this.#bytes = bytes;
  }

  /** A holder over a private copy of `bytes` (the input is left untouched). */
  static copyOf(bytes: Uint8Array): DataKey {
    return new DataKey(Uint8Array.prototype.slice.call(bytes));
  }

  /** Key length in bytes (kept after destroy, for diagnostics). */
  get length(): number {
    return this.#bytes?.length ?? 0;
  }

  /** Whether `destroy()` has run. */
  get destroyed(): boolean {
    return this.#bytes === undefined;
  }

  /**
   * The key bytes themselves (no copy). Do not keep them past the holder's life.
   * @throws {InvalidArgumentError} after `destroy()`.
   */
  reveal(): Uint8Array {
    if (this.#bytes === undefined) {
      throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'DataKey: the key was destroyed');
    }
    return this.#bytes;
  }

  /** An independent holder with its own copy (destroying one leaves the other). */
  clone(): DataKey {
    return DataKey.copyOf(this.reveal());
  }

  /** Zeroes the bytes in place and forgets them. Safe to call twice. */
  destroy(): void {
    this.#bytes?.fill(0);
    this.#bytes = undefined;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  static {
    // Node's util.inspect hook (a registered symbol, so core needs no node:util). Defined
    // here, with a class method's attributes, because isolatedDeclarations cannot emit a
    // `[Symbol.for(...)]()` member.
    Object.defineProperty(DataKey.prototype, Symbol.for('nodejs.util.inspect.custom'), {
      value: function inspect(): string {
        return REDACTED;
      },
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
}

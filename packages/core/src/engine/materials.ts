import type { CipherBackend, MessageSigner, MessageVerifier } from '../crypto/backend.js';
import { AuthenticationError, ErrorCodes, InvalidArgumentError, MalformedMessageError } from '../errors.js';
import { PUBLIC_KEY_CONTEXT_KEY, RESERVED_CONTEXT_PREFIX } from '../format/encryption-context.js';
import { fromBase64, toBase64 } from '../format/base64.js';
import type { MessageHeader } from '../format/header.js';
import type { AlgorithmSuite } from '../format/suites.js';
import type { EncryptionContext } from '../keys/key-store.js';

/** The contexts of one message, split the way the format needs them. */
export interface MessageContexts {
  /** Everything authenticated: what key stores bind and what decrypt returns. */
  readonly full: Readonly<Record<string, string>>;
  /** The pairs written into the header. */
  readonly stored: Readonly<Record<string, string>>;
  /** Pairs authenticated but not stored (required / reproduced context). */
  readonly authOnly: Readonly<Record<string, string>>;
}

/**
 * Builds the encrypt-side contexts. Refuses caller keys with the reserved `aws-crypto-`
 * prefix (spec: esdk encrypt.md#encryption-context); adds the signing public key for
 * signing suites; moves `requiredKeys` out of the stored header context.
 * @throws {InvalidArgumentError}
 */
export function encryptContexts(
  context: EncryptionContext,
  requiredKeys: readonly string[],
  signer: MessageSigner | undefined,
): MessageContexts {
  const full: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(context)) {
    if (key.startsWith(RESERVED_CONTEXT_PREFIX)) {
      throw new InvalidArgumentError(
        ErrorCodes.RESERVED_CONTEXT_KEY,
        `context key "${key}" uses the reserved prefix "${RESERVED_CONTEXT_PREFIX}"`,
      );
    }
    full[key] = context[key] as string;
  }
  if (signer !== undefined) full[PUBLIC_KEY_CONTEXT_KEY] = toBase64(signer.publicKey);
  const stored: Record<string, string> = Object.create(null) as Record<string, string>;
  const authOnly: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of requiredKeys) {
    if (!Object.hasOwn(full, key)) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        `requiredContextKeys: "${key}" is not in the encryption context`,
      );
    }
  }
  for (const key of Object.keys(full)) {
    if (requiredKeys.includes(key)) authOnly[key] = full[key] as string;
    else stored[key] = full[key] as string;
  }
  return { full, stored, authOnly };
}

/**
 * Builds the decrypt-side contexts from the header and the caller's reproduced context
 * (spec: esdk cmm-interface.md#decrypt-materials): a reproduced key present in the header
 * must have the same value; one absent from the header becomes an authenticate-only pair.
 * Also enforces the public-key rule for signing and non-signing suites.
 * @throws {AuthenticationError | MalformedMessageError}
 */
export function decryptContexts(header: MessageHeader, reproduced: EncryptionContext | undefined): MessageContexts {
  const full: Record<string, string> = Object.create(null) as Record<string, string>;
  const authOnly: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(header.context)) full[key] = header.context[key] as string;
  if (reproduced !== undefined) {
    for (const key of Object.keys(reproduced)) {
      const value = reproduced[key] as string;
      if (Object.hasOwn(header.context, key)) {
        if (header.context[key] !== value) {
          throw new AuthenticationError(
            ErrorCodes.CONTEXT_MISMATCH,
            `reproduced context pair "${key}" differs from the message's`,
          );
        }
      } else {
        full[key] = value;
        authOnly[key] = value;
      }
    }
  }
  const hasPublicKey = Object.hasOwn(full, PUBLIC_KEY_CONTEXT_KEY);
  if (header.suite.signature !== undefined && !hasPublicKey) {
    throw new MalformedMessageError(
      ErrorCodes.MALFORMED_MESSAGE,
      'malformed header: a signing suite without its public key in the context',
    );
  }
  if (header.suite.signature === undefined && hasPublicKey) {
    throw new MalformedMessageError(
      ErrorCodes.MALFORMED_MESSAGE,
      'malformed header: a public key in the context of a non-signing suite',
    );
  }
  return { full, stored: header.context, authOnly };
}

/** The verifier for a signing suite's message, from the public key in its context. */
export function verifierFor(
  backend: CipherBackend,
  suite: AlgorithmSuite,
  full: Readonly<Record<string, string>>,
): MessageVerifier | undefined {
  if (suite.signature === undefined) return undefined;
  const encoded = full[PUBLIC_KEY_CONTEXT_KEY];
  const point = encoded === undefined ? undefined : fromBase64(encoded);
  const verifier = point === undefined ? undefined : backend.createVerifier(suite.signature.curve, point);
  if (verifier === undefined)
    throw new MalformedMessageError(
      ErrorCodes.MALFORMED_MESSAGE,
      'malformed header: the signing public key is not a valid point',
    );
  return verifier;
}

/** Checks `expect` against the authenticated context: every pair must be present and equal. */
export function checkExpectedContext(
  full: Readonly<Record<string, string>>,
  expect: EncryptionContext | undefined,
): void {
  if (expect === undefined) return;
  for (const key of Object.keys(expect)) {
    if (!Object.hasOwn(full, key))
      throw new AuthenticationError(
        ErrorCodes.CONTEXT_MISMATCH,
        `expected context key "${key}" is missing from the message`,
      );
    if (full[key] !== expect[key])
      throw new AuthenticationError(
        ErrorCodes.CONTEXT_MISMATCH,
        `expected context pair "${key}" has another value in the message`,
      );
  }
}

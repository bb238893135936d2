import { expect } from 'vitest';
import { MemoryKms, type MemoryKmsOptions } from '@sealflow/keystore-memory';

export const ACCOUNT_A = '111122223333';
export const ACCOUNT_B = '444455556666';
export const ROOT_A = `arn:aws:iam::${ACCOUNT_A}:root`;
export const ROOT_B = `arn:aws:iam::${ACCOUNT_B}:root`;
export const WRITER_A = `arn:aws:iam::${ACCOUNT_A}:role/writer`;
export const READER_A = `arn:aws:iam::${ACCOUNT_A}:role/reader`;
export const DAY = 86_400_000;

/** A clock tests move by hand. */
export class ManualClock {
  time = Date.UTC(2026, 0, 1);
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

export function newKms(options: MemoryKmsOptions = {}): { kms: MemoryKms; clock: ManualClock } {
  const clock = new ManualClock();
  return { kms: new MemoryKms({ now: clock.now, ...options }), clock };
}

/** The rejection of `promise`, which must reject. */
export async function failure(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { requestId?: string }; code?: string }> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the call should have failed').toBeInstanceOf(Error);
  return error as Error & { $metadata?: { requestId?: string }; code?: string };
}

/** The SDK exception name `promise` rejects with. */
export async function failureName(promise: Promise<unknown>): Promise<string> {
  return (await failure(promise)).name;
}

export function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** An Allow statement on every resource for `principal` (`'*'` or an AWS principal), optionally conditioned. */
export const allow = (principal: unknown, action: unknown, condition?: object): object => ({
  Effect: 'Allow',
  Principal: principal === '*' ? '*' : { AWS: principal },
  Action: action,
  Resource: '*',
  ...(condition === undefined ? {} : { Condition: condition }),
});

export const ADMIN_ROLE_A = `arn:aws:iam::${ACCOUNT_A}:role/admin`;

export const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

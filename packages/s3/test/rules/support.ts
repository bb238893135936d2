import { expect } from 'vitest';
import { isS3Error, type S3Error, type S3ErrorCode } from '@sealflow/s3';

/** The S3Error `fn` throws; fails the test when it throws nothing or something else. */
export function s3Failure(fn: () => unknown): S3Error {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isS3Error(thrown), `expected an S3Error, got ${String(thrown)}`).toBe(true);
  return thrown as S3Error;
}

/** Asserts `fn` throws the S3 error `code` (and so its status). */
export function expectS3Error(fn: () => unknown, code: S3ErrorCode, status?: number): S3Error {
  const error = s3Failure(fn);
  expect(error.s3Code).toBe(code);
  if (status !== undefined) expect(error.status).toBe(status);
  return error;
}

/** The S3Error a promise rejects with. */
export async function s3Rejection(promise: Promise<unknown>): Promise<S3Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isS3Error(error), `expected an S3Error, got ${String(error)}`).toBe(true);
  return error as S3Error;
}

/** base64 of a UTF-8 string. */
export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

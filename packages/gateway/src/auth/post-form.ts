import { once } from 'node:events';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { authError } from './auth-error.js';

/**
 * Streams a POST Object `multipart/form-data` body through busboy: the fields
 * before the `file` part are collected (bounded), then the file part is handed
 * over as a stream the caller reads at its own pace (back-pressure reaches the
 * socket through busboy's writable side). Fields after the file are ignored, as
 * S3 ignores them.
 */

/** Caps on the form: S3 bounds the fields before the file to 20 KB. */
export const PostFormLimits: {
  readonly maxFieldBytes: number;
  readonly maxFieldsBytes: number;
  readonly maxFields: 64;
  readonly maxFieldNameBytes: 128;
} = {
  maxFieldBytes: 20 * 1024,
  maxFieldsBytes: 64 * 1024,
  maxFields: 64,
  maxFieldNameBytes: 128,
};

/** The form up to its file part. */
export interface ParsedForm {
  /** Lower-case field names to values, in order. */
  readonly fields: ReadonlyMap<string, string>;
  readonly filename: string;
  readonly fileContentType: string;
  readonly file: Readable;
  /** Settles when busboy consumed the whole body: rejects on a malformed or truncated form. */
  readonly done: Promise<void>;
  /** Stops parsing (the caller refused the form or gave up reading the file). */
  abort(error: Error): void;
}

/**
 * Reads the form's fields and stops at its file part.
 * @throws S3Error MalformedPOSTRequest (not multipart/form-data, malformed or truncated),
 * InvalidArgument (no file part, a repeated field), MaxMessageLengthExceeded (fields too large).
 */
export function parsePostForm(contentType: string | undefined, body: AsyncIterable<Uint8Array>): Promise<ParsedForm> {
  const malformed = (): Error =>
    authError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
  if (contentType === undefined || !/^multipart\/form-data\s*;/i.test(contentType)) return Promise.reject(malformed());
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: {
        fieldSize: PostFormLimits.maxFieldBytes,
        fieldNameSize: PostFormLimits.maxFieldNameBytes,
        fields: PostFormLimits.maxFields,
        files: 1,
        parts: PostFormLimits.maxFields + 1,
      },
    });
  } catch {
    return Promise.reject(malformed());
  }
  const fields = new Map<string, string>();
  let fieldsBytes = 0;
  let file:
    | { readonly name: string; readonly stream: Readable; readonly filename: string; readonly mimeType: string }
    | undefined;
  let failure: Error | undefined;
  const fail = (error: Error): void => {
    failure ??= error;
    file?.stream.destroy(failure);
    parser.destroy(failure);
  };

  return new Promise<ParsedForm>((resolve, reject) => {
    const done = (async () => {
      try {
        for await (const piece of body) {
          if (failure !== undefined) break;
          if (!parser.write(piece)) await once(parser, 'drain');
        }
        if (failure === undefined) {
          parser.end();
          await once(parser, 'close');
        }
      } catch (e) {
        failure ??= isS3Error(e) ? e : malformed();
      }
      if (failure !== undefined) {
        file?.stream.destroy(failure);
        throw failure;
      }
      if (file === undefined) throw authError('InvalidArgument', 'POST requires exactly one file upload per request.');
    })();
    done.catch(reject);
    parser.on('field', (name, value, info) => {
      if (file !== undefined) return;
      fieldsBytes += name.length + value.length;
      if (info.nameTruncated || info.valueTruncated || fieldsBytes > PostFormLimits.maxFieldsBytes) {
        fail(
          authError('MaxMessageLengthExceeded', 'Your POST request fields preceding the upload file were too large.'),
        );
        return;
      }
      const key = name.toLowerCase();
      if (fields.has(key)) {
        fail(authError('InvalidArgument', `The form field ${key} appears more than once.`));
        return;
      }
      fields.set(key, value);
    });
    parser.on('file', (name, stream, info) => {
      if (file !== undefined) {
        stream.resume();
        return;
      }
      if (name.toLowerCase() !== 'file') {
        stream.resume();
        fail(authError('InvalidArgument', "POST requires the file in a form field named 'file'."));
        return;
      }
      // Readers see failures through iteration; an abandoned stream must not raise them as uncaught.
      stream.on('error', () => undefined);
      file = { name, stream, filename: info.filename ?? '', mimeType: info.mimeType };
      resolve({ fields, filename: file.filename, fileContentType: file.mimeType, file: stream, done, abort: fail });
    });
    parser.on('fieldsLimit', () =>
      fail(authError('MaxMessageLengthExceeded', 'Your POST request has too many form fields.')),
    );
    parser.on('partsLimit', () =>
      fail(authError('MaxMessageLengthExceeded', 'Your POST request has too many form parts.')),
    );
    parser.on('error', (e) => {
      failure ??= isS3Error(e) ? e : malformed();
    });
  });
}

function isS3Error(value: unknown): value is Error {
  return value instanceof Error && typeof (value as { s3Code?: unknown }).s3Code === 'string';
}

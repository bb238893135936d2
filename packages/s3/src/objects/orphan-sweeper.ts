import { decodeUploadRecord, MAX_UPLOAD_RECORD_BYTES } from '../multipart/upload-record.js';
import type { BlobStore } from '../store/blob-store.js';
import { BlobNames } from './blob-names.js';
import { decodePartRecord, RecordLimits } from './object-record.js';
import type { ServiceCore } from './service-core.js';

/** Options of `S3Service.sweepOrphans`. */
export interface SweepOptions {
  /**
   * How long a blob must have been seen unreferenced, by an earlier sweep of this service,
   * before it is removed (default 1 hour; 0 removes on the second sweep that sees it).
   * Covers writers in *other* processes between their body `put` and their record commit.
   */
  readonly graceMs?: number;
  /**
   * Abort multipart uploads initiated longer ago than this (as an S3 lifecycle rule
   * `AbortIncompleteMultipartUpload` does); their parts are then swept as orphans.
   * Default: never.
   */
  readonly uploadExpiryMs?: number;
}

/** What one sweep did. */
export interface SweepResult {
  /** Body blobs (`d/...`) removed: no object record or live upload part referenced them. */
  readonly bodies: number;
  /** Part records (`u/.../p/...`) removed: their upload was gone (aborted, completed, expired). */
  readonly parts: number;
  /** Multipart uploads aborted because they expired (`uploadExpiryMs`). */
  readonly expiredUploads: number;
  /** Blobs found unreferenced and kept for now (seen for the first time, or within the grace time). */
  readonly pending: number;
}

const DEFAULT_GRACE_MS = 60 * 60 * 1000;

/**
 * Finds and removes what crashed or aborted writes left behind (docs/S3-OBJECTS.md "Orphan
 * sweeper"). Safe under concurrent writers:
 *
 * - a body `put` in progress is invisible (puts are atomic);
 * - a blob this process is writing (from its `put` until the S3 call returns, i.e. past
 *   the record commit) is never taken (`WriteTracker`);
 * - nor is a replaced body this process is still reading: its removal waits for the
 *   readers (`ObjectReaders`) and is theirs to make;
 * - otherwise a blob is removed only when a sweep finds it unreferenced that an earlier
 *   sweep, at least `graceMs` before, also found unreferenced. Data blobs are listed before
 *   the records are read, so a record committed during a sweep only delays removal.
 */
export class OrphanSweeper {
  /** Unreferenced names and when a sweep first saw them so. */
  readonly #seen = new Map<string, number>();
  #running: Promise<SweepResult> | undefined;

  /** One sweep over every bucket; concurrent calls share one run. */
  sweep(core: ServiceCore, options: SweepOptions = {}): Promise<SweepResult> {
    for (const field of ['graceMs', 'uploadExpiryMs'] as const) {
      const value: unknown = options !== null && typeof options === 'object' ? options[field] : undefined;
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
        return Promise.reject(new TypeError(`sweepOrphans: ${field}: expected a number of ms >= 0`));
    }
    this.#running ??= this.#sweep(core, options).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweep(core: ServiceCore, options: SweepOptions): Promise<SweepResult> {
    const grace = options.graceMs ?? DEFAULT_GRACE_MS;
    const now = core.now();
    const unreferenced = new Set<string>();
    let expiredUploads = 0;
    for (const bucketEntry of await listAll(core.store, BlobNames.bucketsPrefix)) {
      const bucket = bucketEntry.slice(BlobNames.bucketsPrefix.length);
      // Bodies first: anything committed after this listing is found referenced below.
      const bodies = await listAll(core.store, BlobNames.dataPrefix(bucket));
      const referenced = new Set<string>();
      const uploadNames = await listAll(core.store, BlobNames.uploadsPrefix(bucket));
      const live = new Set<string>();
      for (const name of uploadNames) {
        if (!name.endsWith('/upload')) continue;
        const bytes = await core.store.read(name, 0, MAX_UPLOAD_RECORD_BYTES);
        if (bytes === undefined) continue;
        let initiated: number;
        try {
          initiated = decodeUploadRecord(bytes).initiated;
        } catch {
          continue; // not ours to judge: a corrupt upload record is left for an operator
        }
        if (options.uploadExpiryMs !== undefined && initiated < now - options.uploadExpiryMs) {
          await core.store.delete(name);
          expiredUploads++;
          continue;
        }
        live.add(name.slice(0, -'upload'.length));
      }
      for (const name of uploadNames) {
        const slash = name.indexOf('/p/');
        if (slash < 0) continue;
        const uploadDir = name.slice(0, slash + 1);
        if (!live.has(uploadDir) || (await core.store.stat(`${uploadDir}upload`)) === undefined) {
          unreferenced.add(name);
          continue;
        }
        const bytes = await core.store.read(name, 0, RecordLimits.maxPartRecordBytes);
        if (bytes === undefined) continue;
        try {
          referenced.add(decodePartRecord(bytes).part.blob);
        } catch {
          // A corrupt part record references nothing we can read; its body stays until the upload ends.
          continue;
        }
      }
      for (const name of await listAll(core.store, BlobNames.objectsPrefix(bucket))) {
        const record = await core.recordAt(name).catch(() => undefined);
        if (record === undefined) continue;
        for (const part of record.parts) referenced.add(part.blob);
      }
      for (const name of bodies) if (!referenced.has(name)) unreferenced.add(name);
    }
    let bodies = 0;
    let parts = 0;
    for (const name of [...this.#seen.keys()]) if (!unreferenced.has(name)) this.#seen.delete(name);
    for (const name of unreferenced) {
      // Being written by this process, or a replaced body whose own removal waits for its readers.
      if (core.tracker.isHeld(name) || core.readers.isWaiting(name)) {
        this.#seen.delete(name);
        continue;
      }
      const first = this.#seen.get(name);
      if (first === undefined) {
        this.#seen.set(name, now);
        continue;
      }
      if (now - first < grace) continue;
      // Checked once more right before removal: a writer of this process may have started since.
      if (core.tracker.isHeld(name) || core.readers.isWaiting(name)) continue;
      if (await core.store.delete(name)) {
        if (name.startsWith('d/')) bodies++;
        else parts++;
      }
      this.#seen.delete(name);
    }
    return { bodies, parts, expiredUploads, pending: this.#seen.size };
  }
}

async function listAll(store: BlobStore, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.list(prefix, startAfter === undefined ? {} : { startAfter });
    for (const entry of page.entries) names.push(entry.name);
    if (!page.truncated || page.entries.length === 0) return names;
    startAfter = page.entries[page.entries.length - 1]?.name;
  }
}

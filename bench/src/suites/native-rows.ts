// What the native suite's files share: its contestant names, its frame length, and its rows.
import type { ResultRow } from '../results.js';
import { KiB } from '../units.js';

export const NATIVE_ONE = 'sealflow-native';
export const NATIVE_TWO = 'sealflow-native-2';
/** The copy-free stream ceiling's contestant (see ../copy-free-stream.ts). */
export const COPY_FREE = 'copy-free-2 (ceiling)';
/** The frame length of the suite's targets (and of every stream row). */
export const FL: number = 64 * KiB;

/** One row of the native suite. */
export function nativeRow(
  workload: string,
  operation: 'encrypt' | 'decrypt',
  bytes: number,
  frameLength: number | undefined,
  contestant: string,
  mib: number,
  samples: number,
  note?: string,
): ResultRow {
  return {
    suite: 'native',
    workload,
    operation,
    bytes,
    frameLength,
    contestant,
    mibPerSecond: mib,
    opsPerSecond: undefined,
    samples,
    ...(note === undefined ? {} : { note }),
  };
}

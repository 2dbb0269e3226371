import { endianness } from 'node:os';
import { mongo } from 'mongoose';
import type { DailyRollup } from './types';

/**
 * A rollup's duration lists are stored as one BSON binary each (little-endian Int32 seconds), not as BSON arrays:
 * an array spends a key string and a type byte per element, and the server and the driver decode them one by one.
 * A 30-day overview reads a few hundred thousand durations; as five blobs per rollup they cost one copy each.
 */
export const DURATION_LISTS = ['firstBotResponseS', 'firstHumanResponseS', 'resolutionS', 'firstHumanResponseBusinessS', 'resolutionBusinessS'] as const;
type ListKey = (typeof DURATION_LISTS)[number];

// Int32Array uses the platform's byte order; every platform Node supports in practice is little-endian.
if (endianness() !== 'LE') throw new Error('reporting: the rollups\' duration encoding assumes a little-endian platform');

export type StoredRollup = Omit<DailyRollup, ListKey> & Partial<Record<ListKey, mongo.Binary | number[]>>;

export function packSeconds(list: readonly number[]): mongo.Binary {
  const ints = Int32Array.from(list);
  return new mongo.Binary(new Uint8Array(ints.buffer, ints.byteOffset, ints.byteLength));
}

/** Reads either encoding (rollups built before this one hold plain arrays) as a typed array. */
export function unpackSecondsTyped(stored: mongo.Binary | number[] | undefined): Int32Array | number[] {
  if (stored === undefined) return [];
  if (Array.isArray(stored)) return stored;
  const bytes = stored.buffer.subarray(0, stored.position);
  // Copied into a fresh buffer: the driver's may be unaligned for an Int32Array view.
  return new Int32Array(new Uint8Array(bytes).buffer);
}

export function unpackSeconds(stored: mongo.Binary | number[] | undefined): number[] {
  const list = unpackSecondsTyped(stored);
  return Array.isArray(list) ? list : Array.from(list);
}

export function toStored(row: DailyRollup): StoredRollup {
  const out: StoredRollup = { ...row };
  for (const key of DURATION_LISTS) out[key] = packSeconds(row[key] ?? []);
  return out;
}

export function fromStored(row: StoredRollup): DailyRollup {
  const out = { ...row } as unknown as DailyRollup;
  for (const key of DURATION_LISTS) out[key] = unpackSeconds(row[key]);
  return out;
}

/**
 * For the figures, which only copy the lists into one typed array to sort: the lists stay typed arrays (read-only
 * use; `DailyRollup`'s number[] is what they are read as).
 */
export function fromStoredFast(row: StoredRollup): DailyRollup {
  const out = { ...row } as unknown as Record<ListKey, ArrayLike<number>>;
  for (const key of DURATION_LISTS) out[key] = unpackSecondsTyped(row[key]);
  return out as unknown as DailyRollup;
}

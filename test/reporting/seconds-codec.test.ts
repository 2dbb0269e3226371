import { mongo } from 'mongoose';
import { fromStored, fromStoredFast, packSeconds, toStored, unpackSeconds } from '../../src/reporting/seconds-codec';
import type { DailyRollup } from '../../src/reporting/types';

describe('rollup duration encoding', () => {
  it('round-trips seconds through one BSON binary, and still reads lists stored as arrays', () => {
    const list = [0, 1, 59, 3_600, 2_147_483_647];
    const packed = packSeconds(list);
    expect(packed).toBeInstanceOf(mongo.Binary);
    expect(packed.length()).toBe(list.length * 4);
    expect(unpackSeconds(packed)).toEqual(list);
    // As the driver hands it back: a copy whose buffer may start anywhere.
    const offset = new Uint8Array(packed.length() + 1);
    offset.set(packed.buffer.subarray(0, packed.length()), 1);
    expect(unpackSeconds(new mongo.Binary(offset.subarray(1)))).toEqual(list);
    expect(unpackSeconds([5, 6])).toEqual([5, 6]);
    expect(unpackSeconds(undefined)).toEqual([]);
  });

  it('stores every list of a rollup and reads it back the same, in both readers', () => {
    const row = { _id: 'x', day: '2026-12-01', firstBotResponseS: [1, 2], firstHumanResponseS: [30], resolutionS: [], firstHumanResponseBusinessS: [7_200], resolutionBusinessS: [9] } as unknown as DailyRollup;
    const stored = toStored(row);
    expect(stored.firstBotResponseS).toBeInstanceOf(mongo.Binary);
    expect(fromStored(stored)).toEqual(row);
    expect(Array.from(fromStoredFast(stored).firstHumanResponseBusinessS)).toEqual([7_200]);
  });
});

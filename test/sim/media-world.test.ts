/** The world file's `prompts` (how long prompts play) and the generated recording WAV. */
import { describe, expect, it } from 'vitest';
import { parseWorld, WorldFileError } from '../../src/sim/directory.js';
import { RECORDING_SAMPLE_RATE, recordingWav } from '../../src/sim/recording-wav.js';

const base = { tenants: [{ id: 't1' }] };

describe('world prompts', () => {
  it('is optional, and reads defaultMs and per-uri durations', () => {
    expect(parseWorld(base).prompts).toBeUndefined();
    expect(
      parseWorld({ ...base, prompts: { defaultMs: 1500, durations: { 'https://x/a.wav': 800 } } }).prompts,
    ).toEqual({ defaultMs: 1500, durations: { 'https://x/a.wav': 800 } });
    expect(parseWorld({ ...base, prompts: {} }).prompts).toEqual({ defaultMs: 3000, durations: {} });
  });

  it('names a bad value', () => {
    expect(() => parseWorld({ ...base, prompts: { defaultMs: -1 } })).toThrow(
      new WorldFileError('world.prompts.defaultMs must be a non-negative number'),
    );
    expect(() => parseWorld({ ...base, prompts: { durations: { 'https://x/a.wav': 'long' } } })).toThrow(
      /world\.prompts\.durations\["https:\/\/x\/a\.wav"\]/,
    );
  });
});

describe('recording WAV', () => {
  it('is a PCM 16-bit mono RIFF file as long as the recording, the same for the same operation', () => {
    const wav = recordingWav(1500, 'op-1');
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect([wav.readUInt16LE(20), wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34)]).toEqual([
      1,
      1,
      RECORDING_SAMPLE_RATE,
      16,
    ]);
    expect(wav.readUInt32LE(40)).toBe(1.5 * RECORDING_SAMPLE_RATE * 2);
    expect(recordingWav(1500, 'op-1').equals(wav)).toBe(true);
    expect(recordingWav(1500, 'op-2').equals(wav)).toBe(false);
    expect(recordingWav(0, 'op-1').length).toBe(44);
  });
});

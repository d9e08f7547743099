/**
 * Recordings a softphone made (src/sim/recording-audio.ts): kept in the shared data directory so any instance serves
 * them, a download waits for a capture under way, and only the downloads' WAV format is taken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWav, recordedPart, RecordingAudio, wavOf } from '../../src/sim/recording-audio.js';
import { recordingWav } from '../../src/sim/recording-wav.js';

describe('recordings a softphone made', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-recordings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('one instance takes the audio, another serves it; a download waits for a capture under way, and not for ever', async () => {
    const a = new RecordingAudio(dir);
    const b = new RecordingAudio(dir);
    expect(await b.samples('op-1', 0)).toBeUndefined();
    await a.begin('op-1');
    const waiting = b.samples('op-1', 5_000);
    await a.finish('op-1', Buffer.from([1, 0, 2, 0]));
    expect(await waiting).toEqual(Buffer.from([1, 0, 2, 0]));
    await a.begin('op-2');
    expect(await b.samples('op-2', 100)).toBeUndefined(); // the tab went away: the generated voice instead
  });

  it('in memory (an ephemeral server), keeping the newest 100', async () => {
    const m = new RecordingAudio(null);
    for (let i = 0; i < 101; i++) await m.finish(`op-${i}`, Buffer.from([i, 0]));
    expect(await m.samples('op-0', 0)).toBeUndefined();
    expect(await m.samples('op-100', 0)).toEqual(Buffer.from([100, 0]));
  });

  it('takes only 16-bit PCM mono 8 kHz WAV, and serves the last recordedMs of it', () => {
    const samples = Buffer.alloc(16_000 * 2, 1);
    expect(checkWav(wavOf(samples))).toEqual({ samples });
    expect(checkWav(recordingWav(500, 'x'))).toMatchObject({ samples: expect.any(Buffer) });
    const stereo = wavOf(samples);
    stereo.writeUInt16LE(2, 22);
    expect(checkWav(stereo)).toMatch(/mono/);
    expect(checkWav(Buffer.from('not a wav at all, not even close to one; forty-four bytes'))).toMatch(/RIFF/);
    expect(recordedPart(samples, 1_000)).toHaveLength(8_000 * 2);
    expect(recordedPart(samples, 5_000)).toHaveLength(16_000 * 2);
  });
});

/**
 * Recordings a softphone made (the person spoke into the browser's microphone during a recordResponse): the WAV the
 * browser encoded, kept by operation id so the recording's download serves it instead of the generated voice
 * (src/sim/recording-wav.ts). A tab announces a capture when it starts (`begin`) and hands the audio over when the
 * recording has ended (`finish`); a download that comes in between waits for it (briefly: a tab that went away
 * leaves the generated voice).
 *
 * Kept under the data directory (`<data>/recordings/`), which every instance on one PostgreSQL database shares (see
 * the README), so the bot may download from any of them; in memory for an ephemeral server (`--data :memory:`).
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORDING_SAMPLE_RATE } from './recording-wav.js';

/** How long a download waits for a capture in progress to be handed over. */
export const CAPTURE_WAIT_MS = 5_000;
const WAIT_STEP_MS = 50;
const MEMORY_KEEP = 100;

/** A 16-bit PCM mono WAV at the rate recordResponse serves (8 kHz), as checked; its samples. */
export interface CheckedWav {
  samples: Buffer;
}

/** Checks an uploaded WAV is the format the downloads serve (RIFF, PCM 16-bit, mono, 8 kHz); a problem, or its samples. */
export function checkWav(body: Buffer): CheckedWav | string {
  if (body.length < 44 || body.toString('ascii', 0, 4) !== 'RIFF' || body.toString('ascii', 8, 12) !== 'WAVE')
    return 'the body is not a RIFF WAVE file';
  let at = 12;
  let format: { pcm: boolean; channels: number; rate: number; bits: number } | null = null;
  while (at + 8 <= body.length) {
    const id = body.toString('ascii', at, at + 4);
    const size = body.readUInt32LE(at + 4);
    const start = at + 8;
    if (id === 'fmt ' && size >= 16 && start + 16 <= body.length) {
      format = {
        pcm: body.readUInt16LE(start) === 1,
        channels: body.readUInt16LE(start + 2),
        rate: body.readUInt32LE(start + 4),
        bits: body.readUInt16LE(start + 14),
      };
    }
    if (id === 'data') {
      if (!format) return 'the WAV has no fmt chunk before its data';
      if (!format.pcm || format.channels !== 1 || format.bits !== 16 || format.rate !== RECORDING_SAMPLE_RATE) {
        return `the WAV must be 16-bit PCM, mono, ${RECORDING_SAMPLE_RATE} Hz (got ${format.pcm ? 'PCM' : 'not PCM'}, ${format.channels} channel(s), ${format.bits} bits, ${format.rate} Hz)`;
      }
      const end = Math.min(body.length, start + size);
      return { samples: body.subarray(start, end - ((end - start) % 2)) };
    }
    at = start + size + (size % 2);
  }
  return 'the WAV has no data chunk';
}

/** A WAV (the downloads' format) of 16-bit samples. */
export function wavOf(samples: Buffer): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(RECORDING_SAMPLE_RATE, 24);
  header.writeUInt32LE(RECORDING_SAMPLE_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

/**
 * The recording as the bot downloads it: the person's samples, cut to the last `recordedMs` (the tab starts to
 * listen when it sees the operation, which may be before the recording proper begins; both end together).
 */
export function recordedPart(samples: Buffer, recordedMs: number): Buffer {
  const keep = Math.round((recordedMs / 1000) * RECORDING_SAMPLE_RATE) * 2;
  return samples.length > keep ? samples.subarray(samples.length - keep) : samples;
}

export class RecordingAudio {
  readonly #dir: string | null;
  readonly #memory = new Map<string, Buffer | 'capturing'>();

  /** `dataDir` null: in memory (an ephemeral server). */
  constructor(dataDir: string | null) {
    this.#dir = dataDir === null ? null : join(dataDir, 'recordings');
  }

  /** In memory, the newest MEMORY_KEEP recordings are kept (a long-running ephemeral server must not grow without end). */
  #remember(operationId: string, value: Buffer | 'capturing'): void {
    this.#memory.delete(operationId);
    this.#memory.set(operationId, value);
    for (const oldest of this.#memory.keys()) {
      if (this.#memory.size <= MEMORY_KEEP) break;
      this.#memory.delete(oldest);
    }
  }

  #path(operationId: string, ext: string): string {
    return join(this.#dir!, `${operationId.replace(/[^A-Za-z0-9-]/g, '_')}.${ext}`);
  }

  /** A tab started capturing for the operation: a download waits for its audio. */
  async begin(operationId: string): Promise<void> {
    if (this.#dir === null) {
      if (!(this.#memory.get(operationId) instanceof Buffer)) this.#remember(operationId, 'capturing');
      return;
    }
    await mkdir(this.#dir, { recursive: true });
    await writeFile(this.#path(operationId, 'capturing'), '');
  }

  /** The tab's samples for the operation (written whole, then renamed: a reader never sees half a file). */
  async finish(operationId: string, samples: Buffer): Promise<void> {
    if (this.#dir === null) {
      this.#remember(operationId, Buffer.from(samples));
      return;
    }
    await mkdir(this.#dir, { recursive: true });
    const tmp = this.#path(operationId, `${process.pid}.tmp`);
    await writeFile(tmp, samples);
    await rename(tmp, this.#path(operationId, 'pcm'));
  }

  async #read(operationId: string): Promise<Buffer | 'capturing' | undefined> {
    if (this.#dir === null) return this.#memory.get(operationId);
    try {
      return await readFile(this.#path(operationId, 'pcm'));
    } catch {
      return (await stat(this.#path(operationId, 'capturing')).then(
        () => true,
        () => false,
      ))
        ? 'capturing'
        : undefined;
    }
  }

  /** The person's samples for the operation; waits up to `waitMs` for a capture in progress; undefined: none. */
  async samples(operationId: string, waitMs = CAPTURE_WAIT_MS): Promise<Buffer | undefined> {
    const until = Date.now() + waitMs;
    for (;;) {
      const got = await this.#read(operationId);
      if (got !== 'capturing') return got;
      if (Date.now() >= until) return undefined;
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    }
  }
}

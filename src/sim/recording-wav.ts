/**
 * The audio a simulated recordResponse "recorded": a WAV (RIFF, PCM 16-bit mono, 8 kHz) generated in code, the
 * length of the recording, so a bot can download, parse and measure it. Nothing is stored: the same operation
 * always yields the same bytes.
 */
export const RECORDING_SAMPLE_RATE = 8000;

/** A soft two-tone "voice" (pitch from the seed) for `ms` milliseconds, faded in and out to avoid clicks. */
export function recordingWav(ms: number, seed: string): Buffer {
  const samples = Math.max(0, Math.round((ms / 1000) * RECORDING_SAMPLE_RATE));
  const data = Buffer.alloc(samples * 2);
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const f1 = 180 + (h % 120);
  const f2 = f1 * 2.5;
  const fade = Math.min(400, Math.floor(samples / 2));
  for (let i = 0; i < samples; i++) {
    const t = i / RECORDING_SAMPLE_RATE;
    const envelope = Math.min(1, i / Math.max(1, fade), (samples - 1 - i) / Math.max(1, fade));
    const v = (0.25 * Math.sin(2 * Math.PI * f1 * t) + 0.1 * Math.sin(2 * Math.PI * f2 * t)) * envelope;
    data.writeInt16LE(Math.round(v * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(RECORDING_SAMPLE_RATE, 24);
  header.writeUInt32LE(RECORDING_SAMPLE_RATE * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

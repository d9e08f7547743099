/**
 * The softphone's audio: what the bot plays (a prompt's own audio when the browser can fetch its URI, else a tone
 * for the prompt's duration) and what the person says during a recordResponse (the microphone through WebAudio,
 * resampled to 8 kHz 16-bit mono PCM and encoded as WAV here, the format Switchboard's recording downloads serve).
 */

const RATE = 8000;

/** Plays a prompt's URIs in order; a URI the browser cannot fetch or decode gives way to a tone for the rest. */
export class PromptPlayer {
  #audio: HTMLAudioElement | null = null;
  #tone: { ctx: AudioContext; timer: number } | null = null;
  #stopped = false;

  constructor(
    readonly operationId: string,
    uris: string[],
    promptMs: number,
    private readonly onHeard: (what: string | null) => void,
  ) {
    this.#play(uris, 0, promptMs, Date.now());
  }

  #play(uris: string[], i: number, promptMs: number, started: number): void {
    if (this.#stopped) return;
    const uri = uris[i];
    if (uri === undefined) {
      this.onHeard(null);
      return;
    }
    const audio = new Audio(uri);
    this.#audio = audio;
    const fallBack = (): void => {
      if (this.#stopped || this.#audio !== audio) return;
      this.#audio = null;
      this.#playTone(uri, Math.max(0, promptMs - (Date.now() - started)));
    };
    audio.addEventListener('error', fallBack, { once: true });
    audio.addEventListener('ended', () => this.#play(uris, i + 1, promptMs, started), { once: true });
    // Said once it really plays: a URI that fails is a tone instead (fallBack).
    audio.addEventListener('playing', () => this.#audio === audio && this.onHeard(`Playing ${uri}`), { once: true });
    audio.play().catch(fallBack);
  }

  #playTone(uri: string, ms: number): void {
    this.onHeard(`Tone for ${(ms / 1000).toFixed(1)} s: the prompt ${uri} could not be fetched`);
    try {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 440;
      gain.gain.value = 0.08;
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      void ctx.resume();
      this.#tone = { ctx, timer: window.setTimeout(() => this.#endTone(), ms) };
    } catch {
      // No audio output (a locked-down browser): the text above still says what plays.
    }
  }

  #endTone(): void {
    if (!this.#tone) return;
    clearTimeout(this.#tone.timer);
    void this.#tone.ctx.close();
    this.#tone = null;
  }

  /** The prompt ended or was cancelled (the bot was told so): silence. */
  stop(): void {
    this.#stopped = true;
    this.#audio?.pause();
    this.#audio = null;
    this.#endTone();
  }
}

/** Listens to the microphone for one recordResponse operation. */
export class MicRecorder {
  #chunks: Float32Array[] = [];
  #rate = 48000;
  #stream: MediaStream | null = null;
  #ctx: AudioContext | null = null;
  #started: Promise<void> | null = null;

  constructor(readonly operationId: string) {}

  /** Starts listening and tells Switchboard a capture is under way (so the bot's download waits for it). */
  start(captureUrl: string, headers: Record<string, string>): Promise<void> {
    this.#started = (async () => {
      await fetch(captureUrl, { method: 'POST', headers });
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
      this.#stream = stream;
      const ctx = new AudioContext();
      this.#ctx = ctx;
      this.#rate = ctx.sampleRate;
      const source = ctx.createMediaStreamSource(stream);
      // ScriptProcessorNode: plain PCM on the main thread, no worklet module to load (this is a test tool).
      const proc = ctx.createScriptProcessor(4096, 1, 1);
      proc.onaudioprocess = (e) => this.#chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
      source.connect(proc);
      proc.connect(ctx.destination);
      await ctx.resume();
    })();
    return this.#started;
  }

  #release(): void {
    this.#stream?.getTracks().forEach((t) => t.stop());
    void this.#ctx?.close();
    this.#stream = null;
    this.#ctx = null;
  }

  /** The recording ended: the audio as WAV, uploaded to `uploadUrl`. */
  async finish(uploadUrl: string, headers: Record<string, string>): Promise<void> {
    await this.#started?.catch(() => undefined);
    this.#release();
    const wav = encodeWav(resample(this.#chunks, this.#rate, RATE));
    const res = await fetch(uploadUrl, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'audio/wav' },
      body: wav,
    });
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  }

  abort(): void {
    this.#release();
  }
}

/** Mono float samples at `from` Hz to `to` Hz, each output sample the mean of the input samples it covers. */
export function resample(chunks: Float32Array[], from: number, to: number): Float32Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const input = new Float32Array(total);
  let at = 0;
  for (const c of chunks) {
    input.set(c, at);
    at += c.length;
  }
  const ratio = from / to;
  const out = new Float32Array(Math.floor(total / ratio));
  for (let i = 0; i < out.length; i++) {
    const start = Math.floor(i * ratio);
    const end = Math.min(total, Math.floor((i + 1) * ratio));
    let sum = 0;
    for (let j = start; j < end; j++) sum += input[j]!;
    out[i] = end > start ? sum / (end - start) : 0;
  }
  return out;
}

/** RIFF WAVE, PCM 16-bit mono at 8 kHz. */
export function encodeWav(samples: Float32Array): Blob {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const v = new DataView(buf);
  const text = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i));
  };
  text(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, RATE, true);
  v.setUint32(28, RATE * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++)
    v.setInt16(44 + i * 2, Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), true);
  return new Blob([buf], { type: 'audio/wav' });
}

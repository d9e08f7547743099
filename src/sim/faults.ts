/** Parses the world file's `faults` list (and the control API's PUT /_switchboard/faults body); errors name the path. */
import { FAULT_MEDIA_CONFIGS, type Fault, type FaultMediaConfig } from '../domain/faults.js';

export class FaultsError extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      throw new FaultsError(`${where}.${k} is not a known property (allowed: ${allowed.join(', ')})`);
}

export function parseFaults(v: unknown, where: string): Fault[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new FaultsError(`${where} must be an array`);
  return v.map((raw, i): Fault => {
    const w = `${where}[${i}]`;
    if (!isRecord(raw)) throw new FaultsError(`${w} must be an object`);
    onlyKeys(raw, ['on', 'when', 'result', 'afterMs'], w);
    if (raw.on !== 'invite') throw new FaultsError(`${w}.on must be "invite" (the only fault point so far)`);
    const when = raw.when ?? {};
    if (!isRecord(when)) throw new FaultsError(`${w}.when must be an object`);
    onlyKeys(when, ['mediaConfig', 'replacesCallId'], `${w}.when`);
    if (when.mediaConfig !== undefined && !(FAULT_MEDIA_CONFIGS as readonly unknown[]).includes(when.mediaConfig)) {
      throw new FaultsError(`${w}.when.mediaConfig must be one of ${FAULT_MEDIA_CONFIGS.join(', ')}`);
    }
    if (when.replacesCallId !== undefined && typeof when.replacesCallId !== 'boolean')
      throw new FaultsError(`${w}.when.replacesCallId must be a boolean`);
    const result = raw.result;
    if (!isRecord(result)) throw new FaultsError(`${w}.result must be an object with code, subcode and message`);
    onlyKeys(result, ['code', 'subcode', 'message'], `${w}.result`);
    const { code, subcode, message } = result;
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 999)
      throw new FaultsError(`${w}.result.code must be an integer from 100 to 999`);
    if (typeof subcode !== 'number' || !Number.isInteger(subcode) || subcode < 0)
      throw new FaultsError(`${w}.result.subcode must be a non-negative integer`);
    if (typeof message !== 'string' || message.length === 0)
      throw new FaultsError(`${w}.result.message must be a non-empty string`);
    const afterMs = raw.afterMs ?? 0;
    if (typeof afterMs !== 'number' || !Number.isFinite(afterMs) || afterMs < 0)
      throw new FaultsError(`${w}.afterMs must be a non-negative number`);
    return {
      on: 'invite',
      when: {
        ...(when.mediaConfig !== undefined ? { mediaConfig: when.mediaConfig as FaultMediaConfig } : {}),
        ...(when.replacesCallId !== undefined ? { replacesCallId: when.replacesCallId } : {}),
      },
      result: { code, subcode, message },
      afterMs,
    };
  });
}

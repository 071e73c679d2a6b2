// The HLS/DASH session settings (MODE=hls, MODE=dash), read from the same
// variables as the rest (config.ts passes its number parser in).
import { DEFAULT_DASH_TEMPLATE, DEFAULT_HLS_TEMPLATE, checkStreamingTemplate } from '../../../common/playlist/templates.js';
import { DEFAULT_ABR, type AbrSettings } from './abr.js';

export interface StreamSettings {
  /** HLS_TEMPLATE: the master playlist of a key ({base} {key} {stem}). */
  hlsTemplate: string;
  /** DASH_TEMPLATE: the MPD of a key. */
  dashTemplate: string;
  abr: AbrSettings;
  /** ABR_FIXED: lowest, highest or N (0 = lowest): play that rendition, no adaptation (a baseline to compare ABR with). */
  fixed?: number;
}

type Num = (name: string, def: number, min: number, max?: number) => number;

export function streamSettings(get: (name: string) => string | undefined, num: Num): StreamSettings {
  const template = (name: string, def: string): string => {
    const t = get(name) ?? def;
    const problem = checkStreamingTemplate(t);
    if (problem) throw new Error(`${name}: ${problem}`);
    return t;
  };
  const out: StreamSettings = {
    hlsTemplate: template('HLS_TEMPLATE', DEFAULT_HLS_TEMPLATE),
    dashTemplate: template('DASH_TEMPLATE', DEFAULT_DASH_TEMPLATE),
    abr: {
      startKbps: num('ABR_START_KBPS', DEFAULT_ABR.startKbps, 1),
      safety: num('ABR_SAFETY', DEFAULT_ABR.safety, 0.01, 1),
      upMargin: num('ABR_UP_MARGIN', DEFAULT_ABR.upMargin, 1),
      upMinBufferSeconds: num('ABR_UP_MIN_BUFFER', num('PLAYER_STARTUP_SECONDS', DEFAULT_ABR.upMinBufferSeconds, 0), 0),
      holdSegments: num('ABR_HOLD_SEGMENTS', DEFAULT_ABR.holdSegments, 0),
      ewmaWeight: num('ABR_EWMA_WEIGHT', DEFAULT_ABR.ewmaWeight, 0.01, 1),
    },
  };
  const fixed = get('ABR_FIXED');
  if (fixed !== undefined && fixed !== '') {
    if (fixed === 'highest') out.fixed = -1;
    else if (fixed === 'lowest') out.fixed = 0;
    else if (/^\d+$/.test(fixed)) out.fixed = Number(fixed);
    else throw new Error(`ABR_FIXED must be lowest, highest or a rendition number (0 = lowest), got "${fixed}"`);
  }
  return out;
}

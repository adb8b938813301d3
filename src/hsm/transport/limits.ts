// The node's connection limits, read from its settings (src/hsm/settings.ts holds their defaults and bounds).
import { SETTINGS, type SettingKey, readSetting } from '../settings.js';
import type { Store } from '../store/store.js';

export interface TransportLimits {
  /** From TCP accept until the TLS handshake is done and the first complete frame has arrived. */
  firstFrameMs: number;
  /** From the first byte of a frame until its last byte. */
  frameBodyMs: number;
  /** A connection whose session is not logged in is closed after this long without a request. */
  unauthenticatedIdleMs: number;
  /** Concurrent connections; more are refused at once. */
  maxConnections: number;
  /** The node stops reading a connection while more than this many reply bytes wait to be sent on it. */
  maxUnsentReplyBytes: number;
}

type TransportSetting = Extract<
  SettingKey,
  | 'first_frame_timeout_seconds'
  | 'frame_body_timeout_seconds'
  | 'unauthenticated_idle_seconds'
  | 'max_connections'
  | 'max_unsent_reply_bytes'
>;

/** The limits from the node's settings (their defaults without a store), with overrides (tests use small ones). */
export function transportLimits(
  store: Store | undefined,
  overrides: Partial<TransportLimits> = {},
): TransportLimits {
  const read = (key: TransportSetting): number => (store ? readSetting(store, key) : SETTINGS[key].default!);
  return {
    firstFrameMs: read('first_frame_timeout_seconds') * 1000,
    frameBodyMs: read('frame_body_timeout_seconds') * 1000,
    unauthenticatedIdleMs: read('unauthenticated_idle_seconds') * 1000,
    maxConnections: read('max_connections'),
    maxUnsentReplyBytes: read('max_unsent_reply_bytes'),
    ...overrides,
  };
}

// The node's connection limits: one table of node settings with their defaults (to fold into src/hsm/settings.ts).

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

/** Node settings (store `settings` table, set at provisioning) and their defaults. Seconds accept decimals. */
export const TRANSPORT_SETTINGS = {
  first_frame_timeout_seconds: { field: 'firstFrameMs', default: 10, scale: 1000 },
  frame_body_timeout_seconds: { field: 'frameBodyMs', default: 10, scale: 1000 },
  unauthenticated_idle_seconds: { field: 'unauthenticatedIdleMs', default: 60, scale: 1000 },
  max_connections: { field: 'maxConnections', default: 256, scale: 1 },
  max_unsent_reply_bytes: { field: 'maxUnsentReplyBytes', default: 1024 * 1024, scale: 1 },
} as const satisfies Record<string, { field: keyof TransportLimits; default: number; scale: number }>;

export type TransportSettingName = keyof typeof TRANSPORT_SETTINGS;

/** The limits from the node's settings, a value that is not a positive number falling back to its default. */
export function transportLimits(
  getSetting: (name: string) => string | undefined,
  overrides: Partial<TransportLimits> = {},
): TransportLimits {
  const limits = {} as TransportLimits;
  for (const [name, spec] of Object.entries(TRANSPORT_SETTINGS)) {
    const value = Number(getSetting(name));
    limits[spec.field] = (Number.isFinite(value) && value > 0 ? value : spec.default) * spec.scale;
  }
  return { ...limits, ...overrides };
}

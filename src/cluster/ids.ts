// Identifiers in CloudHSM's shapes: cluster-xxxxxxxxxxx and hsm-xxxxxxxxxxx (11 lowercase base32 characters).
import crypto from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function randomBase32(length: number): string {
  const bytes = crypto.randomBytes(length);
  return [...bytes].map((b) => BASE32[b & 31]).join('');
}

export const newClusterId = () => `cluster-${randomBase32(11)}`;
export const newHsmId = () => `hsm-${randomBase32(11)}`;
export const newSerialNumber = () => `LHSM-${crypto.randomBytes(6).toString('hex').toUpperCase()}`;

// Deep copies of key records, so no store hands out an object it keeps.
import type { KeyRecord } from './record.js';

export const copyKey = (k: KeyRecord): KeyRecord => ({
  ...k,
  shared: [...k.shared],
  attributes: { ...k.attributes },
  material: Buffer.from(k.material),
});

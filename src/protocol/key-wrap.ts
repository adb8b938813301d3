// Wire shapes of key wrap/unwrap: the mechanism parameters both operations take (hex AAD/IV, hash names).
import { z } from 'zod';
import { UNWRAP_KEY_TYPE_CLASSES } from '../keys/material.js';
import { HASHES, MGFS } from '../keys/sign.js';
import { WRAP_MECHANISMS } from '../keys/wrap.js';

export { UNWRAP_KEY_TYPE_CLASSES, WRAP_MECHANISMS };

/** `0x`-optional hex, as `--aad` and `--iv` take it. */
export const HexSchema = z.string().max(2048);

/** Members of the key-wrap and key-unwrap arguments that only some mechanisms use (the node checks which). */
export const WrapParamsShape = {
  tagLengthBits: z.number().int().min(0).max(1024).optional(),
  aad: HexSchema.optional(),
  hash: z.enum(HASHES).optional(),
  mgf: z.enum(MGFS).optional(),
};

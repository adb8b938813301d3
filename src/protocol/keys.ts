// Wire shapes of the key plane: a key as one HSM shows it, and the bounds of key arguments.
import { z } from 'zod';

/** `0x` + hex or decimal, as `key-reference=` takes it; the node parses it. */
export const KeyRefSchema = z.string().max(24);
/** Filter words (`attr.label=x`, `key-reference=0x…`), ANDed. */
export const FilterSchema = z.array(z.string().max(1024)).max(32);
/** `NAME=VALUE` words of `--attributes` and friends. */
export const AttributeWordsSchema = z.array(z.string().max(1024)).max(32);

const AttributeValueSchema = z.union([z.string(), z.number(), z.boolean()]);

/**
 * One key as one HSM holds it. Non-verbose listings carry `ref`, `label` and `session` only; every other
 * member is there in verbose listings and replies to changes. Attributes are in display order (spec §2.5).
 */
export const KeyViewSchema = z.object({
  ref: z.string(),
  label: z.string(),
  session: z.boolean(),
  owner: z.string().optional(),
  shared: z.array(z.string()).optional(),
  manageQuorum: z.number().int().optional(),
  useQuorum: z.number().int().optional(),
  attributes: z.record(z.string(), AttributeValueSchema).optional(),
});
export type KeyView = z.infer<typeof KeyViewSchema>;

/** A key copy sealed under the cluster masking key (base64): what the client carries to the other HSMs. */
export const KeyCopySchema = z.string().max(64 * 1024);

/** What a key creation returns: the new keys (pair: public first) and, for token keys, their sealed copies. */
export const CreatedKeysSchema = z.object({ keys: z.array(KeyViewSchema), copies: z.array(KeyCopySchema) });

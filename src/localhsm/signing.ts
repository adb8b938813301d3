// The signer a localhsm command's options name (--private-key, --pkcs11-*, --sign-command), opened with
// prompts on this process's terminal and always closed; every signature checked before it is returned.
import type { KeyObject } from 'node:crypto';
import type { ParsedOptions } from '../command/spec.js';
import { type LocalSignerOptionName, openSigner, signerChoice } from '../signers/options.js';
import { PemSigner } from '../signers/pem-signer.js';
import { type TokenSigner, signAll } from '../signers/signer.js';
import type { LocalContext } from './context.js';
import { localPromptIo } from './prompt-io.js';

export interface LocalSignerOverrides {
  /** A command's own reading of a --private-key PEM file (its prompts, checks and messages). */
  pemKey?(file: string): Promise<KeyObject>;
}

export async function withLocalSigner<T>(
  options: ParsedOptions<LocalSignerOptionName>,
  ctx: LocalContext,
  fn: (signer: TokenSigner) => Promise<T>,
  overrides: LocalSignerOverrides = {},
): Promise<T> {
  const choice = signerChoice(options, 'private-key');
  if (!choice) throw new Error('no signer option after parsing (the spec needs LOCAL_SIGNER_RULES)');
  const io = localPromptIo(ctx);
  try {
    const signer =
      choice.kind === 'pem' && overrides.pemKey
        ? PemSigner.fromKey(await overrides.pemKey(choice.file), `the private key ${choice.file}`)
        : await openSigner(choice, { warn: ctx.err, prompt: io.prompt }, { env: ctx.env });
    try {
      return await fn(signer);
    } finally {
      await signer.close();
    }
  } finally {
    io.close();
  }
}

/** Signs tokens (32 bytes each) with the signer the options name; each signature is verified first. */
export function signTokensWithOptions(
  options: ParsedOptions<LocalSignerOptionName>,
  ctx: LocalContext,
  tokens: readonly Buffer[],
  overrides: LocalSignerOverrides = {},
): Promise<Buffer[]> {
  return withLocalSigner(options, ctx, (signer) => signAll(signer, tokens), overrides);
}

/** One token (a quorum approval's top-level `token`): its verified signature by the signer the options name. */
export async function signTokenWithOptions(
  options: ParsedOptions<LocalSignerOptionName>,
  ctx: LocalContext,
  token: Buffer,
  overrides: LocalSignerOverrides = {},
): Promise<Buffer> {
  const [signature] = await signTokensWithOptions(options, ctx, [token], overrides);
  return signature!;
}

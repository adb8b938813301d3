// The signer a localhsm command's options name (--private-key, --pkcs11-*, --sign-command), opened with
// prompts on this process's terminal and always closed; every signature checked before it is returned.
import type { ParsedOptions } from '../cli/spec.js';
import { openSigner, signerChoice } from '../signers/options.js';
import { type TokenSigner, signAll } from '../signers/signer.js';
import type { LocalContext } from './context.js';
import { localPromptIo } from './prompt-io.js';

export async function withLocalSigner<T>(
  options: ParsedOptions,
  ctx: LocalContext,
  fn: (signer: TokenSigner) => Promise<T>,
): Promise<T> {
  const choice = signerChoice(options, 'private-key');
  if (!choice) throw new Error('no signer option after parsing (the spec needs LOCAL_SIGNER_RULES)');
  const io = localPromptIo(ctx);
  try {
    const signer = await openSigner(choice, { warn: ctx.err, prompt: io.prompt }, { env: ctx.env });
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
  options: ParsedOptions,
  ctx: LocalContext,
  tokens: readonly Buffer[],
): Promise<Buffer[]> {
  return withLocalSigner(options, ctx, (signer) => signAll(signer, tokens));
}

/** One token (a quorum approval's top-level `token`): its verified signature by the signer the options name. */
export async function signTokenWithOptions(
  options: ParsedOptions,
  ctx: LocalContext,
  token: Buffer,
): Promise<Buffer> {
  const [signature] = await signTokensWithOptions(options, ctx, [token]);
  return signature!;
}

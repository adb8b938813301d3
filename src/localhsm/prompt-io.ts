// Prompts for localhsm commands (a token PIN, hidden on a terminal; a line of stdin otherwise), opened
// only when a command asks, so that commands that never prompt never touch stdin.
import { LineInput } from '../command/line-input.js';
import { promptingIo } from '../command/prompting-io.js';
import type { SignerIo } from '../signers/signer.js';
import type { LocalContext } from './context.js';

export interface LocalPromptIo extends SignerIo {
  close(): void;
}

export function localPromptIo(ctx: LocalContext): LocalPromptIo {
  let input: LineInput | undefined;
  const io = promptingIo(
    () =>
      (input ??= new LineInput({ input: ctx.stdin, output: ctx.stderr, terminal: ctx.stdin.isTTY === true })),
    ctx.stderr,
  );
  return { ...io, close: () => input?.close() };
}

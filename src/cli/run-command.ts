// Runs one resolved cloudhsm-cli command and turns its outcome into the JSON envelope (shell and single mode).
import { HsmError } from '../errors.js';
import type { CliCommand, CliContext } from './context.js';
import { type Envelope, errorEnvelope, successEnvelope } from './output.js';
import type { ParsedOptions } from '../command/spec.js';
import { CommandCancelled } from '../command/prompting-io.js';
import { nextStep } from './hints.js';

export async function runCommand(
  command: CliCommand,
  options: ParsedOptions,
  ctx: CliContext,
): Promise<Envelope> {
  try {
    return successEnvelope(await command.run(options, ctx));
  } catch (error) {
    // A cancelled prompt has no answer to print: the caller goes back to its prompt (or exits).
    if (error instanceof CommandCancelled) throw error;
    if (!(error instanceof HsmError)) {
      ctx.io.warn(`error: ${(error as Error)?.message ?? String(error)}`);
      if (ctx.env.LOCALHSM_DEBUG) ctx.io.warn(String((error as Error)?.stack));
    }
    const hint = nextStep(error, ctx.session);
    if (hint) ctx.io.warn(hint);
    return errorEnvelope(error);
  }
}

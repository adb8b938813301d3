// configure-cli entry point: changes the cloudhsm-cli.cfg that cloudhsm-cli reads in the same place.
import { chooseConfig } from '../cluster/install-paths.js';
import type { ProcessIo } from '../command/process-io.js';
import { reportParseOutcome } from '../command/parse.js';
import { helpFor, resolve } from '../command/tree.js';
import { HsmError } from '../errors.js';
import { takeStateOption } from '../cli/main.js';
import type { ConfigureContext } from './context.js';
import { configureTree } from './registry.js';

/** `-a A B C` (one -a, several addresses, as clap's variadic option takes them) becomes `-a A -a B -a C`. */
export function spreadAddresses(argv: readonly string[]): string[] {
  const out: string[] = [];
  let inAddresses = false;
  for (const word of argv) {
    if (word === '-a' || word === '--address') {
      inAddresses = true;
      out.push(word);
      continue;
    }
    if (inAddresses && out[out.length - 1] !== '-a' && out[out.length - 1] !== '--address') {
      if (word.startsWith('-') || configureTree.commands.some((c) => c.path[0] === word)) inAddresses = false;
      else out.push('-a');
    }
    out.push(word);
  }
  return out;
}

export async function configureCliMain(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: ProcessIo,
  cwd = process.cwd(),
): Promise<number> {
  const { state, rest } = takeStateOption(argv);
  const ctx: ConfigureContext = {
    config: chooseConfig(state, env, cwd),
    env,
    cwd,
    err: (line) => io.stderr.write(`${line}\n`),
  };
  try {
    // clap's `help [COMMAND]` (the tree treats a word after a command with options as an argument).
    if (rest[0] === 'help') {
      io.stdout.write(helpFor(configureTree, rest.slice(1), ['configure-cli']) + '\n');
      return 0;
    }
    const { spec, options } = resolve(configureTree, spreadAddresses(rest), ['configure-cli']);
    return await spec.run(options, ctx);
  } catch (error) {
    const parseOutcome = reportParseOutcome(error, io.stdout, io.stderr);
    if (parseOutcome !== undefined) return parseOutcome;
    ctx.err(
      `error: ${error instanceof HsmError ? error.message : ((error as Error)?.message ?? String(error))}`,
    );
    if (error instanceof HsmError && error.code === 'ERR_CONFIG' && error.params.detail === 'ENOENT')
      ctx.err(
        'hint: configure-cli changes the config cloudhsm-cli reads: that of --state DIR, else $LOCALHSM_STATE, ' +
          'else ./.localhsm, else /opt/cloudhsm/etc/cloudhsm-cli.cfg (put there by localhsm install-paths)',
      );
    return 1;
  }
}

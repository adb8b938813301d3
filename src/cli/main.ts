// cloudhsm-cli entry point: single-command mode and `interactive`; the boundary that prints and sets the exit status.
import type { ProcessIo } from '../command/process-io.js';
import { loginCluster } from '../cluster/operations.js';
import { chooseConfig } from '../cluster/install-paths.js';
import { paths } from '../cluster/state-dir.js';
import { HsmError } from '../errors.js';
import { LOGIN_ROLES, isLoginRole } from '../protocol/types.js';
import { type CliCommand, type CliContext, CliSession, type EnvLogin } from './context.js';
import { CommandCancelled, EXIT_CANCELLED, promptingIo } from '../command/prompting-io.js';
import { LineInput } from '../command/line-input.js';
import { renderEnvelope, errorEnvelope } from './output.js';
import { reportParseOutcome } from '../command/parse.js';
import { cliTree } from './registry.js';
import { runCommand } from './run-command.js';
import { runShell } from './shell.js';
import { installedConfig, nextStep, stateSource } from './hints.js';
import { resolve } from '../command/tree.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;

/** Takes the LocalHSM-only leading `--state DIR` option off argv. */
export function takeStateOption(argv: readonly string[]): { state: string | undefined; rest: string[] } {
  if (argv[0] === '--state' && argv[1] !== undefined) return { state: argv[1], rest: argv.slice(2) };
  if (argv[0]?.startsWith('--state='))
    return { state: argv[0].slice('--state='.length), rest: argv.slice(1) };
  return { state: undefined, rest: [...argv] };
}

export async function cloudhsmCliMain(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: ProcessIo,
): Promise<number> {
  const { state, rest } = takeStateOption(argv);
  // The state directory's config, else the one `localhsm install-paths` put in /opt/cloudhsm/etc (or its prefix).
  const config = chooseConfig(state, env);
  const history = config.stateDir === undefined ? undefined : paths(config.stateDir).history;
  const session = new CliSession(config.file);
  if (config.stateDir !== undefined)
    session.state = {
      dir: config.stateDir,
      source: stateSource(state, env),
      installed: installedConfig(env),
    };
  let input: LineInput | undefined;
  const lineInput = () =>
    (input ??= new LineInput({
      input: io.stdin,
      output: io.stderr,
      terminal: io.stdin.isTTY === true,
      historyFile: history,
    }));
  try {
    if (rest[0] === 'interactive')
      return await runShell(rest.slice(1), { session, env, io, historyFile: history });
    const tree = cliTree('cloudhsm-cli');
    let resolved;
    try {
      resolved = resolve(tree, rest, ['cloudhsm-cli']);
    } catch (error) {
      const parseOutcome = reportParseOutcome(error, io.stdout, io.stderr);
      if (parseOutcome === undefined) throw error;
      return parseOutcome;
    }
    const ctx: CliContext = { io: promptingIo(lineInput, io.stderr), session, env };
    const command = resolved.spec as (typeof tree.commands)[number] &
      Pick<CliCommand, 'needsLogin' | 'envLogins'>;
    const logins = command.envLogins ?? [{ option: 'cluster-id', prefix: 'CLOUDHSM_' }];
    const wanted = logins.filter(({ prefix }) => env[`${prefix}ROLE`] || env[`${prefix}PIN`]);
    if (command.needsLogin && wanted.length > 0) {
      try {
        // One login per cluster: a replicate naming one cluster as both ends is refused by the command.
        const clusters = new Set<string | undefined>();
        for (const { option, prefix } of wanted) {
          const clusterId = resolved.options.string(option);
          if (clusters.has(clusterId)) continue;
          clusters.add(clusterId);
          await loginFromEnvironment(ctx, clusterId, prefix);
        }
      } catch (error) {
        const hint = nextStep(error, session);
        if (hint) ctx.io.warn(hint);
        io.stdout.write(renderEnvelope(errorEnvelope(error)));
        return EXIT_FAILED;
      }
    }
    let envelope;
    try {
      envelope = await runCommand(command, resolved.options, ctx);
    } catch (error) {
      if (error instanceof CommandCancelled) return EXIT_CANCELLED;
      throw error;
    }
    io.stdout.write(renderEnvelope(envelope));
    return envelope.error_code === 0 ? EXIT_OK : EXIT_FAILED;
  } finally {
    input?.close();
    session.close();
  }
}

/**
 * Single-command mode: CLOUDHSM_ROLE and CLOUDHSM_PIN=username:password (split at the first colon); `user
 * replicate` also logs in to its destination with DESTINATION_CLOUDHSM_ROLE / DESTINATION_CLOUDHSM_PIN.
 */
async function loginFromEnvironment(
  ctx: CliContext,
  clusterId: string | undefined,
  prefix: EnvLogin['prefix'],
): Promise<void> {
  const role = ctx.env[`${prefix}ROLE`] ?? '';
  const pin = ctx.env[`${prefix}PIN`] ?? '';
  if (!isLoginRole(role))
    throw new HsmError('ERR_ENV_ROLE', { variable: `${prefix}ROLE`, possible: LOGIN_ROLES.join(' or ') });
  const colon = pin.indexOf(':');
  if (colon <= 0) throw new HsmError('ERR_ENV_PIN', { variable: `${prefix}PIN` });
  await loginCluster(
    ctx.session.cluster(clusterId),
    { username: pin.slice(0, colon), role, password: pin.slice(colon + 1) },
    ctx.io.warn,
  );
}

// What a localhsm command runs with: output streams, environment, and the shared --state option.
import type { Readable, Writable } from 'node:stream';
import { resolveStateDir } from '../cluster/state-dir.js';
import type { CommandSpec, OptionSpec, ParsedOptions } from '../command/spec.js';

export interface LocalContext {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
}

/** A localhsm command returns its exit status. */
export type LocalCommand<Name extends string = string> = CommandSpec<LocalContext, number, Name>;

/** A localhsm command whose `run` may ask only for the options it declares (see defineCommand). */
export function localCommand<const Name extends string>(spec: LocalCommand<Name>): LocalCommand<Name> {
  return spec;
}

export const STATE_OPTION: OptionSpec<'state'> = {
  long: 'state',
  value: 'DIR',
  help: 'Cluster state directory [default: $LOCALHSM_STATE, else ./.localhsm]',
};

export function stateDirOf(options: ParsedOptions<'state'>, ctx: LocalContext): string {
  return resolveStateDir(options.string('state'), ctx.env);
}

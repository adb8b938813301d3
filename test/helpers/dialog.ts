// Test helper: cloudhsm-cli in-process with a live stdin, answering each prompt only once it has been
// shown (so an answer can depend on what the command wrote before asking, like a signed token file).
import { PassThrough } from 'node:stream';
import { cloudhsmCliMain } from '../../src/cli/main.js';
import type { CliRun } from './cluster.js';

export interface Step {
  /** Text the command prints on stderr before it wants this answer. */
  prompt: string;
  answer: string | (() => string | Promise<string>);
}

export async function dialog(
  state: string,
  args: readonly string[],
  steps: readonly Step[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  let err = '';
  let searchFrom = 0;
  let next = 0;
  let answering = Promise.resolve();
  const advance = () => {
    while (next < steps.length) {
      const step = steps[next]!;
      const at = err.indexOf(step.prompt, searchFrom);
      if (at === -1) return;
      searchFrom = at + step.prompt.length;
      next++;
      answering = answering.then(async () => {
        const text = typeof step.answer === 'string' ? step.answer : await step.answer();
        stdin.write(`${text}\n`);
        if (next === steps.length) stdin.end();
      });
    }
  };
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    advance();
  });
  if (steps.length === 0) stdin.end();
  const exitCode = await cloudhsmCliMain(args, { LOCALHSM_STATE: state, ...env }, { stdin, stdout, stderr });
  await answering;
  if (!stdin.writableEnded) stdin.end();
  const text = Buffer.concat(out).toString('utf8');
  let json: CliRun['json'];
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { exitCode, stdout: text, stderr: err, json };
}

// The AWS CloudHSM user guide's documented user-plane examples (test/examples/documented/user-plane.json), run in
// order against a real 2-HSM cluster through bin/cloudhsm-cli, each prompt answered once it has been shown.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../helpers/cluster.js';
import { envelopes } from '../helpers/envelopes.js';
import {
  CLOUDHSM_CLI_BIN,
  LOCALHSM_BIN,
  ROOT,
  cleanEnv,
  downIfPresent,
  upDetached,
} from '../helpers/processes.js';

/** What the person does before typing a step: sign a token file, add an approver's signature (real binaries). */
interface Actions {
  /** Fill the token file's `signed` values with this user's key (`localhsm token sign`). */
  sign?: { file: string; key: string };
  /** Add this approver's signature to a quorum approval file (`localhsm quorum approve`). */
  approve?: { file: string; username: string; key: string }[];
}
type Answer = { prompt: string; answer: string } & Actions;
type SessionStep = ({ command: string } & Actions) | Answer;
interface Example {
  page: string;
  title: string;
  pending?: string;
  not_followed?: string;
  /** For pending and not-followed examples: the example as the page shows it, when it is not run as is. */
  documented?: string;
  mode?: 'single' | 'interactive';
  as?: string;
  /** Done before the command starts (single-command mode: e.g. a token file signed in between two processes). */
  actions?: Actions;
  command?: string[];
  prompts?: Answer[];
  session?: SessionStep[];
  expect?: {
    exit: number;
    json?: unknown;
    envelopes?: unknown[];
    stdout_includes?: string[];
    files?: Record<string, unknown>;
  };
}
interface Examples {
  users: Record<string, { role: string; password: string }>;
  keys: string[];
  examples: Example[];
}

export const EXAMPLES_FILE = path.join(ROOT, 'test', 'examples', 'documented', 'user-plane.json');
const data = JSON.parse(fs.readFileSync(EXAMPLES_FILE, 'utf8')) as Examples;
const SHELL_PROMPT = 'aws-cloudhsm > ';
/** A safety net against a command that never asks what the example expects; not a timing assertion. */
const HUNG_MS = 60_000;

/** Whether `actual` has the documented shape: placeholders stand for random or machine-specific values. */
export function matches(actual: unknown, expected: unknown, at = '$'): string | undefined {
  if (expected === '<anything>') return undefined;
  if (expected === '<any>') return typeof actual === 'string' ? undefined : `${at}: not a string`;
  if (expected === '<number>') return typeof actual === 'number' ? undefined : `${at}: not a number`;
  if (expected === '<base64>')
    return typeof actual === 'string' && actual !== '' && /^[A-Za-z0-9+/]+={0,2}$/.test(actual)
      ? undefined
      : `${at}: not base64`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return `${at}: expected an array of ${expected.length}, got ${JSON.stringify(actual)}`;
    for (const [i, e] of expected.entries()) {
      const problem = matches(actual[i], e, `${at}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `${at}: expected an object, got ${JSON.stringify(actual)}`;
    const { '<more>': more, ...fields } = expected as Record<string, unknown>;
    const keys = Object.keys(actual);
    if (!more && keys.join() !== Object.keys(fields).join())
      return `${at}: keys ${keys.join(',')} instead of ${Object.keys(fields).join(',')}`;
    for (const [key, e] of Object.entries(fields)) {
      const problem = matches((actual as Record<string, unknown>)[key], e, `${at}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return Object.is(actual, expected)
    ? undefined
    : `${at}: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`;
}

/** Replaces {{work}} and {{pw:NAME}} in every string of a value. */
function fill<T>(value: T, work: string): T {
  return JSON.parse(
    JSON.stringify(value).replace(/\{\{(work|pw:([a-z0-9_]+))\}\}/g, (_, what: string, user?: string) => {
      if (what === 'work') return work;
      const known = data.users[user!];
      if (!known) throw new Error(`no password for ${user} in ${EXAMPLES_FILE}`);
      return known.password;
    }),
  ) as T;
}

/**
 * Runs bin/cloudhsm-cli in `work`, sending each step's text once its prompt is on stderr: a command after the
 * shell prompt, an answer after its own prompt (signing the token file first where the example says so).
 */
function converse(
  args: readonly string[],
  steps: readonly SessionStep[],
  env: NodeJS.ProcessEnv,
  work: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLOUDHSM_CLI_BIN, ...args], {
      cwd: work,
      env: cleanEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let searchFrom = 0;
    let next = 0;
    const advance = () => {
      while (next < steps.length) {
        const step = steps[next]!;
        const wanted = 'command' in step ? SHELL_PROMPT : step.prompt;
        const at = stderr.indexOf(wanted, searchFrom);
        if (at === -1) return;
        searchFrom = at + wanted.length;
        next++;
        const failed = act(step, work, env);
        if (failed) reject(new Error(failed));
        child.stdin.write(`${'command' in step ? step.command : step.answer}\n`);
      }
      child.stdin.end();
    };
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cloudhsm-cli ${args.join(' ')} hung after step ${next}:\n${stdout}\n${stderr}`));
    }, HUNG_MS);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      advance();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ exitCode: code ?? -1, stdout, stderr });
    });
    if (steps.length === 0) child.stdin.end();
  });
}

const keyFile = (work: string, name: string) => path.join(work, `${name}.key`);

/** Runs the step's actions with bin/localhsm; returns what failed, if anything. */
function act(step: Actions, work: string, env: NodeJS.ProcessEnv): string | undefined {
  const commands = [
    ...(step.sign
      ? [['token', 'sign', '--token', step.sign.file, '--private-key', keyFile(work, step.sign.key)]]
      : []),
    ...(step.approve ?? []).map((a) => [
      'quorum',
      'approve',
      '--token',
      a.file,
      '--username',
      a.username,
      '--private-key',
      keyFile(work, a.key),
    ]),
  ];
  for (const args of commands) {
    const run = spawnSync(process.execPath, [LOCALHSM_BIN, ...args], {
      cwd: work,
      env: cleanEnv({ LOCALHSM_STATE: env.LOCALHSM_STATE }),
      encoding: 'utf8',
    });
    if (run.status !== 0) return `localhsm ${args.join(' ')} failed: ${run.stderr}`;
  }
  return undefined;
}

describe('documented examples of the user guide (user plane)', () => {
  const runnable = data.examples.filter((e) => !e.pending && !e.not_followed);
  const pending = data.examples.filter((e) => e.pending);
  const notFollowed = data.examples.filter((e) => e.not_followed);
  let state: string;
  let work: string;

  before(async () => {
    state = tempDir('localhsm-documented-');
    work = tempDir('localhsm-documented-work-');
    for (const name of data.keys) {
      const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      fs.writeFileSync(keyFile(work, name), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
      });
      fs.writeFileSync(path.join(work, `${name}.pub`), publicKey.export({ type: 'spki', format: 'pem' }));
    }
    await upDetached(state, 2);
  });
  after(async () => {
    await downIfPresent(state);
    fs.rmSync(state, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('the data file: every example cites a page and says how it runs; pending and not-followed ones are counted', (t) => {
    for (const e of data.examples) {
      assert.match(e.page, /^[a-z0-9_-]+\.html$/, e.title);
      if (e.pending || e.not_followed)
        assert.ok(e.documented ?? e.command ?? e.session, `${e.title}: what the page shows`);
      else assert.ok(e.expect && (e.mode === 'single' ? e.command : e.session), `${e.title}: how it runs`);
    }
    const byFeature = new Map<string, number>();
    for (const e of pending) byFeature.set(e.pending!, (byFeature.get(e.pending!) ?? 0) + 1);
    t.diagnostic(
      `${data.examples.length} documented examples: ${runnable.length} run, ${notFollowed.length} deliberately not followed, ` +
        `${pending.length} pending (${[...byFeature].map(([f, n]) => `${f}: ${n}`).join('; ')})`,
    );
    assert.ok(runnable.length >= 20);
  });

  it('docs/decisions.md lists every example LocalHSM deliberately does not follow, by page', () => {
    const decisions = fs.readFileSync(path.join(ROOT, 'docs', 'decisions.md'), 'utf8');
    const section = decisions.split('### Fidelity (issue 14): documented examples not followed')[1];
    assert.ok(section, 'the section exists');
    const body = section.split(/\n#{2,3} /)[0]!;
    for (const e of notFollowed) assert.ok(body.includes(e.page), `${e.page} (${e.title}) is in the section`);
  });

  for (const example of runnable) {
    it(`${example.page}: ${example.title}`, async () => {
      const e = fill(example, work) as Example & { expect: NonNullable<Example['expect']> };
      const login = e.as
        ? { CLOUDHSM_ROLE: data.users[e.as]!.role, CLOUDHSM_PIN: `${e.as}:${data.users[e.as]!.password}` }
        : {};
      const env = { LOCALHSM_STATE: state, ...login };
      const failed = e.actions && act(e.actions, work, env);
      assert.equal(failed, undefined);
      const run =
        e.mode === 'single'
          ? await converse(e.command!, e.prompts ?? [], env, work)
          : await converse(['interactive'], e.session!, env, work);
      const transcript = `exit ${run.exitCode}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
      assert.equal(run.exitCode, e.expect.exit, transcript);
      if (e.expect.json !== undefined) {
        const problem = matches(JSON.parse(run.stdout), e.expect.json);
        assert.equal(problem, undefined, `${problem}\n${transcript}`);
      }
      if (e.expect.envelopes) {
        const problem = matches(envelopes(run.stdout), e.expect.envelopes);
        assert.equal(problem, undefined, `${problem}\n${transcript}`);
      }
      const lines = run.stdout.split('\n');
      for (const line of e.expect.stdout_includes ?? [])
        assert.ok(lines.includes(line), `${line}\n${transcript}`);
      for (const [file, shape] of Object.entries(e.expect.files ?? {})) {
        const problem = matches(JSON.parse(fs.readFileSync(file, 'utf8')), shape, file);
        assert.equal(problem, undefined, problem);
      }
    });
  }
});

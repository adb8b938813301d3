// The key-plane documented examples of spec §21 (test/examples/documented/key-plane.json), each run through
// bin/cloudhsm-cli on a real 2-HSM cluster after its preconditions; random values are compared by shape and
// by the relations the spec gives (check-value = SHA-1 of the key's own SPKI, counts, order, next_token, values
// an earlier step returned, sizes).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { paths, readManifest } from '../../src/cluster/state-dir.js';
import { tempDir } from '../helpers/cluster.js';
import { envelopes } from '../helpers/envelopes.js';
import {
  type ProcessRun,
  ROOT,
  cloudhsmCli,
  downIfPresent,
  localhsm,
  upDetached,
} from '../helpers/processes.js';

/**
 * A precondition: a command run as a user (its result may be saved for later steps; `cluster: "clone"` runs it
 * with the clone's configuration, which names both clusters; `fails`: its refusal is the point), a file
 * written, or a `localhsm` command (stopping and starting an HSM).
 */
type Given =
  | {
      as: string;
      command: string;
      save?: Record<string, string>;
      cluster?: 'clone';
      fails?: boolean;
      destination_as?: string;
    }
  | { write: string; text: string }
  | { localhsm: string[] };
interface Example {
  id: string;
  title: string;
  page: string;
  documented: string;
  pending?: string;
  not_followed?: string;
  corrected?: string;
  shape_only?: string;
  as?: string;
  /** key replicate: DESTINATION_CLOUDHSM_ROLE / _PIN of this user (cloudhsm-cli.md §1.3). */
  destination_as?: string;
  /** `clone`: the command runs with the clone's configuration (both clusters; --cluster-id needed). */
  cluster?: 'clone';
  given?: Given[];
  command?: string;
  expect?: { error_code: number; json?: unknown };
}
interface Examples {
  users: Record<string, { role: string; password: string }>;
  examples: Example[];
}

export const KEY_EXAMPLES_FILE = path.join(ROOT, 'test', 'examples', 'documented', 'key-plane.json');
const data = JSON.parse(fs.readFileSync(KEY_EXAMPLES_FILE, 'utf8')) as Examples;
const NOT_FOLLOWED_HEADING = '### Keys and crypto (issue 16): documented examples not followed';

/** Splits a documented command line into argv as a shell would (double quotes group and disappear). */
export function argv(line: string): string[] {
  const args: string[] = [];
  let current: string | undefined;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') {
      quoted = !quoted;
      current ??= '';
    } else if (ch === ' ' && !quoted) {
      if (current !== undefined) args.push(current);
      current = undefined;
    } else current = (current ?? '') + ch;
  }
  if (current !== undefined) args.push(current);
  return args;
}

/** The value at a `$.a.b` path. */
function at(value: unknown, jsonPath: string): unknown {
  return jsonPath
    .split('.')
    .slice(1)
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}

/**
 * Spec §2.7: an asymmetric key's check-value is the first 3 bytes of SHA-1 over its DER SubjectPublicKeyInfo.
 * Returns the problems found in every key object of `value` that shows its public half.
 */
export function checkValueProblems(value: unknown, where = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => checkValueProblems(v, `${where}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  const problems = Object.entries(object).flatMap(([k, v]) => checkValueProblems(v, `${where}.${k}`));
  const attrs = object['attributes'] as Record<string, unknown> | undefined;
  if (!attrs || typeof attrs['check-value'] !== 'string') return problems;
  const b64url = (hex: string) => Buffer.from(hex.replace(/^0x/, ''), 'hex').toString('base64url');
  let spki: Buffer | undefined;
  if (attrs['key-type'] === 'rsa' && typeof attrs['modulus'] === 'string')
    spki = crypto
      .createPublicKey({
        key: { kty: 'RSA', n: b64url(attrs['modulus']), e: b64url(attrs['public-exponent'] as string) },
        format: 'jwk',
      })
      .export({ type: 'spki', format: 'der' });
  if (attrs['key-type'] === 'ec' && typeof attrs['ec-point'] === 'string') {
    const bytes = Buffer.from(attrs['ec-point'].replace(/^0x/, ''), 'hex');
    // The DER OCTET STRING form (spec §2.7) wraps the raw point 04‖X‖Y.
    const point = bytes[0] === 0x04 && bytes[1] === bytes.length - 2 ? bytes.subarray(2) : bytes;
    spki = crypto
      .createPublicKey({ key: ecSpki(attrs['curve'] as string, point), format: 'der', type: 'spki' })
      .export({ type: 'spki', format: 'der' });
  }
  if (!spki) return problems;
  const expected = `0x${crypto.createHash('sha1').update(spki).digest('hex').slice(0, 6)}`;
  if (attrs['check-value'] !== expected)
    problems.push(
      `${where}: check-value ${String(attrs['check-value'])} is not SHA-1(SPKI)[0:3] = ${expected}`,
    );
  return problems;
}

const CURVE_OIDS: Record<string, string> = {
  secp224r1: '06052b81040021',
  secp256r1: '06082a8648ce3d030107',
  prime256v1: '06082a8648ce3d030107',
  secp384r1: '06052b81040022',
  secp256k1: '06052b8104000a',
};

/** SubjectPublicKeyInfo DER of an uncompressed EC point (id-ecPublicKey, the curve's OID). */
function ecSpki(curve: string, point: Buffer): Buffer {
  const der = (tag: number, body: Buffer) => {
    const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
    return Buffer.concat([Buffer.from([tag]), len, body]);
  };
  const algorithm = der(
    0x30,
    Buffer.concat([Buffer.from('06072a8648ce3d0201', 'hex'), Buffer.from(CURVE_OIDS[curve]!, 'hex')]),
  );
  return der(0x30, Buffer.concat([algorithm, der(0x03, Buffer.concat([Buffer.from([0]), point]))]));
}

/** Whether `actual` has the documented shape; placeholders (`<key-reference>`, `<hex>`, ...) stand for random values. */
export function keyMatches(actual: unknown, expected: unknown, where = '$'): string | undefined {
  if (expected === '<key-reference>')
    return typeof actual === 'string' && /^0x[0-9a-f]{16}$/.test(actual)
      ? undefined
      : `${where}: not a key reference`;
  if (expected === '<check-value>')
    return typeof actual === 'string' && /^0x[0-9a-f]{6}$/.test(actual)
      ? undefined
      : `${where}: not a check value`;
  if (expected === '<hex>')
    return typeof actual === 'string' && /^0x([0-9a-f]{2})+$/.test(actual) ? undefined : `${where}: not hex`;
  // `<hex:N>` / `<base64:N>`: a random value of a documented length in bytes (an IV, wrapped key data).
  const sized = typeof expected === 'string' ? /^<(hex|base64):(\d+)>$/.exec(expected) : null;
  if (sized) {
    const [, kind, bytes] = sized;
    const ok =
      typeof actual === 'string' &&
      (kind === 'hex'
        ? /^0x([0-9a-f]{2})*$/.test(actual) && actual.length === 2 + 2 * Number(bytes)
        : /^[A-Za-z0-9+/]*={0,2}$/.test(actual) && Buffer.from(actual, 'base64').length === Number(bytes));
    return ok ? undefined : `${where}: ${JSON.stringify(actual)} is not ${kind} of ${bytes} bytes`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return `${where}: expected an array of ${expected.length}, got ${JSON.stringify(actual)}`;
    for (const [i, e] of expected.entries()) {
      const problem = keyMatches(actual[i], e, `${where}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `${where}: expected an object, got ${JSON.stringify(actual)}`;
    const keys = Object.keys(actual);
    if (keys.join() !== Object.keys(expected).join())
      return `${where}: keys ${keys.join(',')} instead of ${Object.keys(expected).join(',')}`;
    for (const [key, e] of Object.entries(expected)) {
      const problem = keyMatches((actual as Record<string, unknown>)[key], e, `${where}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (expected === '<anything>') return undefined;
  if (expected === '<any>') return typeof actual === 'string' ? undefined : `${where}: not a string`;
  if (expected === '<number>') return typeof actual === 'number' ? undefined : `${where}: not a number`;
  if (expected === '<base64>')
    return typeof actual === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(actual)
      ? undefined
      : `${where}: not base64`;
  return Object.is(actual, expected)
    ? undefined
    : `${where}: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`;
}

/** For shape-only examples: the page's own labels and key types are random, so strings compare by type. */
function loosen(expected: unknown): unknown {
  if (Array.isArray(expected)) return expected.map(loosen);
  if (expected !== null && typeof expected === 'object')
    return Object.fromEntries(
      Object.entries(expected).map(([k, v]) => [k, k === 'label' || k === 'key-type' ? '<any>' : loosen(v)]),
    );
  return expected;
}

describe('documented examples of the user guide (key plane, spec §21)', () => {
  const runnable = data.examples.filter((e) => !e.pending && !e.not_followed);
  const pending = data.examples.filter((e) => e.pending);
  const notFollowed = data.examples.filter((e) => e.not_followed);
  let state: string;
  let work: string;
  /**
   * The clone of the main cluster (key replicate, KR-*): made by backup restore with 3 HSMs when an example
   * first names it; its configuration holds both clusters. No server-side sync pass runs on it during the
   * suite, so an HSM an example desynchronises stays so.
   */
  let clone: string | undefined;
  const NO_SYNC = { LOCALHSM_KEY_SYNC_SECONDS: '86400' };
  const login = (user: string | undefined, prefix = 'CLOUDHSM_') =>
    user
      ? {
          [`${prefix}ROLE`]: data.users[user]!.role,
          [`${prefix}PIN`]: `${user}:${data.users[user]!.password}`,
        }
      : {};
  const cli = (
    user: string | undefined,
    args: string[],
    options: { on?: string; destination?: string } = {},
  ): Promise<ProcessRun> =>
    cloudhsmCli(options.on ?? state, args, {
      env: { ...login(user), ...login(options.destination, 'DESTINATION_CLOUDHSM_') },
    });
  const ensureClone = async (): Promise<string> => {
    if (clone) return clone;
    const dir = path.join(tempDir('localhsm-documented-keys-clone-'), 'clone');
    const backup = path.join(work, 'main.bak');
    for (const args of [
      ['backup', 'create', '--out', backup, '--state', state],
      ['backup', 'restore', backup, '--state', dir, '--hsms', '3', '--base-port', '0'],
      ['up', '--detach', '--state', dir],
      ['config', 'add-cluster', '--from', state, '--state', dir],
    ]) {
      const keyFile = args[1] === 'restore' ? ['--key-file', paths(state).backupKey] : [];
      const run = await localhsm([...args, ...keyFile], { env: NO_SYNC });
      assert.equal(run.exitCode, 0, `localhsm ${args.join(' ')}\n${run.stdout}${run.stderr}`);
    }
    fs.rmSync(backup, { force: true });
    clone = dir;
    return dir;
  };
  after(async () => {
    if (!clone) return;
    await downIfPresent(clone);
    fs.rmSync(path.dirname(clone), { recursive: true, force: true });
  });
  const ok = async (user: string | undefined, args: string[]) => {
    const run = await cli(user, args);
    assert.equal(run.exitCode, 0, `${args.join(' ')}\n${run.stdout}${run.stderr}`);
    return JSON.parse(run.stdout) as { error_code: number; data: any };
  };

  before(async () => {
    state = tempDir('localhsm-documented-keys-');
    work = tempDir('localhsm-documented-keys-work-');
    await upDetached(state, 2);
    await ok(undefined, ['cluster', 'activate', '--password', data.users['admin']!.password]);
    for (const [name, user] of Object.entries(data.users))
      if (name !== 'admin')
        await ok('admin', [
          'user',
          'create',
          '--username',
          name,
          '--role',
          user.role,
          '--password',
          user.password,
        ]);
  });
  after(async () => {
    await downIfPresent(state);
    fs.rmSync(state, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });
  /** Runs commands in one interactive session of `user` (stdin piped); returns each command's envelope. */
  const session = async (user: string, commands: string[], on = state) => {
    const { role, password } = data.users[user]!;
    const run = await cloudhsmCli(on, ['interactive'], {
      input: [`login --username ${user} --role ${role} --password ${password}`, ...commands, ''].join('\n'),
    });
    const all = envelopes(run.stdout);
    assert.equal(all.length, commands.length + 1, `${commands.join('; ')}\n${run.stdout}${run.stderr}`);
    return all.slice(1);
  };
  // Each example starts from a cluster without keys: the crypto users that made keys delete what they own.
  const owners = new Set<string>();
  afterEach(async () => {
    for (const name of owners) {
      const [list] = await session(name, ['key list --verbose --max-items 10000']);
      const mine = (list!.data.matched_keys as { 'key-reference': string; 'key-info': any }[]).filter(
        (key) => key['key-info']['key-owners'][0].username === name,
      );
      if (mine.length === 0) continue;
      const deleted = await session(
        name,
        mine.map((key) => `key delete --filter key-reference=${key['key-reference']}`),
      );
      assert.deepEqual(
        deleted.map((d) => d.error_code),
        mine.map(() => 0),
      );
    }
    owners.clear();
    for (const file of fs.readdirSync(work)) fs.rmSync(path.join(work, file), { force: true });
  });

  it('the data file: every example has its spec id and page; pending and not-followed ones are counted', (t) => {
    const ids = data.examples.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    assert.equal(data.examples.filter((e) => !e.id.startsWith('OB-')).length, 78, 'the 78 examples of §21');
    for (const e of data.examples) {
      assert.match(e.id, /^[A-Z]+-\d+$/);
      assert.ok(e.page && e.documented, `${e.id}: page and the command the page shows`);
      if (!e.pending && !e.not_followed) assert.ok(e.command && e.expect, `${e.id}: how it runs`);
    }
    const byFeature = new Map<string, number>();
    for (const e of pending) byFeature.set(e.pending!, (byFeature.get(e.pending!) ?? 0) + 1);
    t.diagnostic(
      `${data.examples.length} key-plane examples: ${runnable.length} run, ${notFollowed.length} deliberately not followed, ` +
        `${pending.length} pending (${[...byFeature].map(([f, n]) => `${f}: ${n}`).join('; ')})`,
    );
    assert.ok(runnable.length >= 30);
  });

  it('docs/decisions.md lists every key-plane example LocalHSM deliberately does not follow, by id', () => {
    const decisions = fs.readFileSync(path.join(ROOT, 'docs', 'decisions.md'), 'utf8');
    const section = decisions.split(NOT_FOLLOWED_HEADING)[1];
    assert.ok(section, 'the section exists');
    const body = section.split(/\n#{2,3} /)[0]!;
    for (const e of notFollowed)
      assert.ok(body.includes(`${e.id} `), `${e.id} (${e.title}) is in the section`);
  });

  for (const example of runnable) {
    it(`${example.id} ${example.page}: ${example.title}`, async () => {
      const saved: Record<string, string> = {};
      // {{cluster_id:main|clone}}, {{state:clone}}, {{hsm:clone:N}} (the clone's HSM ids by position).
      if (JSON.stringify(example).includes(':clone')) await ensureClone();
      const stateOf = (name: string) => (name === 'clone' ? clone! : state);
      const fill = (text: string) =>
        text
          .replaceAll('{{work}}', work)
          .replace(/\{\{saved:([a-z]+)\}\}/g, (_, name: string) => saved[name] ?? `<unsaved ${name}>`)
          .replace(
            /\{\{cluster_id:(main|clone)\}\}/g,
            (_, name: string) => readManifest(stateOf(name)).clusterId,
          )
          .replace(/\{\{state:(main|clone)\}\}/g, (_, name: string) => stateOf(name))
          .replace(
            /\{\{hsm:(main|clone):(\d)\}\}/g,
            (_, name: string, i: string) => readManifest(stateOf(name)).hsms[Number(i)]!.id,
          );
      const givens = example.given ?? [];
      for (let i = 0; i < givens.length; i++) {
        const given = givens[i]!;
        if ('write' in given) {
          fs.writeFileSync(path.join(work, given.write), fill(given.text));
          continue;
        }
        if ('localhsm' in given) {
          const run = await localhsm(given.localhsm.map(fill), { env: NO_SYNC });
          assert.equal(run.exitCode, 0, `localhsm ${given.localhsm.join(' ')}\n${run.stdout}${run.stderr}`);
          continue;
        }
        if (data.users[given.as]!.role === 'crypto-user') owners.add(given.as);
        if (given.cluster || given.fails) {
          const run = await cli(given.as, argv(fill(given.command)), {
            on: stateOf(given.cluster ?? 'main'),
            ...(given.destination_as !== undefined && { destination: given.destination_as }),
          });
          const envelope = JSON.parse(run.stdout) as { error_code: number };
          assert.equal(
            envelope.error_code,
            given.fails ? 1 : 0,
            `${given.command}\n${run.stdout}${run.stderr}`,
          );
          continue;
        }
        if (given.save) {
          const out = await ok(given.as, argv(fill(given.command)));
          for (const [name, jsonPath] of Object.entries(given.save)) saved[name] = String(at(out, jsonPath));
          continue;
        }
        // Consecutive plain commands of one user share a session (KL-1 makes 12 keys).
        const batch = [given.command];
        while (i + 1 < givens.length) {
          const next = givens[i + 1]!;
          if ('write' in next || 'localhsm' in next || next.save || next.cluster || next.fails) break;
          if (next.as !== given.as) break;
          batch.push(next.command);
          i++;
        }
        const results = await session(given.as, batch.map(fill));
        assert.deepEqual(
          results.map((r) => r.error_code),
          batch.map(() => 0),
          batch.join('; '),
        );
      }
      if (example.as && data.users[example.as]!.role === 'crypto-user') owners.add(example.as);
      const run = await cli(example.as, argv(fill(example.command!)), {
        on: stateOf(example.cluster ?? 'main'),
        ...(example.destination_as !== undefined && { destination: example.destination_as }),
      });
      const transcript = `exit ${run.exitCode}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
      const expect = example.expect!;
      const envelope = JSON.parse(run.stdout) as { error_code: number };
      if (expect.json === undefined) assert.equal(envelope.error_code, expect.error_code, transcript);
      else {
        // `{{saved:NAME}}` in the expected output: the value an earlier step returned (a reference, a check-value).
        const filled = JSON.parse(JSON.stringify(expect.json), (_, v: unknown) =>
          typeof v === 'string' ? fill(v) : v,
        ) as unknown;
        const wanted = example.shape_only ? loosen(filled) : filled;
        const problem = keyMatches(envelope, wanted);
        assert.equal(problem, undefined, `${problem}\n${transcript}`);
      }
      assert.equal(run.exitCode, envelope.error_code === 0 ? 0 : 1, transcript);
      assert.deepEqual(checkValueProblems(envelope), []);
    });
  }
});

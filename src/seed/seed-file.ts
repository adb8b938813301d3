// Seed files: the wanted state of a new cluster (users, MFA/quorum public keys, lock flags, quorum values,
// timeouts, keys) in YAML or JSON, validated as a whole before anything is created; every problem names the
// file, the line and the field.
import path from 'node:path';
import { type Document, LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { HsmError, formatMessage } from '../errors.js';
import { FileRefused, fsErrorCode } from '../files/fs-error.js';
import { readInputFile } from '../files/read-input.js';
import type { SeedState, SeedUserState } from '../hsm/seed-import.js';
import { MAX_SETTING_SECONDS } from '../hsm/settings.js';
import {
  APPLIANCE_USER,
  INITIAL_ADMIN,
  DEFAULT_HSM_TYPE,
  type HsmType,
  LOGIN_ROLES,
  MAX_USERS_BY_TYPE,
  passwordProblem,
  isValidUsername,
  normalizeUsername,
} from '../protocol/types.js';
import { parseTokenSignPublicKey } from '../tokens/token-sign.js';
import { DURATION_HELP, parseDuration } from '../cluster/duration.js';
import { newUser } from '../hsm/provision.js';
import { isApprover } from '../hsm/quorum/approvers.js';
import type { TimeoutKind } from '../hsm/quorum/settings.js';
import {
  ADMIN_SERVICES,
  type AdminService,
  MAX_QUORUM_VALUE,
  MAX_TOKEN_TIMEOUT_SECONDS,
  isValidQuorumValue,
} from '../protocol/quorum.js';
import type { LoginRole } from '../protocol/types.js';
import { checkKeyQuorum, checkLabel, parseCreationAttributes } from '../hsm/keys/create.js';
import { keyRoomProblem } from '../hsm/keys/limits.js';
import {
  SEED_KEY_TYPES,
  type SeedKeySource,
  type SeedKeyState,
  checkSeedKeyParameters,
  parseSeedPrivateKey,
  parseSeedPublicKey,
  seedKeyClasses,
} from '../hsm/seed-keys.js';

/** One user of a seed (library form; a YAML or JSON seed file has the same fields). */
export type SeedUser = z.input<typeof UserSchema>;

/** One key of a seed: generated (type and size) or imported from a PEM, owned by a seeded crypto user. */
export type SeedKey = z.input<typeof KeySchema>;

/** Durations are seconds (a number) or text such as `90s`, `10m`, `2h`. */
export type SeedDuration = number | string;

/** A seed: the users of a new cluster (`admin`, the initial admin, among them) and its settings. */
export interface SeedInput {
  version?: 1;
  users: SeedUser[];
  /** Quorum value M per admin service: 1 (no quorum) or 2 to 8. */
  quorumValues?: Partial<Record<AdminService, number>>;
  timeouts?: {
    /** How long MFA tokens stay valid (login, change-mfa) [default 600 s]. */
    mfaToken?: SeedDuration;
    /** A login session idle for longer is logged out [default 30 min]. */
    sessionIdle?: SeedDuration;
    /** Quorum tokens: time to collect approvals after `generate` [default 600 s]. */
    quorumGenerated?: SeedDuration;
    /** Quorum tokens: time to use an approved token [default 600 s]. */
    quorumApproved?: SeedDuration;
  };
  /** Keys every HSM of the new cluster holds (token keys), in this order. */
  keys?: SeedKey[];
}

/** A validated seed: where it came from and what every HSM of the new cluster imports. */
export interface Seed extends SeedState {
  source: string;
}

export const SEED_FILE_MAX_BYTES = 1024 * 1024;
const SEED_OBJECT = '<seed>';

const Duration = z.union([z.number(), z.string()]);
const QuorumValue = z.number();
const UserSchema = z
  .object({
    username: z.string(),
    role: z.enum(LOGIN_ROLES),
    password: z.string(),
    /** MFA token-sign public key: PEM text, or the path of a PEM file (relative to the seed file). */
    mfaPublicKey: z.string().optional(),
    /**
     * Quorum token-sign public key, same forms. Left out, a user with an MFA key gets that key for quorum
     * too (as `user change-mfa token-sign` registers it); `null` means no quorum key.
     */
    quorumPublicKey: z.string().nullable().optional(),
    /** Locked as after five failed logins. */
    locked: z.boolean().optional(),
  })
  .strict();
const QuorumValuesSchema = z
  .object(
    Object.fromEntries(ADMIN_SERVICES.map((s) => [s, QuorumValue])) as Record<
      AdminService,
      typeof QuorumValue
    >,
  )
  .partial()
  .strict();
const TimeoutsSchema = z
  .object({ mfaToken: Duration, sessionIdle: Duration, quorumGenerated: Duration, quorumApproved: Duration })
  .partial()
  .strict();
const Words = z.array(z.string());
const KeySchema = z
  .object({
    /** Crypto user who owns the key. */
    owner: z.string(),
    /** rsa, ec, aes or generic-secret: required to generate, optional to import (the PEM says). */
    type: z.enum(SEED_KEY_TYPES).optional(),
    modulusSizeBits: z.number().optional(),
    publicExponent: z.number().optional(),
    curve: z.string().optional(),
    keyLengthBytes: z.number().optional(),
    /** Import instead of generating: a public key, PEM text or a file path (relative to the seed file). */
    publicKey: z.string().optional(),
    /** Import a private key (test fixtures), same forms; stored with its public half. */
    privateKey: z.string().optional(),
    /** A secret key's or imported public key's label; for a pair, the label of both halves. */
    label: z.string().optional(),
    publicLabel: z.string().optional(),
    privateLabel: z.string().optional(),
    attributes: Words.optional(),
    publicAttributes: Words.optional(),
    privateAttributes: Words.optional(),
    shareCryptoUsers: Words.optional(),
    manageKeyQuorumValue: z.number().optional(),
    useKeyQuorumValue: z.number().optional(),
  })
  .strict();
const SeedSchema = z
  .object({
    version: z.literal(1).optional(),
    users: z.array(UserSchema),
    quorumValues: QuorumValuesSchema.optional(),
    timeouts: TimeoutsSchema.optional(),
    keys: z.array(KeySchema).optional(),
  })
  .strict();
// The hand-written public types and the schema must describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameShape: Same<z.input<typeof SeedSchema>, SeedInput> = true;
void _sameShape;

/** Field names allowed where an unknown one was found, for the error message. */
function allowedFields(at: readonly PropertyKey[]): string[] {
  if (at.length === 0) return Object.keys(SeedSchema.shape);
  if (at[0] === 'users') return Object.keys(UserSchema.shape);
  if (at[0] === 'quorumValues') return Object.keys(QuorumValuesSchema.shape);
  if (at[0] === 'keys') return Object.keys(KeySchema.shape);
  return Object.keys(TimeoutsSchema.shape);
}

type Path = readonly (string | number)[];
interface Problem {
  path: Path;
  detail: string;
  /** Point at the key of the last path element rather than its value (unknown fields). */
  atKey?: boolean;
}

export function formatPath(p: Path): string {
  return p.reduce<string>(
    (text, k) => (typeof k === 'number' ? `${text}[${k}]` : text ? `${text}.${k}` : k),
    '',
  );
}

const show = (value: unknown) =>
  typeof value === 'string' ? `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'` : String(value);

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of fields',
};
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  return `${typeof value === 'number' ? 'the number' : 'the value'} ${String(value)}`;
}

function schemaProblems(issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const at = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          path: [...at, key],
          atKey: true,
          detail: `unknown field (expected ${allowedFields(at).join(', ')})`,
        }));
      case 'invalid_type':
        if (input === undefined) return [{ path: at, detail: 'is required' }];
        return [
          {
            path: at,
            detail: `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${kindOf(input)}`,
          },
        ];
      case 'invalid_value':
        return [
          {
            path: at,
            detail: `invalid value ${show(input)} (expected ${issue.values.map(String).join(' or ')})`,
          },
        ];
      case 'invalid_union':
        // Durations: a number or a text; anything else is neither.
        return [{ path: at, detail: `expected seconds or ${DURATION_HELP}, got ${kindOf(input)}` }];
      default:
        return [{ path: at, detail: issue.message }];
    }
  });
}

/** PEM text given inline, or read from a file named relative to the seed file; null (with a problem) if unreadable. */
function readPem(value: string, baseDir: string, problems: Problem[], at: Path): string | null {
  if (value.includes('-----BEGIN')) return value;
  const file = path.resolve(baseDir, value);
  try {
    return readInputFile(file).toString('utf8');
  } catch (error) {
    // The resolved path too: a relative path is read from the seed's folder, not the current directory.
    const where = file === value ? '' : ` as ${file}`;
    problems.push({ path: at, detail: `cannot read ${value}${where} (${fsErrorCode(error)})` });
    return null;
  }
}

function readKey(value: string, baseDir: string, problems: Problem[], at: Path): string | null {
  const pem = readPem(value, baseDir, problems, at);
  if (pem === null) return null;
  try {
    parseTokenSignPublicKey(pem);
    return pem;
  } catch (error) {
    problems.push({
      path: at,
      detail: error instanceof HsmError ? lowerFirst(error.message) : 'invalid public key',
    });
    return null;
  }
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

function seconds(
  value: SeedDuration | undefined,
  at: Path,
  max: number,
  problems: Problem[],
): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
  const whole = ms !== undefined && Number.isInteger(ms / 1000) ? ms / 1000 : undefined;
  if (whole === undefined || whole < 1 || whole > max) {
    problems.push({
      path: at,
      detail: `invalid value ${show(value)} (expected whole seconds from 1 to ${max}, or ${DURATION_HELP})`,
    });
    return undefined;
  }
  return whole;
}

/** The rules a seed must follow beyond its shape; returns the state every HSM imports. */
function checkSeed(input: SeedInput, baseDir: string, problems: Problem[], hsmType: HsmType): SeedState {
  const seen = new Map<string, number>();
  const users: SeedUserState[] = input.users.map((u, i) => {
    const at = (field: string): Path => ['users', i, field];
    const username = normalizeUsername(u.username);
    if (!isValidUsername(u.username)) {
      problems.push({
        path: at('username'),
        detail: `invalid username ${show(u.username)}: use 1 to 31 characters, letters, digits or '_' only`,
      });
    } else if (username === APPLIANCE_USER) {
      problems.push({
        path: at('username'),
        detail: `'${APPLIANCE_USER}' is the built-in appliance user; it cannot be seeded`,
      });
    } else if (seen.has(username)) {
      problems.push({
        path: at('username'),
        detail: `user '${username}' is already listed as users[${seen.get(username)}]`,
      });
    } else seen.set(username, i);
    if (username === INITIAL_ADMIN && u.role !== 'admin') {
      problems.push({
        path: at('role'),
        detail: `'${INITIAL_ADMIN}' is the initial admin: its role must be admin`,
      });
    }
    // Never echoed: it is a password.
    const passwordIssue = passwordProblem(u.password);
    if (passwordIssue)
      problems.push({
        path: at('password'),
        detail:
          passwordIssue === 'control'
            ? 'invalid password: control characters (U+0000 to U+001F, U+007F to U+009F) are not allowed'
            : "invalid password: use 8 to 32 characters, without ':'",
      });
    const mfaPublicKey =
      u.mfaPublicKey === undefined ? null : readKey(u.mfaPublicKey, baseDir, problems, at('mfaPublicKey'));
    const quorumPublicKey =
      u.quorumPublicKey === undefined
        ? mfaPublicKey
        : u.quorumPublicKey === null
          ? null
          : readKey(u.quorumPublicKey, baseDir, problems, at('quorumPublicKey'));
    return {
      username,
      role: u.role,
      password: u.password,
      mfaPublicKey,
      quorumPublicKey,
      locked: u.locked ?? false,
    };
  });
  if (!seen.has(INITIAL_ADMIN)) {
    problems.push({
      path: ['users'],
      detail: `the initial admin '${INITIAL_ADMIN}' must be listed (role admin): its password activates the cluster`,
    });
  }
  const limit = MAX_USERS_BY_TYPE[hsmType];
  if (users.length + 1 > limit)
    problems.push({
      path: ['users'],
      detail: `at most ${limit - 1} users (an HSM of type ${hsmType} holds ${limit} with app_user)`,
    });
  const admins = users.filter((u) => u.role === 'admin');
  if (admins.length > 0 && admins.every((u) => u.locked)) {
    problems.push({
      path: ['users'],
      detail: 'every admin is locked: at least one admin must be unlocked to manage the cluster',
    });
  }
  const t = input.timeouts ?? {};
  const quorumValues: Partial<Record<AdminService, number>> = {};
  for (const service of ADMIN_SERVICES) {
    const value = input.quorumValues?.[service];
    if (value === undefined) continue;
    const at: Path = ['quorumValues', service];
    if (!isValidQuorumValue(value)) {
      problems.push({
        path: at,
        detail: `invalid value ${show(value)} (expected 1 for no quorum, or 2 to ${MAX_QUORUM_VALUE})`,
      });
      continue;
    }
    // The node's own definition of an approver (an unlocked admin with a quorum key), as set-quorum-value checks.
    const approvers = users.filter((u) =>
      isApprover(
        { ...newUser(u.username, u.role as LoginRole), quorumPublicKey: u.quorumPublicKey, locked: u.locked },
        service,
      ),
    );
    if (value > 1 && approvers.length < value) {
      problems.push({
        path: at,
        detail: `${value} approvals need ${value} approvers (unlocked admins with a quorum key); the seed has ${approvers.length}`,
      });
      continue;
    }
    quorumValues[service] = value;
  }
  const quorumTimeouts: Partial<Record<TimeoutKind, number>> = {};
  const generated = seconds(
    t.quorumGenerated,
    ['timeouts', 'quorumGenerated'],
    MAX_TOKEN_TIMEOUT_SECONDS,
    problems,
  );
  const approved = seconds(
    t.quorumApproved,
    ['timeouts', 'quorumApproved'],
    MAX_TOKEN_TIMEOUT_SECONDS,
    problems,
  );
  if (generated !== undefined) quorumTimeouts.generated = generated;
  if (approved !== undefined) quorumTimeouts.approved = approved;
  const keys = checkKeys(input.keys ?? [], users, baseDir, problems, hsmType);
  return {
    users,
    ...(keys.length > 0 && { keys }),
    mfaTokenSeconds: seconds(t.mfaToken, ['timeouts', 'mfaToken'], MAX_SETTING_SECONDS, problems),
    sessionIdleSeconds: seconds(t.sessionIdle, ['timeouts', 'sessionIdle'], MAX_SETTING_SECONDS, problems),
    ...(Object.keys(quorumValues).length > 0 && { quorumValues }),
    ...(Object.keys(quorumTimeouts).length > 0 && { quorumTimeouts }),
  };
}

type ParsedKey = z.output<typeof KeySchema>;
type KeyClass = SeedKeyState['parts'][number]['keyClass'];

/** The fields that size a generated key, and the types they apply to. */
const SIZE_FIELDS = {
  modulusSizeBits: ['rsa'],
  publicExponent: ['rsa'],
  curve: ['ec'],
  keyLengthBytes: ['aes', 'generic-secret'],
} as const satisfies Record<string, readonly string[]>;

/** The detail of a refusal from the key rules (their `detail` where the message only wraps it). */
function keyDetail(error: unknown): string {
  if (!(error instanceof HsmError)) return 'invalid value';
  const detail = error.params.detail;
  return ['ERR_KEY_PARAMETERS', 'ERR_PEM_INVALID', 'ERR_UNWRAPPED_KEY'].includes(error.code) &&
    typeof detail === 'string'
    ? detail
    : error.message;
}

/**
 * The seed's keys, checked with the rules of the creating operations (parameters, labels, attributes,
 * shares, quorum values, the HSM type's key limit); each problem names the key's field.
 */
function checkKeys(
  keys: readonly ParsedKey[],
  users: readonly SeedUserState[],
  baseDir: string,
  problems: Problem[],
  hsmType: HsmType,
): SeedKeyState[] {
  const roles = new Map(users.map((u) => [u.username, u.role]));
  const out: SeedKeyState[] = [];
  const classes: KeyClass[] = [];
  keys.forEach((k, i) => {
    const at = (...field: (string | number)[]): Path => ['keys', i, ...field];
    const before = problems.length;
    const problem = (path: Path, detail: string) => problems.push({ path, detail });
    const owner = normalizeUsername(k.owner);
    const ownerRole = roles.get(owner);
    if (ownerRole === undefined)
      problem(at('owner'), `unknown owner ${show(k.owner)}: not a user of this seed`);
    else if (ownerRole !== 'crypto-user')
      problem(at('owner'), `'${owner}' is an admin: keys are owned by crypto users`);

    // Where the key comes from: a PEM to import, or a type and size to generate.
    const imported =
      k.publicKey !== undefined ? 'publicKey' : k.privateKey !== undefined ? 'privateKey' : undefined;
    const shape: 'pair' | 'secret' | 'public' =
      imported === 'publicKey'
        ? 'public'
        : imported === 'privateKey' || k.type === 'rsa' || k.type === 'ec'
          ? 'pair'
          : 'secret';
    let source: SeedKeySource | undefined;
    if (k.publicKey !== undefined && k.privateKey !== undefined) {
      problem(at('privateKey'), 'give publicKey or privateKey, not both');
    } else if (imported) {
      for (const field of Object.keys(SIZE_FIELDS) as (keyof typeof SIZE_FIELDS)[])
        if (k[field] !== undefined)
          problem(at(field), `an imported key is as its PEM says: leave ${field} out`);
      if (k.type === 'aes' || k.type === 'generic-secret')
        problem(at('type'), `${imported} imports an RSA or EC key, not ${k.type}`);
      else {
        const pem = readPem(k[imported]!, baseDir, problems, at(imported));
        if (pem !== null) {
          try {
            if (imported === 'publicKey') parseSeedPublicKey(pem, k.type);
            else parseSeedPrivateKey(pem, k.type);
            source = { kind: imported === 'publicKey' ? 'import-public' : 'import-private', pem };
          } catch (error) {
            problem(at(imported), keyDetail(error));
          }
        }
      }
    } else if (k.type === undefined) {
      problem(
        at('type'),
        'is required: rsa, ec, aes or generic-secret (or give publicKey or privateKey to import a key)',
      );
    } else {
      const type = k.type;
      let complete = true;
      for (const [field, types] of Object.entries(SIZE_FIELDS) as [
        keyof typeof SIZE_FIELDS,
        readonly string[],
      ][]) {
        if (k[field] !== undefined && !types.includes(type))
          problem(at(field), `applies to ${types.join(' and ')} keys only, not ${type}`);
        else if (k[field] === undefined && types.includes(type) && field !== 'publicExponent') {
          problem(at(field), `is required for ${type} keys`);
          complete = false;
        }
      }
      if (complete) {
        const candidate: SeedKeySource =
          type === 'rsa'
            ? {
                kind: 'generate',
                type,
                modulusSizeBits: k.modulusSizeBits!,
                publicExponent: k.publicExponent ?? 65537,
              }
            : type === 'ec'
              ? { kind: 'generate', type, curve: k.curve! }
              : { kind: 'generate', type, keyLengthBytes: k.keyLengthBytes! };
        try {
          checkSeedKeyParameters(candidate);
          source = candidate;
        } catch (error) {
          const detail = keyDetail(error);
          const field =
            type === 'rsa'
              ? detail.startsWith('public-exponent')
                ? 'publicExponent'
                : 'modulusSizeBits'
              : type === 'ec'
                ? 'curve'
                : 'keyLengthBytes';
          problem(at(field), detail);
        }
      }
    }

    // Labels and attributes, per key object.
    const parts: SeedKeyState['parts'][number][] = [];
    if (shape === 'pair') {
      if (k.attributes !== undefined)
        problem(at('attributes'), 'a key pair takes publicAttributes and privateAttributes');
      const halves = [
        [
          'public-key',
          k.publicLabel !== undefined ? 'publicLabel' : 'label',
          k.publicLabel ?? k.label,
          'publicAttributes',
          k.publicAttributes,
        ],
        [
          'private-key',
          k.privateLabel !== undefined ? 'privateLabel' : 'label',
          k.privateLabel ?? k.label,
          'privateAttributes',
          k.privateAttributes,
        ],
      ] as const;
      if (halves.some(([, , label]) => label === undefined))
        problem(at('label'), 'is required (or publicLabel and privateLabel)');
      else
        for (const [keyClass, labelField, label, attributesField, words] of halves)
          parts.push(checkPart(keyClass, label!, at(labelField), words ?? [], at(attributesField), problems));
    } else {
      for (const field of ['publicLabel', 'privateLabel', 'publicAttributes', 'privateAttributes'] as const)
        if (k[field] !== undefined)
          problem(
            at(field),
            `applies to key pairs only; use ${field.endsWith('Label') ? 'label' : 'attributes'}`,
          );
      if (k.label === undefined) problem(at('label'), 'is required');
      else
        parts.push(
          checkPart(
            shape === 'public' ? 'public-key' : 'secret-key',
            k.label,
            at('label'),
            k.attributes ?? [],
            at('attributes'),
            problems,
          ),
        );
    }

    // Shares and quorum values, as on creation (an imported public key has neither, as with key import pem).
    const share: string[] = [];
    const none = (v: number | undefined) => v === undefined || v === 0;
    const quorumGiven = !(none(k.manageKeyQuorumValue) && none(k.useKeyQuorumValue));
    if (shape === 'public') {
      for (const field of ['shareCryptoUsers', 'manageKeyQuorumValue', 'useKeyQuorumValue'] as const)
        if (k[field] !== undefined)
          problem(
            at(field),
            'an imported public key is not shared and has no quorum values (as with key import pem)',
          );
    } else {
      (k.shareCryptoUsers ?? []).forEach((name, j) => {
        const username = normalizeUsername(name);
        const role = roles.get(username);
        if (role === undefined)
          problem(at('shareCryptoUsers', j), `unknown user ${show(name)}: not a user of this seed`);
        else if (role !== 'crypto-user')
          problem(
            at('shareCryptoUsers', j),
            `'${username}' is an admin: keys are shared with crypto users only`,
          );
        else if (username === owner) problem(at('shareCryptoUsers', j), `'${username}' owns the key`);
        else if (share.includes(username))
          problem(at('shareCryptoUsers', j), `'${username}' is listed twice`);
        else share.push(username);
      });
      if (quorumGiven) {
        try {
          checkKeyQuorum(k.manageKeyQuorumValue, k.useKeyQuorumValue, 1 + (k.shareCryptoUsers ?? []).length);
        } catch (error) {
          const field = k.manageKeyQuorumValue !== undefined ? 'manageKeyQuorumValue' : 'useKeyQuorumValue';
          problem(
            at(field),
            `${keyDetail(error)} (0 for none, or both 2 to 8 and at most the owner and shared users)`,
          );
        }
      }
    }
    if (problems.length > before || source === undefined) return;
    out.push({
      owner,
      share,
      ...(quorumGiven && { manageQuorum: k.manageKeyQuorumValue, useQuorum: k.useKeyQuorumValue }),
      source,
      parts,
    });
    classes.push(...seedKeyClasses(source));
  });
  const room = keyRoomProblem(hsmType, { total: 0, asymmetric: 0 }, classes);
  if (room)
    problems.push({
      path: ['keys'],
      detail: `${classes.length} key objects: an HSM of type ${hsmType} holds at most ${room.limit} ${room.kind} (each key of a pair counts)`,
    });
  return out;
}

/** One key object's label and `NAME=VALUE` attributes, checked as `--attributes` of its class. */
function checkPart(
  keyClass: KeyClass,
  label: string,
  labelAt: Path,
  words: readonly string[],
  attributesAt: Path,
  problems: Problem[],
): SeedKeyState['parts'][number] {
  try {
    checkLabel(label);
  } catch (error) {
    problems.push({ path: labelAt, detail: keyDetail(error) });
  }
  try {
    if (parseCreationAttributes(words, keyClass).token === false)
      problems.push({
        path: attributesAt,
        detail: 'a seeded key is a token key (a session key ends with its login session): leave token out',
      });
  } catch (error) {
    problems.push({ path: attributesAt, detail: keyDetail(error) });
  }
  return { keyClass, label, attributes: [...words] };
}

/** Where a path is in the YAML text (1-based line), following it as far as the document goes. */
function lineOf(doc: Document, lines: LineCounter, problem: Problem): number | undefined {
  let node: unknown = doc.contents;
  let found = node;
  const keys = problem.path;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      next = problem.atKey && i === keys.length - 1 ? pair.key : (pair.value ?? pair.key);
    } else if (isSeq(node) && typeof key === 'number') {
      next = node.items[key];
    }
    if (!next) break;
    node = found = next;
  }
  const range = (found as { range?: [number, number, number] } | null)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}

/** Refuses the seed: the first problem is the error, the others follow it one per line in the same form. */
function refuse(where: (p: Problem) => string, problems: Problem[]): never {
  const params = (p: Problem) => ({
    where: where(p),
    field: formatPath(p.path) || '(top)',
    detail: p.detail,
    more: '',
  });
  const [first, ...rest] = problems;
  const more = rest.map((p) => `\n${formatMessage('ERR_SEED_INVALID', params(p))}`).join('');
  throw new HsmError('ERR_SEED_INVALID', { ...params(first!), more });
}

/** Validates a seed given as an object (library API); key file paths are relative to `baseDir`. */
export function resolveSeed(
  input: unknown,
  baseDir = process.cwd(),
  source = SEED_OBJECT,
  hsmType: HsmType = DEFAULT_HSM_TYPE,
): Seed {
  return validate(input, baseDir, source, () => source, hsmType);
}

function validate(
  input: unknown,
  baseDir: string,
  source: string,
  where: (p: Problem) => string,
  hsmType: HsmType,
): Seed {
  const parsed = SeedSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) refuse(where, sortProblems(schemaProblems(parsed.error.issues), where));
  const problems: Problem[] = [];
  const state = checkSeed(parsed.data, baseDir, problems, hsmType);
  if (problems.length > 0) refuse(where, sortProblems(problems, where));
  return { source, ...state };
}

function sortProblems(problems: Problem[], where: (p: Problem) => string): Problem[] {
  const line = (p: Problem) => Number(/:(\d+)$/.exec(where(p))?.[1] ?? 0);
  return [...problems].sort((a, b) => line(a) - line(b));
}

/**
 * Reads and validates a seed file (YAML; JSON is YAML too). Nothing is created or changed here: a
 * refused seed throws ERR_SEED_INVALID (`seed.yaml:12: users[2].role: invalid value ...`). The user limit
 * is the HSM type's (the cluster the seed is for).
 */
export function loadSeedFile(file: string, hsmType: HsmType = DEFAULT_HSM_TYPE): Seed {
  let text: string;
  try {
    text = readInputFile(file, SEED_FILE_MAX_BYTES).toString('utf8');
  } catch (error) {
    if (error instanceof FileRefused && error.code === 'EFBIG')
      throw new HsmError('ERR_SEED_INVALID', {
        where: file,
        field: '(file)',
        detail: 'larger than 1 MiB',
        more: '',
      });
    throw new HsmError('ERR_FILE', { action: 'read the seed file', file, detail: fsErrorCode(error) });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new HsmError('ERR_SEED_SYNTAX', {
      file,
      line,
      column: col,
      detail: syntax.message.split('\n')[0]!,
    });
  }
  if (doc.contents === null)
    throw new HsmError('ERR_SEED_INVALID', {
      where: file,
      field: '(top)',
      detail: 'the seed file is empty',
      more: '',
    });
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new HsmError('ERR_SEED_SYNTAX', { file, line: 1, column: 1, detail: (error as Error).message });
  }
  const where = (p: Problem) => {
    const line = lineOf(doc, lines, p);
    return line === undefined ? file : `${file}:${line}`;
  };
  return validate(input, path.dirname(path.resolve(file)), file, where, hsmType);
}

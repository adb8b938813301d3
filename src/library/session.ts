// A logged-in cloudhsm-cli session for the library API: any command in this process, typed key and crypto calls, several in flight.
import { loginCluster, logoutCluster } from '../cluster/operations.js';
import type { KeyObject } from '../cluster/key-objects.js';
import { type KeyListPage, type ResolvedKey, onOne, resolveKey } from '../cluster/keys.js';
import { resolve } from '../command/tree.js';
import { HsmError } from '../errors.js';
import type { HashName } from '../keys/sign.js';
import type { LoginRole } from '../protocol/types.js';
import { type CliContext, CliSession } from '../cli/context.js';
import { digestFor } from '../cli/keys.js';
import { cliTree } from '../cli/registry.js';

export interface LoginOptions {
  username: string;
  password: string;
  /** [default 'crypto-user'] */
  role?: LoginRole;
  /** Receives the warnings and hints cloudhsm-cli prints on stderr [default: nowhere]. */
  onWarning?: (line: string) => void;
}

/** A key attribute for `--attributes` and the like: `{ sign: true, id: '0x01' }`. */
export type KeyAttributes = Readonly<Record<string, string | number | boolean>>;

interface CreationOptions {
  /** Creates a session key, gone when this session logs out or closes. */
  session?: boolean;
  /** Crypto users to share the (private or secret) key with. */
  shareCryptoUsers?: readonly string[];
}

export type KeyPairOptions = CreationOptions & {
  publicLabel: string;
  privateLabel: string;
  publicAttributes?: KeyAttributes;
  privateAttributes?: KeyAttributes;
  managePrivateKeyQuorumValue?: number;
  usePrivateKeyQuorumValue?: number;
} & (
    | { type: 'rsa'; modulusSizeBits: number; /** [default 65537] */ publicExponent?: number }
    | { type: 'ec'; curve: string }
  );

export type SymmetricKeyOptions = CreationOptions & {
  type: 'aes' | 'generic-secret';
  label: string;
  keyLengthBytes: number;
  attributes?: KeyAttributes;
  manageKeyQuorumValue?: number;
  useKeyQuorumValue?: number;
};

/** A key filter as cloudhsm-cli takes it: `'key-reference=0x…'`, `'attr.label=k'`, or several such words. */
export type KeyFilter = string | readonly string[];

export interface ListKeysOptions {
  filter?: KeyFilter;
  /** [default 10] */
  maxItems?: number;
  /** The `next_token` of the previous page. */
  startingToken?: string;
  verbose?: boolean;
}

export type SignMechanism = 'rsa-pkcs' | 'rsa-pkcs-pss' | 'ecdsa';

/**
 * One key found once by `findKey()` and used by reference afterwards, as a PKCS#11 application keeps an object
 * handle: each later call is one request to one HSM that holds the key (the HSM still checks the key exists and
 * that this user may use it). Opaque; valid for the session that found it.
 */
export interface KeyHandle {
  readonly 'key-reference': string;
  readonly resolved: ResolvedKey;
}

export interface SignOptions {
  mechanism: SignMechanism;
  /** A filter, resolved on every call as `crypto sign --key-filter` does, or a handle from `findKey()`. */
  keyFilter: KeyFilter | KeyHandle;
  hashFunction: HashName;
  /** The data, bytes or text (UTF-8; hashed in this process, as cloudhsm-cli does), or its digest with `dataType: 'digest'`. */
  data: Uint8Array | string;
  dataType?: 'raw' | 'digest';
  /** rsa-pkcs-pss only. */
  mgf?: string;
  saltLength?: number;
  /** A signed quorum token file, for a key whose use quorum value is above 1. */
  approval?: string;
}

export interface VerifyOptions extends Omit<SignOptions, 'approval'> {
  /** The signature: bytes, or base64 text (as sign() resolves it). */
  signature: Uint8Array | string;
}

/** What each call resolves with: the `data` of the command's JSON envelope (docs/cli.md). */
export interface KeyPair {
  public_key: KeyObject;
  private_key: KeyObject;
}
/** `matched_keys` holds key objects with `verbose`, else references and labels (KeySummary). */
export type KeyListResult = KeyListPage;

const words = (filter: KeyFilter | undefined) =>
  filter === undefined ? [] : typeof filter === 'string' ? [filter] : [...filter];
const attributeWords = (attributes: KeyAttributes) =>
  Object.entries(attributes).map(([name, value]) => `${name}=${String(value)}`);
const isHandle = (key: KeyFilter | KeyHandle): key is KeyHandle =>
  typeof key === 'object' && 'resolved' in key;
/** A handle stands for its key reference where a filter is expected. */
const filterWords = (key: KeyFilter | KeyHandle) =>
  isHandle(key) ? [`key-reference=${key['key-reference']}`] : words(key);
/** Data: bytes, or text (UTF-8). */
const dataBase64 = (data: Uint8Array | string) => Buffer.from(data).toString('base64');
/** A signature: bytes, or already base64 (as sign() returns it). */
const signatureBase64 = (signature: Uint8Array | string) =>
  typeof signature === 'string' ? signature : Buffer.from(signature).toString('base64');

/** `--name value` when the value is given; a list option takes its words; a flag when true. */
function option(name: string, value: string | number | boolean | readonly string[] | undefined): string[] {
  if (value === undefined || value === false) return [];
  if (value === true) return [`--${name}`];
  if (Array.isArray(value)) return value.length === 0 ? [] : [`--${name}`, ...(value as string[])];
  return [`--${name}`, String(value)];
}

/**
 * One cloudhsm-cli session (the connections and login an `interactive` shell keeps), driven from code. Each
 * call runs the real command, so it checks, refuses and answers exactly as cloudhsm-cli does; calls may
 * overlap (each HSM connection carries several requests at once).
 */
export class ClusterSession {
  private readonly tree = cliTree('cloudhsm-cli');
  private readonly ctx: CliContext;

  private constructor(
    private readonly session: CliSession,
    warn: (line: string) => void,
  ) {
    this.ctx = {
      session,
      env: {},
      io: {
        warn,
        // Nothing to answer a prompt with: the option that avoids it must be given.
        prompt: async (question) => {
          throw new HsmError('ERR_INPUT_CLOSED', { prompt: question });
        },
      },
    };
  }

  /** Opens connections to the cluster of `configFile` and logs in on every HSM. */
  static async open(configFile: string, clusterId: string, login: LoginOptions): Promise<ClusterSession> {
    const session = new CliSession(configFile, clusterId);
    const opened = new ClusterSession(session, login.onWarning ?? (() => {}));
    try {
      await loginCluster(
        session.cluster(),
        { username: login.username, role: login.role ?? 'crypto-user', password: login.password },
        opened.ctx.io.warn,
      );
    } catch (error) {
      session.close();
      throw error;
    }
    return opened;
  }

  /**
   * Runs any cloudhsm-cli command in this session (`['key', 'list', '--verbose']`) and resolves with the
   * `data` of its envelope; a refusal rejects with the HsmError whose message the envelope would carry,
   * a usage error with an Error naming it.
   */
  async run(args: readonly string[]): Promise<unknown> {
    const resolved = resolve(this.tree, args, ['cloudhsm-cli']);
    return resolved.spec.run(resolved.options, this.ctx);
  }

  /** `key generate-asymmetric-pair rsa|ec`: a token key pair (on every HSM) or a session pair. */
  generateKeyPair(options: KeyPairOptions): Promise<KeyPair> {
    const kind =
      options.type === 'rsa'
        ? [
            ...option('modulus-size-bits', options.modulusSizeBits),
            ...option('public-exponent', options.publicExponent ?? 65537),
          ]
        : option('curve', options.curve);
    return this.run([
      'key',
      'generate-asymmetric-pair',
      options.type,
      ...option('public-label', options.publicLabel),
      ...option('private-label', options.privateLabel),
      ...kind,
      ...option('session', options.session),
      ...option('public-attributes', attributeWords(options.publicAttributes ?? {})),
      ...option('private-attributes', attributeWords(options.privateAttributes ?? {})),
      ...option('share-crypto-users', options.shareCryptoUsers),
      ...option('manage-private-key-quorum-value', options.managePrivateKeyQuorumValue),
      ...option('use-private-key-quorum-value', options.usePrivateKeyQuorumValue),
    ]) as Promise<KeyPair>;
  }

  /** `key generate-symmetric aes|generic-secret`. */
  generateSymmetric(options: SymmetricKeyOptions): Promise<{ key: KeyObject }> {
    return this.run([
      'key',
      'generate-symmetric',
      options.type,
      ...option('label', options.label),
      ...option('key-length-bytes', options.keyLengthBytes),
      ...option('session', options.session),
      ...option('attributes', attributeWords(options.attributes ?? {})),
      ...option('share-crypto-users', options.shareCryptoUsers),
      ...option('manage-key-quorum-value', options.manageKeyQuorumValue),
      ...option('use-key-quorum-value', options.useKeyQuorumValue),
    ]) as Promise<{ key: KeyObject }>;
  }

  /** `key list`: one page of the keys this user sees, with `next_token` when there are more. */
  listKeys(options: ListKeysOptions = {}): Promise<KeyListResult> {
    return this.run([
      'key',
      'list',
      ...option('filter', words(options.filter)),
      ...option('max-items', options.maxItems),
      ...option('starting-token', options.startingToken),
      ...option('verbose', options.verbose),
    ]) as Promise<KeyListResult>;
  }

  /**
   * Resolves a key filter once with `crypto sign`'s rules (exactly one key; with the availability check, a token
   * key on at least 2 HSMs) into a handle for `sign()`. A later change of the key (deleted, unshared) is the
   * HSM's to refuse; a second key given the same label afterwards is not seen, as with a PKCS#11 handle.
   */
  async findKey(filter: KeyFilter): Promise<KeyHandle> {
    const resolved = await resolveKey(this.session.cluster(), words(filter), this.ctx.io.warn);
    return { 'key-reference': resolved.ref, resolved };
  }

  /**
   * `crypto sign <mechanism>`: the signature in base64, by the one key the filter selects; with a handle from
   * `findKey()`, one request to the least busy HSM holding the key (an approval needs a filter: it is used up on
   * every HSM, which `crypto sign` does).
   */
  async sign(options: SignOptions): Promise<{ 'key-reference': string; signature: string }> {
    const key = options.keyFilter;
    if (isHandle(key) && options.approval === undefined) {
      const args = {
        ref: key.resolved.ref,
        mechanism: options.mechanism,
        hash: options.hashFunction,
        digest: digestFor(
          options.mechanism,
          options.hashFunction,
          options.dataType,
          Buffer.from(options.data),
        ),
        ...(options.mgf !== undefined ? { mgf: options.mgf } : {}),
        ...(options.saltLength !== undefined ? { saltLength: options.saltLength } : {}),
      };
      const { value } = await onOne(key.resolved.holders, 'crypto-sign', args);
      return { 'key-reference': key.resolved.ref, signature: value.signature };
    }
    return this.run([
      'crypto',
      'sign',
      options.mechanism,
      ...this.cryptoOptions(options),
      ...option('approval', options.approval),
    ]) as Promise<{ 'key-reference': string; signature: string }>;
  }

  /** `crypto verify <mechanism>`: resolves when the signature verifies, rejects (ERR_SIGNATURE…) when not. */
  verify(options: VerifyOptions): Promise<{ message: string }> {
    return this.run([
      'crypto',
      'verify',
      options.mechanism,
      ...this.cryptoOptions(options),
      ...option('signature', signatureBase64(options.signature)),
    ]) as Promise<{ message: string }>;
  }

  private cryptoOptions(options: Omit<SignOptions, 'approval'>): string[] {
    return [
      ...option('key-filter', filterWords(options.keyFilter)),
      ...option('hash-function', options.hashFunction),
      ...option('mgf', options.mgf),
      ...option('salt-length', options.saltLength),
      ...option('data', dataBase64(options.data)),
      ...option('data-type', options.dataType),
    ];
  }

  /** Logs out of every HSM (session keys go) and closes the connections. */
  async logout(): Promise<void> {
    try {
      await logoutCluster(this.session.cluster(), this.ctx.io.warn);
    } finally {
      this.session.close();
    }
  }

  /** Closes the connections without logging out (the HSMs end the session and its session keys). */
  close(): void {
    this.session.close();
  }
}

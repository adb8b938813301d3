// A token signer that runs an external command once per token (a KMS Sign with MessageType=DIGEST, Vault
// transit, an HSM vendor tool): the 32-byte token on stdin, the signature on stdout. The public key comes
// from a PEM file, so that every signature is checked (signAll) before it is written or sent.
import { spawn } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { HsmError } from '../errors.js';
import { readPem } from '../tokens/private-key.js';
import {
  REQUIRED_MODULUS_BITS,
  TOKEN_BYTES,
  decodeBase64Strict,
  parseTokenSignPublicKey,
} from '../tokens/token-sign.js';
import type { SignerIo, TokenPlace, TokenSigner } from './signer.js';

/** More than any signature or base64 of one: a command printing more is not a signer. */
const MAX_OUTPUT_BYTES = 64 * 1024;

export interface CommandTarget {
  /** A shell command line, run with /bin/sh -c (pipes and quoting work as typed). */
  command: string;
  /** PEM file of the RSA 2048-bit public key the command's signatures must verify with. */
  publicKeyFile: string;
}

export class CommandSigner implements TokenSigner {
  readonly description = 'the --sign-command';

  private constructor(
    private readonly target: CommandTarget,
    private readonly publicKeyObject: KeyObject,
    private readonly io: SignerIo,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async open(
    target: CommandTarget,
    io: SignerIo,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<CommandSigner> {
    const key = parseTokenSignPublicKey(readPem(target.publicKeyFile));
    return new CommandSigner(target, key, io, env);
  }

  async publicKey(): Promise<KeyObject> {
    return this.publicKeyObject;
  }

  async sign(token: Buffer, place: TokenPlace = { index: 1, total: 1 }): Promise<Buffer> {
    if (token.length !== TOKEN_BYTES) throw new Error(`a token is ${TOKEN_BYTES} bytes, got ${token.length}`);
    const fail = (detail: string) =>
      new HsmError('ERR_SIGN_COMMAND', { ...place, unsigned: token.toString('base64'), detail });
    // The signer gets the caller's environment (cloud credentials, VAULT_ADDR) minus the HSM user's password.
    const { CLOUDHSM_PIN: _password, ...env } = this.env;
    const { status, signal, stdout, stderr, overflow, spawnError } = await run(this.target.command, token, {
      ...env,
      LOCALHSM_TOKEN_BASE64: token.toString('base64'),
      LOCALHSM_TOKEN_HEX: token.toString('hex'),
    });
    // The command's own messages (a KMS error, a vendor tool's hint) are shown as they are, after it ends.
    for (const line of stderr.toString('utf8').split(/\r?\n/)) if (line.trim() !== '') this.io.warn(line);
    if (spawnError) throw fail(`it could not be started (${spawnError})`);
    if (overflow)
      throw fail(
        `it printed more than ${MAX_OUTPUT_BYTES} bytes; a signature is ${REQUIRED_MODULUS_BITS / 8}`,
      );
    if (signal) throw fail(`it was killed by ${signal}`);
    if (status !== 0) throw fail(`it exited with status ${status}`);
    const signature = signatureFrom(stdout);
    if (!signature) throw fail(describeOutput(stdout));
    return signature;
  }

  async close(): Promise<void> {}
}

const SIGNATURE_BYTES = REQUIRED_MODULUS_BITS / 8;

/** The raw signature (exactly 256 bytes), or its base64 on one line (what `aws kms sign --output text` prints). */
export function signatureFrom(stdout: Buffer): Buffer | undefined {
  if (stdout.length === SIGNATURE_BYTES) return stdout;
  const text = stdout.toString('latin1').trim();
  const decoded = /^[A-Za-z0-9+/=]+$/.test(text) ? decodeBase64Strict(text) : undefined;
  return decoded?.length === SIGNATURE_BYTES ? decoded : undefined;
}

function describeOutput(stdout: Buffer): string {
  if (stdout.length === 0) return 'it printed nothing on stdout';
  return `it printed ${stdout.length} bytes that are neither a raw ${SIGNATURE_BYTES}-byte signature nor its base64`;
}

interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  overflow: boolean;
  spawnError?: string;
}

function run(command: string, input: Buffer, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let overflow = false;
    let spawnError: string | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_OUTPUT_BYTES) {
        overflow = true;
        child.kill('SIGKILL');
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errBytes += chunk.length;
      if (errBytes <= MAX_OUTPUT_BYTES) err.push(chunk);
    });
    // A command that does not read its stdin (it takes the token from LOCALHSM_TOKEN_BASE64) closes the pipe early.
    child.stdin.on('error', () => {});
    child.on('error', (error) => (spawnError = error.message));
    child.on('close', (status, signal) =>
      resolve({
        status,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        overflow,
        spawnError,
      }),
    );
    child.stdin.end(input);
  });
}

// Client-side MFA flows over a cluster: one token per HSM, and two phases — every HSM verifies the
// signature of its own token (commit=false) before any HSM commits (commit=true) — so that no HSM is
// left changed or logged in when another refuses.
import { HsmError, type ErrorCode } from '../errors.js';
import { type OpArgs, type OpResult, type OperationName, displayName } from '../protocol/operations.js';
import type { LoginRole } from '../protocol/types.js';
import type { TokenSignature } from '../tokens/mfa-file.js';
import { type ClusterClient, type Outcome, describeFailures, requireAll } from './cluster.js';
import { HsmConnection, UnreachableError } from './connection.js';
import { type Warn, settleLogin } from './operations.js';

/** One HSM's token, as issued by its `*-start` operation. */
export interface IssuedToken {
  connection: HsmConnection;
  /** The token in base64, as written to the token file. */
  unsigned: string;
  /** host:port, to name the HSM in messages. */
  hsm: string;
}

/** Gets a signature for every issued token: the CLI writes the token file and prompts; --sign-with signs in memory. */
export type ObtainSignatures = (issued: readonly IssuedToken[]) => Promise<TokenSignature[]>;
/** For change-mfa: the signatures and the new public key (PEM). */
export type ObtainProof = (
  issued: readonly IssuedToken[],
) => Promise<{ signatures: TokenSignature[]; publicKey: string }>;

export const CHANGE_MFA_OPERATION = displayName('change-mfa-start');

/** Node refusals that are about the token or its signature (reported per token); others are reported as they are. */
const TOKEN_ERRORS: ReadonlySet<ErrorCode> = new Set([
  'ERR_TOKEN_UNKNOWN',
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_PURPOSE',
  'ERR_TOKEN_SIGNATURE_INVALID',
  'ERR_SIGNATURE_FORMAT',
  'ERR_TOKEN_NOT_VERIFIED',
]);

/** Runs one operation on several HSMs at once, each with its own arguments. Never rejects. */
async function each<T extends { connection: HsmConnection }, O extends OperationName>(
  items: readonly T[],
  op: O,
  argsOf: (item: T) => OpArgs<O>,
): Promise<(Outcome<OpResult<O>> & { item: T })[]> {
  return Promise.all(
    items.map(async (item) => {
      try {
        return {
          item,
          connection: item.connection,
          ok: true as const,
          value: await item.connection.call(op, argsOf(item)),
        };
      } catch (error) {
        if (error instanceof HsmError || error instanceof UnreachableError) {
          return { item, connection: item.connection, ok: false as const, error };
        }
        throw error;
      }
    }),
  );
}

function issuedFrom(outcomes: Outcome<{ token: string }>[]): IssuedToken[] {
  return outcomes.flatMap((o) =>
    o.ok ? [{ connection: o.connection, unsigned: o.value.token, hsm: o.connection.address }] : [],
  );
}

function bySignature(signatures: readonly TokenSignature[]): Map<string, TokenSignature> {
  return new Map(signatures.map((s) => [s.unsigned, s]));
}

/**
 * The verdict on the verification phase: the first token an HSM refused (by its place in the signed
 * file) is the error and the other refusals are warnings; a refusal that is not about a token (the
 * user logged in elsewhere meanwhile, say) is reported as it is.
 */
function refuseVerification(
  outcomes: (Outcome<unknown> & { item: IssuedToken })[],
  signatures: Map<string, TokenSignature>,
  warn: Warn,
): void {
  const failures = outcomes.flatMap((o) => {
    if (o.ok || !(o.error instanceof HsmError)) return [];
    const error = o.error;
    if (!TOKEN_ERRORS.has(error.code))
      return [{ order: Infinity, error, line: `warning: HSM at ${o.item.hsm} refused: ${error.message}` }];
    const s = signatures.get(o.item.unsigned)!;
    const failed = new HsmError('ERR_TOKEN_FAILED', {
      index: s.index,
      total: s.total,
      unsigned: s.unsigned,
      hsm: o.item.hsm,
      reason: error.message,
    });
    return [{ order: s.index, error: failed, line: `warning: ${failed.message}` }];
  });
  if (failures.length === 0) return;
  failures.sort((a, b) => a.order - b.order);
  const [first, ...rest] = failures;
  for (const f of rest) if (f.error.message !== first!.error.message) warn(f.line);
  throw first!.error;
}

/**
 * `login ... mfa-token-sign`: the password step on every HSM, one token per HSM, then the signatures
 * verified everywhere before any HSM logs the session in. As with `login`, an HSM that cannot be reached
 * is skipped with a warning; any refusal logs in nowhere.
 */
export async function loginWithMfa(
  cluster: ClusterClient,
  args: OpArgs<'login-mfa-start'>,
  obtain: ObtainSignatures,
  warn: Warn,
): Promise<{ username: string; role: LoginRole }> {
  const started = await cluster.fanOut('login-mfa-start', args);
  for (const line of describeFailures(started)) warn(line);
  const refusals = started.flatMap((o) => (!o.ok && o.error instanceof HsmError ? [o.error] : []));
  const accepted = started.filter((o) => o.ok).length;
  if (refusals.length > 0) {
    // Nothing to undo yet: a start logs nobody in.
    if (accepted === 0) throw refusals[0];
    throw new HsmError('ERR_PARTIAL_FAILURE', {
      operation: 'Login',
      failed: started.length - accepted,
      total: started.length,
    });
  }
  if (accepted === 0) requireAll(started, 'Login', cluster.entry.clusterId);
  const issued = issuedFrom(started as Outcome<{ token: string }>[]);
  const signatures = bySignature(await obtain(issued));

  const verified = await each(issued, 'login-mfa-finish', (t) => ({
    token: t.unsigned,
    signature: signatures.get(t.unsigned)!.signature,
    commit: false,
  }));
  refuseVerification(verified, signatures, warn);
  for (const line of describeFailures(verified)) warn(line);
  const ready = verified.flatMap((o) => (o.ok ? [o.item] : []));
  if (ready.length === 0) requireAll(verified, 'Login', cluster.entry.clusterId);

  const committed = await each(ready, 'login-mfa-finish', (t) => ({
    token: t.unsigned,
    signature: signatures.get(t.unsigned)!.signature,
    commit: true,
  }));
  const asLogin = committed.map((o): Outcome<OpResult<'login'>> =>
    o.ok
      ? { connection: o.connection, ok: true, value: { username: o.value.username, role: o.value.role } }
      : o,
  );
  return settleLogin(cluster, asLogin, warn);
}

/**
 * `user change-mfa token-sign --token`: permission checks and one token per HSM, proof of possession of
 * the new key verified on every HSM, and only then the key registered (and the password set)
 * everywhere. Any HSM refusing or unreachable before the commit means no HSM changes.
 */
export async function changeMfaTokenSign(
  cluster: ClusterClient,
  args: OpArgs<'change-mfa-start'>,
  obtain: ObtainProof,
  warn: Warn,
): Promise<{ username: string; role: LoginRole }> {
  const started = await cluster.fanOut('change-mfa-start', args);
  for (const line of describeFailures(started)) warn(line);
  requireAll(started, CHANGE_MFA_OPERATION, cluster.entry.clusterId);
  const issued = issuedFrom(started as Outcome<{ token: string }>[]);
  const proof = await obtain(issued);
  const signatures = bySignature(proof.signatures);

  const finish = (commit: boolean) => (t: IssuedToken) => ({
    token: t.unsigned,
    signature: signatures.get(t.unsigned)!.signature,
    publicKey: proof.publicKey,
    commit,
  });
  const verified = await each(issued, 'change-mfa-finish', finish(false));
  refuseVerification(verified, signatures, warn);
  for (const line of describeFailures(verified)) warn(line);
  requireAll(verified, CHANGE_MFA_OPERATION, cluster.entry.clusterId);

  // Past this point only an HSM failing between its verification and its commit can make a partial
  // change, reported as "... failed on N of M connections" and repaired by running the command again.
  const committed = await each(issued, 'change-mfa-finish', finish(true));
  for (const line of describeFailures(committed)) warn(line);
  const results = requireAll(committed, CHANGE_MFA_OPERATION, cluster.entry.clusterId);
  return { username: results[0]!.username, role: results[0]!.role };
}

/** `user change-mfa token-sign --deregister`: one step on every HSM, like change-password. */
export async function deregisterMfa(
  cluster: ClusterClient,
  args: OpArgs<'change-mfa-deregister'>,
  warn: Warn,
): Promise<{ username: string; role: LoginRole }> {
  const outcomes = await cluster.fanOut('change-mfa-deregister', args);
  for (const line of describeFailures(outcomes)) warn(line);
  const results = requireAll(outcomes, CHANGE_MFA_OPERATION, cluster.entry.clusterId);
  return { username: results[0]!.username, role: results[0]!.role };
}

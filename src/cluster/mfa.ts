// Client-side MFA flows over a cluster: one token per HSM, and two phases — every HSM verifies the
// signature of its own token (commit=false) before any HSM commits (commit=true) — so that no HSM is
// left changed or logged in when another refuses.
import { HsmError, type ErrorCode } from '../errors.js';
import { type OpArgs, type OpResult, displayName } from '../protocol/operations.js';
import type { LoginRole } from '../protocol/types.js';
import type { TokenSignature } from '../tokens/mfa-file.js';
import type { ClusterClient, Outcome } from './cluster.js';
import type { HsmConnection } from './connection.js';
import { settleLogin } from './operations.js';
import { type Warn, printNodeWarnings, verdict } from './verdict.js';

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

function issuedFrom(
  answers: readonly { connection: HsmConnection; value: { token: string } }[],
): IssuedToken[] {
  return answers.map((o) => ({
    connection: o.connection,
    unsigned: o.value.token,
    hsm: o.connection.address,
  }));
}

/** A `*-finish` step on the HSMs that issued the tokens, each sent its own token and signature. */
function finishOn<O extends 'login-mfa-finish' | 'change-mfa-finish'>(
  cluster: ClusterClient,
  op: O,
  tokens: readonly IssuedToken[],
  signatures: Map<string, TokenSignature>,
  rest: Omit<OpArgs<O>, 'token' | 'signature'>,
): Promise<Outcome<OpResult<O>>[]> {
  return cluster.on(
    tokens.map((t) => t.connection),
    op,
    (_, i) =>
      ({
        token: tokens[i]!.unsigned,
        signature: signatures.get(tokens[i]!.unsigned)!.signature,
        ...rest,
      }) as OpArgs<O>,
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
  outcomes: readonly Outcome<unknown>[],
  issued: readonly IssuedToken[],
  signatures: Map<string, TokenSignature>,
  warn: Warn,
): void {
  const failures = outcomes.flatMap((o, i) => {
    if (o.ok || !(o.error instanceof HsmError)) return [];
    const error = o.error;
    const item = issued[i]!;
    if (!TOKEN_ERRORS.has(error.code))
      return [{ order: Infinity, error, line: `warning: HSM at ${item.hsm} refused: ${error.message}` }];
    const s = signatures.get(item.unsigned)!;
    const failed = new HsmError('ERR_TOKEN_FAILED', {
      index: s.index,
      total: s.total,
      unsigned: s.unsigned,
      hsm: item.hsm,
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
  const context = { operation: displayName('login'), clusterId: cluster.entry.clusterId, warn };
  const started = await cluster.fanOut('login-mfa-start', args);
  // Nothing to undo on a refusal yet: a start logs nobody in.
  const issued = issuedFrom(verdict(started, 'reachable', context));
  const signatures = bySignature(await obtain(issued));

  const verified = await finishOn(cluster, 'login-mfa-finish', issued, signatures, { commit: false });
  refuseVerification(verified, issued, signatures, warn);
  const ready = verdict(verified, 'reachable', context).map((o) =>
    issued.find((t) => t.connection === o.connection)!,
  );

  const committed = await finishOn(cluster, 'login-mfa-finish', ready, signatures, { commit: true });
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
  const context = { operation: CHANGE_MFA_OPERATION, clusterId: cluster.entry.clusterId, warn };
  const started = await cluster.fanOut('change-mfa-start', args);
  const issued = issuedFrom(verdict(started, 'all', context));
  const proof = await obtain(issued);
  const signatures = bySignature(proof.signatures);

  const finish = (commit: boolean) =>
    finishOn(cluster, 'change-mfa-finish', issued, signatures, { publicKey: proof.publicKey, commit });
  const verified = await finish(false);
  refuseVerification(verified, issued, signatures, warn);
  verdict(verified, 'all', context);

  // Past this point only an HSM failing between its verification and its commit can make a partial
  // change, reported as "... failed on N of M connections" and repaired by running the command again.
  const [first] = verdict(await finish(true), 'all', context);
  return { username: first!.value.username, role: first!.value.role };
}

/** `user change-mfa token-sign --deregister`: one step on every HSM, like change-password. */
export async function deregisterMfa(
  cluster: ClusterClient,
  args: OpArgs<'change-mfa-deregister'>,
  warn: Warn,
): Promise<{ username: string; role: LoginRole }> {
  const outcomes = await cluster.fanOut('change-mfa-deregister', args);
  const context = { operation: CHANGE_MFA_OPERATION, clusterId: cluster.entry.clusterId, warn };
  const results = verdict(outcomes, 'all', context).map((o) => o.value);
  printNodeWarnings(results, warn);
  return { username: results[0]!.username, role: results[0]!.role };
}

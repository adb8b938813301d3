// localhsm quorum approve: an approver signs a quorum approval token file and appends their entry (also for a real
// cluster's file), with a PEM key, a key on a PKCS#11 token or an external command (docs/signing.md).
import crypto, { type KeyObject } from 'node:crypto';
import { END_KEY, INTERRUPTED, LineInput } from '../../../command/line-input.js';
import { CommandCancelled } from '../../../command/prompting-io.js';
import { HsmError } from '../../../errors.js';
import { isValidUsername, normalizeUsername } from '../../../protocol/types.js';
import { fsErrorCode } from '../../../files/fs-error.js';
import { readInputFile } from '../../../files/read-input.js';
import { isSigned, readApprovalFile, tokenOf } from '../../../tokens/approval-file.js';
import { writeTokenFile } from '../../../tokens/token-file.js';
import { parseTokenSignPublicKey } from '../../../tokens/token-sign.js';
import {
  LOCAL_SIGNER_RULES,
  PKCS11_OPTIONS,
  SIGNER_REQUIRES,
  SIGN_COMMAND_OPTIONS,
} from '../../../signers/options.js';
import { type LocalContext, localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { signTokenWithOptions } from '../../signing.js';
import { approverFacts } from '../../quorum-check.js';
import { verifyTokenSignature } from '../../../tokens/token-sign.js';

/** An RSA-2048 private key from PEM; asks for the pass phrase of an encrypted one. */
async function readSigningKey(file: string, ctx: LocalContext): Promise<KeyObject> {
  let pem: string;
  try {
    pem = readInputFile(file).toString('utf8');
  } catch (error) {
    throw new HsmError('ERR_QUORUM_SIGNING_KEY', { file, detail: `cannot read it (${fsErrorCode(error)})` });
  }
  // An encrypted key (PKCS#8 or traditional `Proc-Type: 4,ENCRYPTED`, as `openssl genrsa -aes256` writes) needs its pass phrase.
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem);
  let passphrase: string | undefined;
  if (encrypted) {
    const input = new LineInput({ input: ctx.stdin, output: ctx.stderr, terminal: ctx.stdin.isTTY === true });
    try {
      const answer = await input.read(`Enter pass phrase for ${file}:`, true);
      if (answer === INTERRUPTED || answer === END_KEY) throw new CommandCancelled();
      passphrase = answer ?? '';
    } finally {
      input.close();
    }
  }
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: 'pem', ...(encrypted ? { passphrase } : {}) });
  } catch {
    throw new HsmError('ERR_QUORUM_SIGNING_KEY', {
      file,
      detail: encrypted ? 'wrong pass phrase' : 'it is not a PEM private key',
    });
  }
  try {
    parseTokenSignPublicKey(crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());
  } catch (error) {
    if (error instanceof HsmError)
      throw new HsmError('ERR_QUORUM_SIGNING_KEY', { file, detail: String(error.params.detail) });
    throw error;
  }
  return key;
}

export const quorumApproveCommand = localCommand({
  path: ['quorum', 'approve'],
  about: 'Sign a quorum approval token file as an approver and add the signature to it',
  options: [
    {
      long: 'token',
      value: 'FILE',
      required: true,
      help: 'Approval token file written by quorum token-sign generate (updated in place, mode 0600)',
    },
    {
      long: 'username',
      value: 'USERNAME',
      required: true,
      help: 'Username of the approver, whose registered quorum key matches the private key',
    },
    {
      long: 'private-key',
      value: 'KEY',
      help: "PEM file of the approver's RSA-2048 private key (asks for the pass phrase if encrypted)",
    },
    ...PKCS11_OPTIONS,
    ...SIGN_COMMAND_OPTIONS,
    {
      long: 'replace',
      help: "Replace the approver's signature already in the file (a signature made with the wrong key)",
    },
    {
      ...STATE_OPTION,
      help: 'Cluster whose registered quorum key of --username checks the signature, and whose quorum value counts the approvals [default: $LOCALHSM_STATE, else ./.localhsm; a file from another cluster is signed unchecked]',
    },
  ],
  exactlyOne: LOCAL_SIGNER_RULES.exactlyOne,
  requires: SIGNER_REQUIRES,
  examples: [
    'localhsm quorum approve --token /tmp/user-token.json --username admin2 --private-key admin2.key',
    'localhsm quorum approve --token /tmp/user-token.json --username admin2 --pkcs11-module /usr/lib/x86_64-linux-gnu/libykcs11.so.2 --pkcs11-token "YubiKey PIV #12345678" --key-label "Private key for PIV Authentication"',
  ],
  async run(options, ctx) {
    const file = options.required('token');
    const approval = readApprovalFile(file);
    const raw = options.required('username');
    if (!isValidUsername(raw)) throw new HsmError('ERR_INVALID_USERNAME', { username: raw.slice(0, 64) });
    const username = normalizeUsername(raw);
    const sameUser = (name: string) => normalizeUsername(name) === username;
    const replace = options.flag('replace');
    if (!replace && approval.signatures.some((e) => sameUser(e.username) && isSigned(e))) {
      throw new HsmError('ERR_QUORUM_DUPLICATE_APPROVER', { file, username });
    }
    // The approver's key: a PEM file (read as before), a PKCS#11 token or a command; the signature is verified.
    const signature = (
      await signTokenWithOptions(options, ctx, tokenOf(approval), {
        pemKey: (keyFile) => readSigningKey(keyFile, ctx),
      })
    ).toString('base64');
    // The mistake of signing with another approver's key shows here, not at use, when the cluster is at hand.
    const dir = stateDirOf(options, ctx);
    const facts = approverFacts(dir, username, Buffer.from(approval.approval_data, 'base64'));
    if (!facts.checked)
      ctx.err(
        `note: the signature was not checked against ${username}'s registered quorum key: ${facts.why}`,
      );
    else if (!facts.publicKey)
      ctx.err(
        `note: the signature was not checked: ${username} ${facts.userExists ? 'has no registered quorum key' : 'is not a user'} in the cluster in ${dir}`,
      );
    else if (
      !verifyTokenSignature(
        parseTokenSignPublicKey(facts.publicKey),
        tokenOf(approval),
        Buffer.from(signature, 'base64'),
      )
    )
      throw new HsmError('ERR_QUORUM_APPROVER_KEY', { username, dir });
    // An entry for this user (a placeholder of a real cluster's file, or the one --replace swaps) is filled in place.
    const existing =
      approval.signatures.find((e) => sameUser(e.username) && !isSigned(e)) ??
      approval.signatures.find((e) => sameUser(e.username));
    const replaced = existing !== undefined && isSigned(existing);
    if (existing) existing.signature = signature;
    else approval.signatures.push({ username, signature });
    writeTokenFile(file, approval);
    const count = approval.signatures.filter(isSigned).length;
    const progress =
      facts.checked && facts.quorumValue !== undefined
        ? `${count} of ${facts.quorumValue} approvals`
        : `${count} ${count === 1 ? 'signature' : 'signatures'}`;
    ctx.out(
      replaced
        ? `Replaced the signature of ${username} in ${file} (${progress})`
        : `Added the signature of ${username} to ${file} (${progress})`,
    );
    return 0;
  },
});

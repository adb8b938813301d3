// localhsm quorum merge: combines copies of one approval token file signed separately into one file.
import { HsmError } from '../../../errors.js';
import { normalizeUsername } from '../../../protocol/types.js';
import {
  type ApprovalFile,
  type SignatureEntry,
  isSigned,
  readApprovalFile,
} from '../../../tokens/approval-file.js';
import { writeTokenFile } from '../../../tokens/token-file.js';
import { localCommand } from '../../context.js';

/**
 * Every input must hold the same token (same approval_data and token). Identical entries are kept
 * once; two different signatures under one username are refused (one of them cannot be valid).
 * Members LocalHSM does not know are kept: the first file's, plus any only later files have.
 */
export function mergeApprovals(inputs: readonly { file: string; approval: ApprovalFile }[]): ApprovalFile {
  const first = inputs[0]!;
  const merged: ApprovalFile = { ...first.approval, signatures: [] };
  const signed = new Map<string, { entry: SignatureEntry; file: string }>();
  const placeholders = new Map<string, SignatureEntry>();
  for (const { file, approval } of inputs) {
    if (approval.approval_data !== first.approval.approval_data || approval.token !== first.approval.token) {
      throw new HsmError('ERR_QUORUM_MERGE_MISMATCH', { file, first: first.file });
    }
    for (const [member, value] of Object.entries(approval)) if (!(member in merged)) merged[member] = value;
    for (const entry of approval.signatures) {
      const username = normalizeUsername(entry.username);
      if (!isSigned(entry)) {
        if (!placeholders.has(username)) placeholders.set(username, entry);
        continue;
      }
      const seen = signed.get(username);
      if (!seen) signed.set(username, { entry, file });
      else if (seen.entry.signature !== entry.signature) {
        throw new HsmError('ERR_QUORUM_MERGE_CONFLICT', { username, first: seen.file, file });
      }
    }
  }
  merged.signatures = [
    ...[...signed.values()].map((s) => s.entry),
    ...[...placeholders].filter(([username]) => !signed.has(username)).map(([, entry]) => entry),
  ];
  return merged;
}

export const quorumMergeCommand = localCommand({
  path: ['quorum', 'merge'],
  about: 'Combine approvals of one quorum token gathered in separate copies of its file',
  options: [
    {
      long: 'output',
      short: 'o',
      value: 'OUT',
      required: true,
      help: 'File to write the merged approval token to (mode 0600)',
    },
  ],
  positionals: [
    {
      name: 'FILES',
      help: 'Approval token files, each a signed copy of the same token',
      required: true,
      multiple: true,
    },
  ],
  examples: ['localhsm quorum merge token-admin2.json token-admin3.json -o token.json'],
  async run(options, ctx) {
    const files = options.positionals;
    const merged = mergeApprovals(files.map((file) => ({ file, approval: readApprovalFile(file) })));
    const output = options.required('output');
    writeTokenFile(output, merged);
    const names = merged.signatures.filter(isSigned).map((e) => e.username);
    ctx.out(
      `Merged ${files.length} ${files.length === 1 ? 'file' : 'files'} into ${output} (${names.length} ${names.length === 1 ? 'signature' : 'signatures'}${names.length ? `: ${names.join(', ')}` : ''})`,
    );
    return 0;
  },
});

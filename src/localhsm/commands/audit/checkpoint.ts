// localhsm audit checkpoint: records each HSM's audit log head, to keep outside the state directory for audit verify.
import path from 'node:path';
import { paths, readManifest } from '../../../cluster/state-dir.js';
import { writeFileAtomic } from '../../../files/atomic-write.js';
import { GENESIS_HASH } from '../../../hsm/audit.js';
import { readAuditLog } from '../../../hsm/store/sqlite.js';
import { encodeCheckpoint } from '../../audit-checkpoint-file.js';
import { type LocalCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { HSM_OPTION, selectHsms } from '../../select-hsms.js';

export const auditCheckpointCommand: LocalCommand = {
  path: ['audit', 'checkpoint'],
  about:
    "Print each HSM's audit log head (HSM, sequence number, hash) as JSON, to keep outside the state directory; audit verify --checkpoint checks the log still holds it",
  options: [
    STATE_OPTION,
    HSM_OPTION,
    { long: 'out', value: 'FILE', help: 'Write the checkpoint to this file instead of standard output' },
  ],
  examples: [
    'localhsm audit checkpoint --out /secure/place/audit-2026-12-03.json',
    'localhsm audit verify --checkpoint /secure/place/audit-2026-12-03.json',
  ],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const manifest = readManifest(dir);
    const heads = selectHsms(manifest, options).map((hsm) => {
      const { entries } = readAuditLog(paths(dir).hsm(hsm.id).db);
      const last = entries[entries.length - 1];
      return { hsmId: hsm.id, seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH };
    });
    const text = encodeCheckpoint(manifest.clusterId, heads);
    const out = options.string('out');
    if (out === undefined) {
      ctx.stdout.write(text);
      return 0;
    }
    writeFileAtomic(path.resolve(out), text, 0o644);
    ctx.out(`Checkpoint of ${heads.length} HSM(s) of ${manifest.clusterId} written to ${path.resolve(out)}.`);
    return 0;
  },
};

// localhsm audit verify: checks every HSM's keyed, hash-chained audit log, optionally against a checkpoint kept elsewhere.
import { paths, readManifest } from '../../../cluster/state-dir.js';
import { HsmError } from '../../../errors.js';
import { type AuditProblem, verifyAuditLog } from '../../../hsm/audit.js';
import { readAuditKey } from '../../../hsm/audit-key.js';
import { readAuditLog } from '../../../hsm/store/sqlite.js';
import { readCheckpoint } from '../../audit-checkpoint-file.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { HSM_OPTION, selectHsms } from '../../select-hsms.js';

export const auditVerifyCommand = localCommand({
  path: ['audit', 'verify'],
  about:
    "Verify the hash chain and audit-key MACs of each HSM's audit log (exit 0 only when every log is intact)",
  options: [
    STATE_OPTION,
    HSM_OPTION,
    {
      long: 'checkpoint',
      value: 'FILE',
      help: 'A file written by localhsm audit checkpoint: each log must still hold the head it recorded',
    },
  ],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const manifest = readManifest(dir);
    const checkpointFile = options.string('checkpoint');
    const checkpoint = checkpointFile === undefined ? undefined : readCheckpoint(checkpointFile);
    if (checkpoint && checkpoint.clusterId !== manifest.clusterId)
      throw new HsmError('ERR_STATE', {
        detail: `the checkpoint ${checkpointFile} is of cluster ${checkpoint.clusterId}, not ${manifest.clusterId}`,
      });
    const selected = selectHsms(manifest, options);
    let broken = 0;
    for (const hsm of selected) {
      const files = paths(dir).hsm(hsm.id);
      const { entries, head } = readAuditLog(files.db);
      const auditKey = readAuditKey(files.dir);
      const problems: AuditProblem[] = verifyAuditLog(entries, head, {
        auditKey,
        checkpoint: checkpoint?.hsms.find((h) => h.hsmId === hsm.id),
      });
      if (!auditKey)
        problems.push({
          seq: 0,
          problem: `no audit key (${files.auditKey}): the log cannot be authenticated (an HSM made before keyed audit logs gets its key when it next starts)`,
        });
      if (problems.length === 0) {
        ctx.out(`${hsm.id}: intact (${entries.length} entries)`);
        continue;
      }
      broken++;
      ctx.out(`${hsm.id}: TAMPERED (${problems.length} problem(s) in ${entries.length} entries)`);
      for (const p of problems) ctx.out(`  entry ${p.seq}: ${p.problem}`);
    }
    // An HSM of the checkpoint that left the manifest would otherwise escape the check.
    const wanted = options.string('hsm');
    for (const gone of checkpoint?.hsms ?? []) {
      if ((wanted === undefined || wanted === gone.hsmId) && !selected.some((h) => h.id === gone.hsmId)) {
        broken++;
        ctx.out(`${gone.hsmId}: MISSING (in the checkpoint, no longer in ${dir}/cluster.json)`);
      }
    }
    return broken === 0 ? 0 : 1;
  },
});

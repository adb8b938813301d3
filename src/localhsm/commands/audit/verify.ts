// localhsm audit verify: checks every HSM's hash-chained audit log for modified, removed, inserted or reordered entries.
import { paths, readManifest } from '../../../cluster/state-dir.js';
import { verifyAuditLog } from '../../../hsm/audit.js';
import { readAuditLog } from '../../../hsm/store/sqlite.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { HSM_OPTION, selectHsms } from '../../select-hsms.js';

export const auditVerifyCommand = localCommand({
  path: ['audit', 'verify'],
  about: "Verify the hash chain of each HSM's audit log (exit 0 only when every log is intact)",
  options: [STATE_OPTION, HSM_OPTION],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    let broken = 0;
    for (const hsm of selectHsms(readManifest(dir), options)) {
      const { entries, head } = readAuditLog(paths(dir).hsm(hsm.id).db);
      const problems = verifyAuditLog(entries, head);
      if (problems.length === 0) {
        ctx.out(`${hsm.id}: intact (${entries.length} entries)`);
        continue;
      }
      broken++;
      ctx.out(`${hsm.id}: TAMPERED (${problems.length} problem(s) in ${entries.length} entries)`);
      for (const p of problems) ctx.out(`  entry ${p.seq}: ${p.problem}`);
    }
    return broken === 0 ? 0 : 1;
  },
});

// localhsm audit tail: the last entries of each HSM's audit log.
import { paths, readManifest } from '../../../cluster/state-dir.js';
import { readAuditLog } from '../../../hsm/store/sqlite.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../../context.js';
import { HSM_OPTION, selectHsms } from '../../select-hsms.js';

export const auditTailCommand = localCommand({
  path: ['audit', 'tail'],
  about: "Show the last entries of each HSM's audit log",
  options: [
    STATE_OPTION,
    HSM_OPTION,
    { long: 'lines', value: 'N', help: 'How many entries per HSM [default: 20]' },
  ],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const lines = Number(options.string('lines') ?? '20');
    for (const hsm of selectHsms(readManifest(dir), options)) {
      const { entries } = readAuditLog(paths(dir).hsm(hsm.id).db);
      ctx.out(`== ${hsm.id}`);
      for (const e of entries.slice(-Math.max(0, lines))) {
        ctx.out(
          `${String(e.seq).padStart(6)}  ${e.time}  ${e.actor.padEnd(12)} ${e.operation.padEnd(22)} ${e.target.padEnd(12)} ${e.result}${e.devTime ? `  (dev clock ${e.devTime})` : ''}`,
        );
      }
    }
    return 0;
  },
});

// localhsm start (npm start): brings the cluster up, opens the cloudhsm-cli shell on it, stops what it started on quit.
import { paths } from '../../cluster/state-dir.js';
import { CliSession } from '../../cli/context.js';
import { runShell } from '../../cli/shell.js';
import { localCommand, STATE_OPTION, stateDirOf } from '../context.js';
import { serveConsole } from './console.js';
import { upCommand, bringUp } from './up.js';

export const startCommand = localCommand({
  path: ['start'],
  about:
    'Bring up (or resume) the local cluster and open the aws-cloudhsm > shell on it; HSMs started here stop when the shell quits',
  options: [
    ...upCommand.options
      .filter((o) => o.long !== 'detach')
      .map((o) => (o.long === 'state' ? STATE_OPTION : o)),
    {
      long: 'no-console',
      help: 'Do not serve the web console beside the shell (localhsm console serves it alone)',
    },
  ],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const started = await bringUp(dir, options, ctx, false);
    // The console is a view beside the shell: if it cannot start, the shell still opens.
    const web = options.flag('no-console')
      ? undefined
      : await serveConsole(dir, ctx, {}).catch((error: Error) => {
          ctx.err(`note: the web console did not start: ${error.message}`);
          return undefined;
        });
    if (web) ctx.err(`Web console (one-time link, 5 minutes): ${web.url}`);
    const session = new CliSession(paths(dir).config);
    try {
      ctx.err('Type help for the commands, quit to leave.');
      return await runShell([], { session, env: ctx.env, io: ctx, historyFile: paths(dir).history });
    } finally {
      session.close();
      await web?.close();
      const stopped = await started.stop();
      // Whether quit, exit or Ctrl-D, the user learns what became of the HSMs.
      ctx.err(
        stopped > 0
          ? `Stopped ${stopped} HSM${stopped === 1 ? '' : 's'}; state kept in ${dir}`
          : `HSMs left running (this shell did not start them); state in ${dir}`,
      );
    }
  },
});

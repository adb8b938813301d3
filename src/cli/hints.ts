// What to do next after an error, on stderr (the JSON envelope on stdout keeps the node's exact text).
import { HsmError } from '../errors.js';
import { restartedHsm } from '../cluster/connection.js';
import { restartHint } from '../cluster/verdict.js';
import type { CliSession } from './context.js';

/** Where the state directory came from: the rule of resolveStateDir, for "where it looked". */
export type StateSource = '--state' | 'LOCALHSM_STATE' | './.localhsm';

export function stateSource(flag: string | undefined, env: NodeJS.ProcessEnv): StateSource {
  return flag !== undefined ? '--state' : env.LOCALHSM_STATE !== undefined ? 'LOCALHSM_STATE' : './.localhsm';
}

/** The next step for an error the user can fix, or undefined. Names only the state directory and files. */
export function nextStep(error: unknown, session: CliSession): string | undefined {
  if (!(error instanceof HsmError)) return undefined;
  // Every HSM refused alike (the envelope says "not logged in"): say why when they restarted since the login.
  const restarted = restartedHsm(error);
  if (restarted) return restartHint(restarted);
  if (!session.state) return undefined;
  const { dir, source } = session.state;
  if (error.code === 'ERR_NO_HSM')
    return `hint: no HSM of this cluster answered: run \`localhsm up\` (state: ${dir})`;
  if (error.code === 'ERR_HSM_DISCONNECTED')
    return `hint: the HSMs refused this client's certificate (cluster mtls enforcement is cluster): set client_cert_hsm_tls_file and client_key_hsm_tls_file in ${session.configFile} to a certificate issued by a registered trust anchor`;
  if (
    error.code === 'ERR_CONFIG' &&
    error.params.detail === 'ENOENT' &&
    error.params.file === session.configFile
  )
    return (
      `hint: no cluster found in ${dir} (taken from ${source}; the state directory is --state DIR, ` +
      `else $LOCALHSM_STATE, else ./.localhsm): create one with \`localhsm up\` ` +
      `(or \`npm start\` in the LocalHSM clone), or point --state / LOCALHSM_STATE at an existing one`
    );
  return undefined;
}

// localhsm up: creates a new cluster in an empty state directory or resumes an existing one, and starts its HSMs.
import { hasCluster, paths, readManifest } from '../../cluster/state-dir.js';
import { HsmError } from '../../errors.js';
import { isKdfProfile } from '../../hsm/password.js';
import {
  DEFAULT_MFA_TOKEN_SECONDS,
  MAX_SETTING_SECONDS,
  type SettingValues,
  parseSettingText,
} from '../../hsm/settings.js';
import { CLOUDHSM_CLI_BIN, DEFAULT_BASE_PORT, ensurePrivateDir, startNodes } from '../cluster-manager.js';
import { compareClusterWithSeed, createNewCluster } from '../new-cluster.js';
import { writeMarker } from '../owned-files.js';
import { loadSeedFile } from '../../seed/seed-file.js';
import {
  DEFAULT_HSM_MODE,
  DEFAULT_HSM_TYPE,
  HSM_MODES,
  HSM_TYPES,
  isHsmMode,
  isHsmType,
} from '../../protocol/types.js';
import { localCommand, type LocalContext, STATE_OPTION, stateDirOf } from '../context.js';
import type { ParsedOptions } from '../../command/spec.js';

export const MAX_HSMS = 28;

export const upCommand = localCommand({
  path: ['up'],
  about: 'Create (when the state directory is empty) or resume a local cluster and start its HSMs',
  options: [
    { long: 'hsms', value: 'N', help: 'Number of HSMs of a new cluster (1 to 28) [default: 3]' },
    STATE_OPTION,
    {
      long: 'detach',
      help: 'Leave the HSMs running in the background and return (stop them with localhsm down)',
    },
    {
      long: 'kdf',
      value: 'PROFILE',
      help: 'Password hashing cost of a new cluster: strong (default) or fast (for tests)',
      possible: [{ value: 'strong' }, { value: 'fast' }],
    },
    {
      long: 'base-port',
      value: 'PORT',
      help: `First port to try for a new cluster; 0 picks any free ports [default: ${DEFAULT_BASE_PORT}]`,
    },
    {
      long: 'san',
      value: 'NAMES',
      help: 'Extra host names or IPs (comma-separated) for the node certificates of a new cluster, to serve its HSMs from other machines',
    },
    {
      long: 'mfa-token-seconds',
      value: 'SECONDS',
      help: `How long the MFA tokens of a new cluster stay valid (login and change-mfa) [default: ${DEFAULT_MFA_TOKEN_SECONDS}]`,
    },
    {
      long: 'seed',
      value: 'FILE',
      help: 'YAML or JSON seed: a new cluster is activated with its users, keys and settings; a resumed one must hold its users (nothing is changed)',
    },
    {
      long: 'dev-clock',
      help: 'The clock of a new cluster can be moved with localhsm time advance / reset (rehearsals)',
    },
    {
      long: 'hsm-type',
      value: 'TYPE',
      help: `HSM type of a new cluster: the cluster quorum service exists on hsm2m.medium only, and the user limit follows the type [default: ${DEFAULT_HSM_TYPE}]`,
      possible: HSM_TYPES.map((value) => ({ value })),
    },
    {
      long: 'mode',
      value: 'MODE',
      help: `Mode of a new cluster, as AWS create-cluster --mode: Ed25519 keys and mechanisms exist on hsm2m.medium non-fips clusters only; hsm1.medium is always fips [default: ${DEFAULT_HSM_MODE}]`,
      possible: HSM_MODES.map((value) => ({ value })),
    },
  ],
  examples: [
    'localhsm up --hsms 3 --detach',
    'localhsm up --state /tmp/c1 --kdf fast --base-port 0 --detach',
    'localhsm up --seed seed.yaml --dev-clock --detach',
    'localhsm up --hsm-type hsm1.medium --detach',
    'localhsm up --mode non-fips --detach',
  ],
  async run(options, ctx) {
    const dir = stateDirOf(options, ctx);
    const started = await bringUp(dir, options, ctx, options.flag('detach'));
    if (options.flag('detach')) return 0;
    ctx.out('HSMs running; press Ctrl-C to stop them.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await started.stop();
    ctx.out('HSMs stopped.');
    return 0;
  },
});

/** Shared by `up` and `start`: create or resume, then start the nodes and print where they are. */
export async function bringUp(
  dir: string,
  options: ParsedOptions<NewClusterOption | 'seed'>,
  ctx: LocalContext,
  detach: boolean,
) {
  const progress = (line: string) => ctx.err(line);
  // The whole seed is read and checked before anything is created, started or changed.
  const seedFile = options.string('seed');
  const hsmType = options.string('hsm-type') ?? DEFAULT_HSM_TYPE;
  if (!isHsmType(hsmType)) throw new HsmError('ERR_STATE', { detail: `unknown --hsm-type ${hsmType}` });
  const mode = options.string('mode') ?? DEFAULT_HSM_MODE;
  if (!isHsmMode(mode)) throw new HsmError('ERR_STATE', { detail: `unknown --mode ${mode}` });
  const seed = seedFile === undefined ? undefined : loadSeedFile(seedFile, hsmType);
  const resumed = hasCluster(dir);
  if (!resumed) {
    const hsms = Number(options.string('hsms') ?? '3');
    if (!Number.isInteger(hsms) || hsms < 1 || hsms > MAX_HSMS) {
      throw new HsmError('ERR_STATE', { detail: `--hsms must be a whole number from 1 to ${MAX_HSMS}` });
    }
    const kdf = options.string('kdf') ?? 'strong';
    if (!isKdfProfile(kdf)) throw new HsmError('ERR_STATE', { detail: `unknown --kdf ${kdf}` });
    const basePort = Number(options.string('base-port') ?? DEFAULT_BASE_PORT);
    if (!Number.isInteger(basePort) || basePort < 0 || basePort > 65535) {
      throw new HsmError('ERR_STATE', { detail: '--base-port must be a port number (0 for any free ports)' });
    }
    const subjectAltNames = (options.string('san') ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const settings: { -readonly [K in keyof SettingValues]: SettingValues[K] } = {};
    const mfaTokenSeconds = options.string('mfa-token-seconds');
    if (mfaTokenSeconds !== undefined) {
      const seconds = parseSettingText('mfa_token_seconds', mfaTokenSeconds);
      if (seconds === undefined) {
        throw new HsmError('ERR_STATE', {
          detail: `--mfa-token-seconds must be a whole number of seconds from 1 to ${MAX_SETTING_SECONDS}`,
        });
      }
      if (seed?.mfaTokenSeconds !== undefined) {
        throw new HsmError('ERR_STATE', {
          detail: `--mfa-token-seconds and timeouts.mfaToken of ${seedFile} both set the MFA token lifetime; keep one`,
        });
      }
      settings.mfa_token_seconds = seconds;
    }
    const devClock = options.flag('dev-clock');
    await createNewCluster(
      dir,
      { hsms, kdf, basePort, subjectAltNames, settings, progress, seed, devClock, hsmType, mode },
      ctx.err,
    );
    if (seed)
      progress(`Activated and seeded from ${seedFile}: ${seed.users.map((u) => u.username).join(', ')}`);
    if (devClock) progress('Dev clock: localhsm time advance / reset move the time of its HSMs');
  } else {
    ensurePrivateDir(dir, ctx.err);
    const manifest = readManifest(dir);
    // A cluster made before state directories were marked: its manifest shows it is LocalHSM's.
    writeMarker(dir);
    for (const name of NEW_CLUSTER_OPTIONS) {
      if (options.has(name))
        ctx.err(`note: --${name} only applies to a new cluster; resuming ${manifest.clusterId} as it is`);
    }
    progress(`Resuming cluster ${manifest.clusterId} from ${dir}`);
  }
  const started = await startNodes(dir, { detach, progress });
  const manifest = readManifest(dir);
  if (resumed && seed) {
    const { mismatches, notes } = await compareClusterWithSeed(dir, seed, ctx.err);
    if (mismatches.length > 0) {
      await started.stop();
      throw new HsmError('ERR_SEED_MISMATCH', { dir, file: seedFile!, detail: mismatches.join('; ') });
    }
    for (const note of notes) ctx.err(`note: ${note}`);
    progress(`The cluster holds every user of ${seedFile}; nothing was changed`);
  }
  ctx.out(`Cluster ${manifest.clusterId} is up: ${manifest.hsms.length} HSM(s) answering.`);
  ctx.out(`  config:  ${paths(dir).config}`);
  ctx.out(`  CA:      ${paths(dir).ca}`);
  ctx.out(`Use it:  LOCALHSM_STATE=${dir} ${CLOUDHSM_CLI_BIN} interactive`);
  return started;
}

/** Options that shape a new cluster; a resumed one keeps what it was created with. */
const NEW_CLUSTER_OPTIONS = [
  'hsms',
  'kdf',
  'base-port',
  'san',
  'mfa-token-seconds',
  'dev-clock',
  'hsm-type',
  'mode',
] as const;
type NewClusterOption = (typeof NEW_CLUSTER_OPTIONS)[number];

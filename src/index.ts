// The LocalHSM library API (`import { startCluster } from 'localhsm'`): a cluster for other projects' test suites.
export {
  startCluster,
  type StartClusterOptions,
  type LocalCluster,
  type CliResult,
  type CliEnvelope,
  type CliOptions,
  type HsmAddress,
} from './library/start-cluster.js';
export {
  loadSeedFile,
  resolveSeed,
  type Seed,
  type SeedInput,
  type SeedUser,
  type SeedKey,
  type SeedDuration,
} from './seed/seed-file.js';
export { parseDuration } from './cluster/duration.js';
export { HsmError, MESSAGES, type ErrorCode } from './errors.js';
export type { Clock } from './hsm/node.js';
export type { KdfProfile } from './hsm/password.js';

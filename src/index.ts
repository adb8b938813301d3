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
  ClusterSession,
  type LoginOptions,
  type KeyAttributes,
  type KeyPairOptions,
  type SymmetricKeyOptions,
  type KeyFilter,
  type ListKeysOptions,
  type SignMechanism,
  type SignOptions,
  type VerifyOptions,
  type KeyPair,
  type KeyListResult,
} from './library/session.js';
export type { KeyObject, KeySummary } from './cluster/key-objects.js';
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

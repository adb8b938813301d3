// The files of one HSM's data directory (shared by the node and the tools that manage it).
import path from 'node:path';

export const dataFiles = (dir: string) => ({
  db: path.join(dir, 'hsm.db'),
  cert: path.join(dir, 'node.crt'),
  key: path.join(dir, 'node.key'),
  pid: path.join(dir, 'node.pid'),
  /** HMAC key of the audit log (audit-key.ts). */
  auditKey: path.join(dir, 'audit.key'),
  /** The cluster's key masking key, the same on every HSM of the cluster (keys/masking-file.ts). */
  maskingKey: path.join(dir, 'masking.key'),
});

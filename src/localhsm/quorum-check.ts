// What the local cluster knows of a quorum approval: the approver's registered key and the service's quorum value,
// read (read-only, the HSMs may be running) from the first HSM database of the state directory.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { hasCluster, paths, readManifest } from '../cluster/state-dir.js';
import { SERVICE_CODES, type RecordService } from '../hsm/quorum/record.js';
import { type SettingKey, parseSettingText, quorumValueKey } from '../hsm/settings.js';
import { ADMIN_SERVICES, type AdminService } from '../protocol/quorum.js';

export type ApproverFacts =
  | {
      checked: true;
      dir: string;
      /** SPKI PEM of the approver's registered quorum key; null when the user has none or does not exist. */
      publicKey: string | null;
      userExists: boolean;
      /** M of the token's service, when the service is one with a quorum value. */
      quorumValue?: number;
      service?: string;
    }
  | { checked: false; why: string };

/** The service named by the first record of an approval_data (bytes 2-3), if it is one LocalHSM knows. */
export function serviceOf(approvalData: Buffer): RecordService | undefined {
  if (approvalData.length < 4) return undefined;
  const code = approvalData.readUInt16BE(2);
  return (Object.keys(SERVICE_CODES) as RecordService[]).find((s) => SERVICE_CODES[s] === code);
}

export function approverFacts(dir: string, username: string, approvalData: Buffer): ApproverFacts {
  if (!hasCluster(dir))
    return { checked: false, why: `no cluster in ${dir} (--state, LOCALHSM_STATE or ./.localhsm)` };
  let db: Database.Database | undefined;
  try {
    const manifest = readManifest(dir);
    const file = manifest.hsms.map((h) => paths(dir).hsm(h.id).db).find((f) => fs.existsSync(f));
    if (!file) return { checked: false, why: `the cluster in ${dir} has no HSM database` };
    db = new Database(file, { readonly: true, fileMustExist: true });
    const user = db
      .prepare<[string], { quorum_public_key: string | null }>(
        'SELECT quorum_public_key FROM users WHERE username = ?',
      )
      .get(username);
    const service = serviceOf(approvalData);
    let quorumValue: number | undefined;
    if (service && (ADMIN_SERVICES as readonly string[]).includes(service)) {
      const key = quorumValueKey(service as AdminService) as SettingKey;
      const row = db
        .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
        .get(key);
      quorumValue = row ? (parseSettingText(key, row.value) as number | undefined) : 1;
    }
    return {
      checked: true,
      dir,
      publicKey: user?.quorum_public_key ?? null,
      userExists: user !== undefined,
      quorumValue,
      service,
    };
  } catch (error) {
    return { checked: false, why: `cannot read the cluster in ${dir} (${(error as Error).message})` };
  } finally {
    db?.close();
  }
}

// Test helper: quorum key registration through cloudhsm-cli (generate, sign in-process, register) in one shell session.
import fs from 'node:fs';
import path from 'node:path';
import type { TestCluster } from './cluster.js';
import type { TestKey } from './quorum.js';
import { openShell } from './shell.js';
import { signRegistrationFile } from './token-files.js';

/** Registers `key` as the quorum key of `username` (an admin) on every HSM; returns the public key file. */
export async function registerQuorumKey(
  cluster: TestCluster,
  username: string,
  password: string,
  key: TestKey,
  /** Filled with what the register command wrote on stderr. */
  seen: { stderr?: string } = {},
): Promise<string> {
  const pubFile = path.join(cluster.dir, `${username}-quorum.pub`);
  fs.writeFileSync(pubFile, key.publicPem);
  const tokenFile = path.join(cluster.dir, `${username}-registration.json`);
  const shell = openShell(cluster.dir);
  try {
    const steps = [
      `login --username ${username} --role admin --password ${password}`,
      `quorum token-sign generate --service registration --token ${tokenFile}`,
    ];
    for (const line of steps) {
      const out = await shell.run(line);
      if (out.error_code !== 0) throw new Error(`${line}: ${JSON.stringify(out.data)}`);
    }
    signRegistrationFile(tokenFile, key.privateKey);
    const from = shell.stderr().length;
    const out = await shell.run(
      `user change-quorum token-sign register --public-key ${pubFile} --signed-token ${tokenFile}`,
    );
    seen.stderr = shell.stderr().slice(from);
    if (out.error_code !== 0) throw new Error(`register ${username}: ${JSON.stringify(out.data)}`);
  } finally {
    await shell.close();
  }
  return pubFile;
}

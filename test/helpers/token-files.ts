// Test helpers: sign quorum token files in-process, the way `openssl pkeyutl -sign -pkeyopt digest:sha256` would.
import fs from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { signToken } from '../../src/tokens/token-sign.js';

/** Fills `signed` of every entry of a registration token file with the key's signature of `unsigned`. */
export function signRegistrationFile(file: string, key: KeyObject): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const entry of json.tokens)
    entry.signed = signToken(key, Buffer.from(entry.unsigned, 'base64')).toString('base64');
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
}

/** Appends an approver's entry to an approval token file (what `localhsm quorum approve` does). */
export function addApproval(file: string, username: string, key: KeyObject): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  json.signatures.push({
    username,
    signature: signToken(key, Buffer.from(json.token, 'base64')).toString('base64'),
  });
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
}

// The mTLS client certificate and key of a cluster entry (configure-cli and add-cluster): both or neither.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { existingFile } from '../../cluster/config-edit.js';
import { HsmError } from '../../errors.js';

/**
 * Checks the pair and returns the members to set in `clusters[i].cluster` (absolute paths, read by the client
 * when it connects), or nothing when neither option was given.
 */
export function clientTlsMembers(
  certFile: string | undefined,
  keyFile: string | undefined,
  cwd: string,
): Record<string, string> {
  if (certFile === undefined && keyFile === undefined) return {};
  const cert = existingFile(certFile!, '--client-cert-hsm-tls-file', cwd);
  const key = existingFile(keyFile!, '--client-key-hsm-tls-file', cwd);
  try {
    new crypto.X509Certificate(fs.readFileSync(cert));
  } catch {
    throw new HsmError('ERR_STATE', {
      detail: `--client-cert-hsm-tls-file: ${cert} is not a PEM certificate`,
    });
  }
  try {
    crypto.createPrivateKey(fs.readFileSync(key));
  } catch {
    throw new HsmError('ERR_STATE', { detail: `--client-key-hsm-tls-file: ${key} is not a PEM private key` });
  }
  return { client_cert_hsm_tls_file: cert, client_key_hsm_tls_file: key };
}

/** A PEM CA certificate's text, else a clear error (`--hsm-ca-cert`). */
export function caCertificate(file: string, cwd: string): { file: string; pem: string } {
  const absolute = existingFile(file, '--hsm-ca-cert', cwd);
  const pem = fs.readFileSync(absolute, 'utf8');
  try {
    new crypto.X509Certificate(pem);
  } catch {
    throw new HsmError('ERR_STATE', { detail: `--hsm-ca-cert: ${absolute} is not a PEM certificate` });
  }
  return { file: absolute, pem };
}

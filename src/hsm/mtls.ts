// cluster mtls on one HSM: its trust anchors and enforcement level (node settings), and the client-certificate check
// the TLS adapter applies to every new connection and set-enforcement applies to the caller's own connection.
import crypto from 'node:crypto';
import { HsmError } from '../errors.js';
import {
  MAX_TRUST_ANCHORS,
  type MtlsEnforcementLevel,
  type TrustAnchor,
  formatAnchorReference,
} from '../protocol/mtls.js';
import { readSetting, writeSetting } from './settings.js';
import type { SettingsStore } from './settings.js';

/** Whether this HSM has cluster mtls: CloudHSM has it on hsm2m.medium only. */
export function mtlsSupported(store: SettingsStore): boolean {
  return readSetting(store, 'hsm_type') === 'hsm2m.medium';
}

export function requireMtlsSupported(store: SettingsStore): void {
  if (!mtlsSupported(store))
    throw new HsmError('ERR_MTLS_UNSUPPORTED', { type: readSetting(store, 'hsm_type') });
}

export function trustAnchors(store: SettingsStore): TrustAnchor[] {
  return readSetting(store, 'mtls_trust_anchors');
}

export function enforcementLevel(store: SettingsStore): MtlsEnforcementLevel {
  return readSetting(store, 'mtls_enforcement');
}

/** Key types CloudHSM accepts for a trust anchor: EC P-256/P-384/P-521, RSA 2048/3072/4096. */
const EC_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
const RSA_BITS = new Set([2048, 3072, 4096]);

/** The one certificate of a PEM text, checked for the key types CloudHSM accepts. */
export function parseAnchorCertificate(pem: string): crypto.X509Certificate {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length !== 1)
    throw new HsmError('ERR_MTLS_CERTIFICATE', {
      detail: blocks.length === 0 ? 'no PEM certificate found' : 'the file holds more than one certificate',
    });
  let cert: crypto.X509Certificate;
  try {
    cert = new crypto.X509Certificate(blocks[0]!);
  } catch {
    throw new HsmError('ERR_MTLS_CERTIFICATE', { detail: 'not a valid X.509 certificate' });
  }
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const ok =
    (key.asymmetricKeyType === 'ec' && EC_CURVES.has(details.namedCurve ?? '')) ||
    (key.asymmetricKeyType === 'rsa' && RSA_BITS.has(details.modulusLength ?? 0));
  if (!ok)
    throw new HsmError('ERR_MTLS_CERTIFICATE', {
      detail: 'the key must be EC P-256, P-384 or P-521, or RSA 2048, 3072 or 4096',
    });
  return cert;
}

/** The anchor whose certificate is `cert` (same DER), if registered. */
export function findAnchor(
  anchors: readonly TrustAnchor[],
  cert: crypto.X509Certificate,
): TrustAnchor | undefined {
  return anchors.find(
    (a) => new crypto.X509Certificate(a.certificate).fingerprint256 === cert.fingerprint256,
  );
}

/** Adds `cert` under the lowest free reference; the caller checked that it is not registered yet. */
export function addAnchor(store: SettingsStore, cert: crypto.X509Certificate): TrustAnchor {
  const anchors = trustAnchors(store);
  if (anchors.length >= MAX_TRUST_ANCHORS)
    throw new HsmError('ERR_MTLS_ANCHOR_LIMIT', { limit: MAX_TRUST_ANCHORS });
  const used = new Set(anchors.map((a) => a.reference));
  let n = 1;
  while (used.has(formatAnchorReference(n))) n++;
  const anchor = { reference: formatAnchorReference(n), certificate: cert.toString() };
  writeSetting(store, 'mtls_trust_anchors', [...anchors, anchor]);
  return anchor;
}

/**
 * Whether a client's certificate chain (leaf first, as the client sent it) leads to one of the anchors:
 * each certificate is within its validity at `now` and signed by the next, and the last is an anchor or
 * is signed by one. Only signatures and names are checked (the anchors are the operator's own CAs).
 * `now` is the system time, as a TLS library checks validity, not a dev clock moved to rehearse timeouts.
 */
export function chainsToAnchor(
  chain: readonly crypto.X509Certificate[],
  anchors: readonly crypto.X509Certificate[],
  now: number,
): boolean {
  if (chain.length === 0 || anchors.length === 0) return false;
  const valid = (c: crypto.X509Certificate) => Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo);
  const signedBy = (c: crypto.X509Certificate, issuer: crypto.X509Certificate) =>
    c.checkIssued(issuer) && c.verify(issuer.publicKey);
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (!valid(cert)) return false;
    for (const anchor of anchors) {
      if (!valid(anchor)) continue;
      if (anchor.fingerprint256 === cert.fingerprint256 || signedBy(cert, anchor)) return true;
    }
    const next = chain[i + 1];
    if (!next || !signedBy(cert, next)) return false;
  }
  return false;
}

/** The anchors as certificates (parsed once per distinct setting text by the callers that cache). */
export function anchorCertificates(anchors: readonly TrustAnchor[]): crypto.X509Certificate[] {
  return anchors.map((a) => new crypto.X509Certificate(a.certificate));
}

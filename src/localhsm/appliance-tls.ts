// The appliance user's TLS identity under cluster mtls enforcement: a CA whose key is derived from the masking key
// (so only the HSMs of the cluster and the operator's tool can issue under it) and the client certificate that
// server-side sync presents to the nodes. The nodes admit this CA beside the registered trust anchors.
import { type PemPair, createClientCa, issueClientCert } from '../cluster/pki.js';
import type { Masking } from '../hsm/keys/masking.js';

const SUBJECT = 'LocalHSM key sync appliance';

/** The appliance CA certificate a node adds to the CAs it accepts client certificates from. */
export async function applianceCaCertificate(masking: Masking): Promise<string> {
  return (await applianceCa(masking)).cert;
}

/** A fresh client certificate (new key) under the appliance CA, for the mover's connections. */
export async function applianceClientCertificate(masking: Masking): Promise<PemPair> {
  return issueClientCert(await applianceCa(masking), SUBJECT);
}

function applianceCa(masking: Masking): Promise<PemPair> {
  return createClientCa(SUBJECT, masking.applianceTlsKey());
}

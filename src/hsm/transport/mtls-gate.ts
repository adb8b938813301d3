// The node's client-certificate gate (cluster mtls): which TLS options a new connection gets, and whether a
// connection's client certificate admits it under the enforcement level and trust anchors stored right now.
import crypto from 'node:crypto';
import tls from 'node:tls';
import { anchorCertificates, chainsToAnchor, enforcementLevel, trustAnchors } from '../mtls.js';
import type { OpNode } from '../op-context.js';

/** A client may send a chain; more certificates than this are not looked at. */
const MAX_CHAIN = 8;

export interface ConnectionTls {
  secureContext: tls.SecureContext;
  /** Ask the client for a certificate (whenever an anchor is registered, so set-enforcement can check it). */
  requestCert: boolean;
  /** Enforcement is on: no certificate at all fails the handshake itself. */
  rejectUnauthorized: boolean;
}

/**
 * Reads the enforcement level and the anchors from the node's store for every new connection and every
 * request, so a change made by an operation applies at once, without a restart. Secure contexts and parsed
 * anchors are cached per distinct anchors setting.
 */
export class MtlsGate {
  private cached: { text: string; context: tls.SecureContext; anchors: crypto.X509Certificate[] } | undefined;

  /** The appliance CA (server-side key sync, src/localhsm/appliance-tls.ts), admitted beside the anchors. */
  private readonly appliance: crypto.X509Certificate | undefined;

  constructor(
    private readonly node: OpNode,
    private readonly server: { cert: string; key: string },
    applianceCa?: string,
  ) {
    this.appliance = applianceCa ? new crypto.X509Certificate(applianceCa) : undefined;
  }

  private current() {
    const text = this.node.store.getSetting('mtls_trust_anchors') ?? '[]';
    if (this.cached?.text !== text) {
      const anchors = anchorCertificates(trustAnchors(this.node.store));
      // The appliance CA is only ever added to registered anchors: without an anchor no certificate is asked for.
      const accepted = anchors.length > 0 && this.appliance ? [...anchors, this.appliance] : anchors;
      const context = tls.createSecureContext({
        ...this.server,
        ...(accepted.length > 0 ? { ca: accepted.map((a) => a.toString()) } : {}),
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.3',
      });
      this.cached = { text, context, anchors };
    }
    return this.cached;
  }

  /** The TLS options of a connection accepted now. */
  connectionTls(): ConnectionTls {
    const { context, anchors } = this.current();
    const enforced = enforcementLevel(this.node.store) === 'cluster';
    return {
      secureContext: context,
      requestCert: enforced || anchors.length > 0,
      rejectUnauthorized: enforced,
    };
  }

  /**
   * Whether a connection with this client chain may be served now. `verified` remembers the anchors
   * setting a chain last verified against, so a request costs a signature check only after a change.
   */
  admits(chain: readonly crypto.X509Certificate[], verified: { text?: string }): boolean {
    if (enforcementLevel(this.node.store) !== 'cluster') return true;
    const { text, anchors } = this.current();
    if (verified.text === text) return true;
    // The node's peers syncing keys: a chain to the appliance CA (only holders of the masking key can issue one).
    const appliance = this.appliance ? [this.appliance] : [];
    if (!chainsToAnchor(chain, anchors, Date.now()) && !chainsToAnchor(chain, appliance, Date.now()))
      return false;
    verified.text = text;
    return true;
  }
}

/** The certificates a client presented, leaf first (empty without a client certificate). */
export function peerChain(socket: tls.TLSSocket): crypto.X509Certificate[] {
  const chain: crypto.X509Certificate[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.raw && chain.length < MAX_CHAIN && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new crypto.X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

// localhsm mtls issue-client-cert: a client CA (the trust anchor) and a client certificate and key signed by it,
// for rehearsing cluster mtls (register-trust-anchor, client_cert_hsm_tls_file, set-enforcement).
import fs from 'node:fs';
import path from 'node:path';
import { type PemPair, createClientCa, issueClientCert } from '../../../cluster/pki.js';
import { HsmError } from '../../../errors.js';
import { createFileOnce } from '../../../files/atomic-write.js';
import { PRIVATE_DIR_MODE } from '../../../files/modes.js';
import { readTextFile } from '../../../files/read-input.js';
import { localCommand } from '../../context.js';

export const mtlsIssueClientCertCommand = localCommand({
  path: ['mtls', 'issue-client-cert'],
  about:
    'Create a client CA (the trust anchor for cluster mtls register-trust-anchor) and a client certificate and key signed by it',
  options: [
    {
      long: 'out',
      value: 'DIR',
      required: true,
      help: 'Directory for ca.crt, ca.key (0600), client.crt and client.key (0600); existing files are never replaced',
    },
    {
      long: 'ca-dir',
      value: 'DIR',
      help: 'Sign with the CA in DIR (its ca.crt and ca.key) instead of creating one: a second client of the same anchor',
    },
    { long: 'name', value: 'NAME', help: 'Common name of the client certificate [default: cloudhsm-cli]' },
  ],
  examples: [
    'localhsm mtls issue-client-cert --out mtls',
    'localhsm mtls issue-client-cert --ca-dir mtls --out mtls-bob --name bob',
  ],
  async run(options, ctx) {
    const out = options.required('out');
    const caDir = options.string('ca-dir');
    const ca: PemPair = caDir
      ? {
          cert: readTextFile(path.join(caDir, 'ca.crt')),
          key: readTextFile(path.join(caDir, 'ca.key')),
        }
      : await createClientCa(`LocalHSM mtls client CA ${new Date().toISOString().slice(0, 10)}`);
    const client = await issueClientCert(ca, options.string('name') ?? 'cloudhsm-cli');
    fs.mkdirSync(out, { recursive: true, mode: PRIVATE_DIR_MODE });
    const files: [string, string, number][] = [
      ...(caDir
        ? []
        : ([
            ['ca.crt', ca.cert, 0o644],
            ['ca.key', ca.key, 0o600],
          ] as [string, string, number][])),
      ['client.crt', client.cert, 0o644],
      ['client.key', client.key, 0o600],
    ];
    for (const [name] of files) {
      const file = path.join(out, name);
      if (fs.existsSync(file))
        throw new HsmError('ERR_FILE', { action: 'create', file, detail: 'it already exists' });
    }
    for (const [name, content, mode] of files) {
      const file = path.join(out, name);
      if (!createFileOnce(file, content, mode))
        throw new HsmError('ERR_FILE', { action: 'create', file, detail: 'it already exists' });
      ctx.out(`Wrote ${file}`);
    }
    ctx.out(
      `Next: cloudhsm-cli cluster mtls register-trust-anchor --path ${path.join(caDir ?? out, 'ca.crt')} (as an admin), then set client_cert_hsm_tls_file / client_key_hsm_tls_file in cloudhsm-cli.cfg (configure-cli --client-cert-hsm-tls-file ${path.join(out, 'client.crt')} --client-key-hsm-tls-file ${path.join(out, 'client.key')})`,
    );
    return 0;
  },
});

// key generate-asymmetric-pair ec: an EC key pair owned by the caller, copied to every HSM.
import { createKeys } from '../../../../cluster/keys.js';
import { CURVES } from '../../../../keys/material.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { pairCreation, PAIR_OPTIONS, PAIR_TAIL_OPTIONS } from '../../../key-pairs.js';

export const keyGenerateEcCommand = cliCommand({
  path: ['key', 'generate-asymmetric-pair', 'ec'],
  about: 'Generate an Elliptic-Curve Cryptography (ECC) key pair',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    ...PAIR_OPTIONS,
    {
      long: 'curve',
      value: 'CURVE',
      required: true,
      help: 'Elliptic curve used to generate the key pair',
      // ed25519 exists on hsm2m.medium clusters in non-FIPS mode only (the HSM refuses it elsewhere).
      possible: [...CURVES, 'ed25519'].map((value) => ({ value })),
    },
    ...PAIR_TAIL_OPTIONS,
  ],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const args = { type: 'ec' as const, ...pairCreation(options), curve: options.required('curve') };
    const [publicKey, privateKey] = await createKeys(cluster, 'key-generate', args, ctx.io.warn);
    return { public_key: publicKey, private_key: privateKey };
  },
});

// key generate-asymmetric-pair ml-dsa: an ML-DSA (FIPS 204) key pair owned by the caller, on hsm2m.medium only.
import { createKeys } from '../../../../cluster/keys.js';
import { ML_DSA_ALGORITHMS } from '../../../../keys/ml-dsa.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { pairCreation, PAIR_OPTIONS, PAIR_TAIL_OPTIONS } from '../../../key-pairs.js';

export const keyGenerateMlDsaCommand = cliCommand({
  path: ['key', 'generate-asymmetric-pair', 'ml-dsa'],
  about: 'Generate an ML-DSA key pair',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    ...PAIR_OPTIONS,
    {
      long: 'mldsa-algorithm',
      value: 'MLDSA_ALGORITHM',
      required: true,
      help: 'ML-DSA algorithm',
      possible: ML_DSA_ALGORITHMS.map((value) => ({ value })),
    },
    ...PAIR_TAIL_OPTIONS,
  ],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const args = {
      type: 'ml-dsa' as const,
      ...pairCreation(options),
      mldsaAlgorithm: options.required('mldsa-algorithm'),
    };
    const [publicKey, privateKey] = await createKeys(cluster, 'key-generate', args, ctx.io.warn);
    return { public_key: publicKey, private_key: privateKey };
  },
});

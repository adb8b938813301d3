// key generate-asymmetric-pair rsa: an RSA key pair owned by the caller, copied to every HSM.
import { createKeys } from '../../../../cluster/keys.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';
import { pairCreation, PAIR_OPTIONS, PAIR_TAIL_OPTIONS } from '../../../key-pairs.js';
import { wholeNumberOption } from '../../../keys.js';

export const keyGenerateRsaCommand = cliCommand({
  path: ['key', 'generate-asymmetric-pair', 'rsa'],
  about: 'Generate an RSA key pair',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    ...PAIR_OPTIONS,
    {
      long: 'modulus-size-bits',
      value: 'MODULUS_SIZE_BITS',
      required: true,
      help: 'Modulus size in bits used to generate the RSA key pair',
    },
    {
      long: 'public-exponent',
      value: 'PUBLIC_EXPONENT',
      required: true,
      help: 'Public exponent used to generate the RSA key pair',
    },
    ...PAIR_TAIL_OPTIONS,
  ],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const args = {
      type: 'rsa' as const,
      ...pairCreation(options),
      modulusBits: wholeNumberOption(options.required('modulus-size-bits'), 'modulus-size-bits'),
      publicExponent: wholeNumberOption(options.required('public-exponent'), 'public-exponent'),
    };
    const [publicKey, privateKey] = await createKeys(cluster, 'key-generate', args, ctx.io.warn);
    return { public_key: publicKey, private_key: privateKey };
  },
});

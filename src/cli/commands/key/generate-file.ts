// key generate-file: writes a public key's PEM, or a private key's reference PEM (no private material leaves the HSM).
import { onOne, resolveKey } from '../../../cluster/keys.js';
import { HsmError } from '../../../errors.js';
import { writeFileAtomic } from '../../../files/atomic-write.js';
import { describeFsError } from '../../../files/fs-error.js';
import { cliCommand } from '../../context.js';
import { KEY_FILTER_HELP, filterOption } from '../../keys.js';

export const keyGenerateFileCommand = cliCommand({
  path: ['key', 'generate-file'],
  about:
    'Generate a key file from a key in the HSM cluster. This command does not export any private key data from the HSM',
  needsLogin: true,
  options: [
    {
      long: 'encoding',
      value: 'ENCODING',
      required: true,
      help: 'Encoding format for the key file',
      possible: [
        { value: 'reference-pem', help: 'PEM formatted key reference (supports private keys)' },
        { value: 'pem', help: 'PEM format (supports public keys)' },
      ],
    },
    { long: 'path', value: 'PATH', required: true, help: 'Filepath where the key file will be written' },
    filterOption('filter', 'FILTER', KEY_FILTER_HELP),
  ],
  async run(options, ctx) {
    const cluster = ctx.session.cluster();
    const key = await resolveKey(cluster, options.list('filter'), ctx.io.warn);
    const encoding = options.required('encoding') as 'pem' | 'reference-pem';
    const { value } = await onOne(key.holders, 'key-export', { ref: key.ref, encoding });
    const file = options.required('path');
    try {
      writeFileAtomic(file, value.pem, 0o644);
    } catch (error) {
      throw new HsmError('ERR_FILE', { action: 'write', file, detail: describeFsError(error) });
    }
    return { message: 'Successfully generated key file' };
  },
});

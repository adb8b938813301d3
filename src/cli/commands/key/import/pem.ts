// key import pem: imports a public key from a PEM file, owned by the caller, copied to every HSM.
import { createKeys } from '../../../../cluster/keys.js';
import { readTextFile } from '../../../../files/read-input.js';
import { CLUSTER_ID_OPTION, cliCommand } from '../../../context.js';

export const keyImportPemCommand = cliCommand({
  path: ['key', 'import', 'pem'],
  about: 'Import key from a PEM file',
  needsLogin: true,
  options: [
    CLUSTER_ID_OPTION,
    { long: 'path', value: 'PATH', required: true, help: 'Path where the key is located in PEM format' },
    { long: 'label', value: 'LABEL', required: true, help: 'Label for the imported key' },
    {
      long: 'key-type-class',
      value: 'KEY_TYPE_CLASS',
      required: true,
      help: 'Key type and class of the imported key',
      possible: [{ value: 'ec-public' }, { value: 'rsa-public' }],
    },
    {
      long: 'attributes',
      value: 'IMPORT_KEY_ATTRIBUTES',
      words: true,
      help: 'Space separated list of key attributes in the form of KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE for the imported key',
    },
  ],
  async run(options, ctx) {
    const cluster = ctx.session.cluster(options.string('cluster-id'));
    const args = {
      pem: readTextFile(options.required('path')),
      label: options.required('label'),
      keyTypeClass: options.required('key-type-class') as 'rsa-public' | 'ec-public',
      attributes: options.list('attributes'),
    };
    const [key] = await createKeys(cluster, 'key-import', args, ctx.io.warn);
    return { key, message: 'Successfully imported key' };
  },
});

// Bundles the two hot entry points (cloudhsm-cli, HSM node processes) into single files: loading one file
// instead of ~150 ES modules is most of a short command's start-up time. Run after tsc.
import { build } from 'esbuild';

// Native addons and the X.509 stack (loaded only when a cluster is created) stay ordinary imports.
const external = ['better-sqlite3', 'pkcs11js', 'node-pty', '@peculiar/x509', 'reflect-metadata'];

await build({
  // The bundles sit at the same depth as the modules they replace, so import.meta.url-relative paths hold.
  entryPoints: { 'cloudhsm-cli': 'dist/src/cli/main.js', 'hsm-serve': 'dist/src/localhsm/serve-main.js' },
  outdir: 'dist/src/bundles',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  logLevel: 'warning',
});

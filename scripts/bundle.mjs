// Bundles the three entry points (cloudhsm-cli, localhsm, HSM node processes) into single files: loading one
// file instead of ~150 ES modules is most of a short command's start-up time. Run after tsc.
import { build } from 'esbuild';

// Native addons stay ordinary imports (pkcs11js is imported only when a PKCS#11 signer is opened).
const external = ['better-sqlite3', 'pkcs11js', 'node-pty'];

await build({
  // The bundles sit at the same depth as the modules they replace, so import.meta.url-relative paths hold.
  entryPoints: {
    'cloudhsm-cli': 'dist/src/cli/main.js',
    localhsm: 'dist/src/localhsm/main.js',
    'hsm-serve': 'dist/src/localhsm/serve-main.js',
  },
  outdir: 'dist/src/bundles',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // CommonJS dependencies bundled into ESM (yaml) still call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

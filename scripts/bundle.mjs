// Bundles the entry points (cloudhsm-cli, configure-cli, localhsm, HSM node processes) into single files: loading one
// file instead of ~150 ES modules is most of a short command's start-up time. Run after tsc.
import { build } from 'esbuild';

// Native addons stay ordinary imports (pkcs11js is imported only when a PKCS#11 signer is opened).
const external = ['better-sqlite3', 'pkcs11js', 'node-pty'];

/**
 * zod's `z.locales` namespace holds the error texts of ~50 languages (about a third of each bundle, parsed by
 * every process at start); LocalHSM uses only English, the default zod sets itself. Inside the bundles the
 * namespace holds `en` alone. (Tests run the module tree, with every locale.)
 */
const englishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: `${args.resolveDir}/../locales/en.js`, namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: '/',
    }));
  },
};

await build({
  // The bundles sit at the same depth as the modules they replace, so import.meta.url-relative paths hold.
  entryPoints: {
    'cloudhsm-cli': 'dist/src/cli/main.js',
    'configure-cli': 'dist/src/configure/main.js',
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
  plugins: [englishOnly],
  logLevel: 'warning',
});

// pnpm hooks. Only `beforePacking`: what `pnpm pack` / `pnpm publish` write into a
// tarball's package.json. Test-only subpaths stay exported inside the workspace (the
// repository's tests, the bench and worker threads import them from dist/) but are left out
// of published packages, together with what they alone need; `files` leaves their modules
// out of the tarball. CONTRIBUTING.md ("Releases") explains; test/release/ checks it.

/** Subpath exports that exist for the repository's own tests, never published. */
const TEST_ONLY_EXPORTS = ['./testing', './test-support'];
/** Peer dependencies that only the test-only subpaths need. */
const TEST_ONLY_PEERS = { '@sealflow/s3': ['vitest'] };

function beforePacking(pkg) {
  if (pkg.exports !== undefined && typeof pkg.exports === 'object') {
    for (const subpath of TEST_ONLY_EXPORTS) delete pkg.exports[subpath];
  }
  for (const peer of TEST_ONLY_PEERS[pkg.name] ?? []) {
    if (pkg.peerDependencies !== undefined) delete pkg.peerDependencies[peer];
    if (pkg.peerDependenciesMeta !== undefined) delete pkg.peerDependenciesMeta[peer];
  }
  for (const field of ['peerDependencies', 'peerDependenciesMeta']) {
    if (pkg[field] !== undefined && Object.keys(pkg[field]).length === 0) delete pkg[field];
  }
  // Scripts are for building in the workspace; an installed package runs none of them.
  delete pkg.scripts;
  return pkg;
}

export const hooks = { beforePacking };

#!/usr/bin/env node
// The dependency rule of the workspace (`pnpm lint` runs it):
// 1. Stage order: a package imports only the earlier stages it may build on (ALLOWED below: models never imports
//    features, eval never imports serving, …); examples may import every package. Tests, benchmarks and scripts
//    follow the same rule.
// 2. Every @mlsd package a package's non-test source imports is declared in its package.json `dependencies`
//    (or `peerDependencies`), and every one its tests, benchmarks and scripts import is declared somewhere.
// 3. No import cycles between the files of a package (type-only imports count: they tie the files together too).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The @mlsd packages each package may import, in stage order. A new package gets its row here. */
const ALLOWED = {
  data: [],
  features: ['data'],
  models: ['data'],
  neural: ['data', 'models'],
  eval: ['data', 'models'],
  monitoring: ['data', 'eval'],
  serving: ['data', 'features', 'models', 'eval', 'monitoring'],
};

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const problems = [];

function tsFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...tsFiles(path));
    else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Module specifiers of every static import, export-from and dynamic import in a file. */
function specifiers(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  const pattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) found.push(match[1] ?? match[2] ?? match[3]);
  return found;
}

function isTestSupport(file) {
  return /\.test\.ts$/.test(file) || /[\\/]test-support[\\/]/.test(file) || /[\\/](bench|scripts)[\\/]/.test(file);
}

const workspaceDirs = ['packages', 'examples'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(root, group, name))
    .filter((dir) => statSync(dir).isDirectory()),
);

for (const dir of workspaceDirs) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const short = manifest.name.replace(/^@mlsd\//, '');
  const isExample = dir.includes(`${join(root, 'examples')}`);
  const allowed = ALLOWED[short];
  if (!isExample && allowed === undefined) problems.push(`${manifest.name}: has no row in ALLOWED of scripts/check-dependencies.mjs; add one`);
  const runtime = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  const declared = new Set([...runtime, ...Object.keys(manifest.devDependencies ?? {})]);
  const graph = new Map();
  for (const file of tsFiles(dir)) {
    const where = relative(root, file);
    const local = [];
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) {
        local.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        continue;
      }
      const match = /^@mlsd\/([^/]+)/.exec(spec);
      if (match === null) continue;
      const target = match[1];
      if (target === short) continue;
      if (!isExample && allowed !== undefined && !allowed.includes(target)) {
        problems.push(`${where}: imports @mlsd/${target}; @mlsd/${short} may import only ${allowed.map((a) => `@mlsd/${a}`).join(', ') || 'no @mlsd package'}`);
      }
      const needed = isTestSupport(file) ? declared : runtime;
      if (!needed.has(`@mlsd/${target}`)) {
        problems.push(
          `${where}: imports @mlsd/${target}, which ${manifest.name} does not declare in ${isTestSupport(file) ? 'its package.json' : 'dependencies'}`,
        );
      }
    }
    graph.set(file, local);
  }
  // Cycles: depth-first search with colours; report each cycle once, by its files.
  const colour = new Map();
  const stack = [];
  const visit = (file) => {
    colour.set(file, 'grey');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (colour.get(next) === 'grey') {
        const cycle = stack.slice(stack.indexOf(next)).map((f) => relative(root, f));
        problems.push(`import cycle: ${[...cycle, relative(root, next)].join(' → ')}`);
      } else if (colour.get(next) === undefined) visit(next);
    }
    stack.pop();
    colour.set(file, 'black');
  };
  for (const file of graph.keys()) if (colour.get(file) === undefined) visit(file);
}

if (problems.length > 0) {
  process.stderr.write(`dependency rule: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`dependency rule: ${workspaceDirs.length} packages follow the stage order, with no import cycles\n`);

// `npm run bench [-- core token http scale postgres]`: runs the named benchmarks (all but postgres by default) and
// writes bench/results/latest.md and latest.json. postgres is asked for by name: it needs a PostgreSQL server and
// re-runs the http benchmark as its SQLite baseline.
import { progress, writeReport, type Section } from './lib.ts';

const ALL = ['core', 'token', 'http', 'scale'] as const;
const BY_NAME_ONLY = ['postgres', 'timeline'] as const;
type Name = (typeof ALL)[number] | (typeof BY_NAME_ONLY)[number];

const loaders: Record<Name, () => Promise<Section>> = {
  core: async () => (await import('./core.ts')).coreSection(),
  token: async () => (await import('./token.ts')).tokenSection(),
  http: async () => (await import('./http.ts')).httpSection(),
  scale: async () => (await import('./scale.ts')).scaleSection(),
  postgres: async () => (await import('./postgres.ts')).postgresSection(),
  timeline: async () => (await import('./timeline.ts')).timelineSection(),
};

const asked = process.argv.slice(2).filter((a) => a !== '--');
const unknown = asked.filter((a) => !([...ALL, ...BY_NAME_ONLY] as readonly string[]).includes(a));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${[...ALL, ...BY_NAME_ONLY].join(', ')}\n`);
  process.exit(2);
}
const names = (asked.length ? asked : ALL) as Name[];
const startedAt = new Date();
const sections: Section[] = [];
for (const name of names) {
  const t0 = Date.now();
  progress(`${name}: starting`);
  sections.push(await loaders[name]());
  progress(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const files = await writeReport(sections, startedAt);
for (const s of sections) for (const t of s.targets) process.stdout.write(`${t.met ? 'met   ' : 'MISSED'} ${t.label}: ${t.value} (goal ${t.target})\n`);
process.stdout.write(`report: ${files.md}\n        ${files.json}\n`);

import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { z } from 'zod';
import { configSchema } from '../src/config.js';

/** `npm run docs:config` writes this file; a unit test fails when it differs from the schema. */
export const CONFIG_REFERENCE_PATH = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

const HEADER = `# Configuration

<!-- Generated from src/config.ts by \`npm run docs:config\`: edit the settings there, not here. -->

Every variable is read and validated once at start-up (\`src/config.ts\`); a bad value stops the
process with a message naming the variable. Durations take \`ms\`, \`s\`, \`m\`, \`h\`.
\`NODE_ENV=production\` refuses to start with any unsafe setting, listing each on a line of its
own; without it the API listens on loopback only ([production checklist](deploying.md#production-checklist)).
`;

const FOOTER = `## Read by the install and start scripts

These are read before the app starts (\`scripts/ensure-temporal.mjs\`,
\`scripts/ensure-cluster-binaries.mjs\`), not by \`src/config.ts\`.

| variable | default | meaning |
| --- | --- | --- |
| \`FLOODGATE_TEMPORAL_CLI\` / \`FLOODGATE_TEMPORAL_TEST_SERVER\` | unset | use these Temporal binaries instead of fetching |
| \`FLOODGATE_CLUSTER_CACHE\` | \`\${XDG_CACHE_HOME:-~/.cache}/floodgate/cluster/\` | where the cluster profile's programs are built and cached |
| \`FLOODGATE_TEMPORAL_SERVER\` / \`FLOODGATE_TEMPORAL_SQL_TOOL\` / \`FLOODGATE_TEMPORAL_UI_SERVER\` / \`FLOODGATE_TEMPORAL_SCHEMA_DIR\` | unset | explicit cluster profile programs instead of building them |
`;

interface SettingMeta {
  description?: string;
  /** The default as a user would write it, in markdown, where the parsed one reads otherwise. */
  shown?: string;
}

type Def = { type: string; defaultValue?: unknown; in?: z.ZodType; innerType?: z.ZodType };

/**
 * The parsed default of a setting as a user would write it, looking through pipes
 * (transforms); undefined when the setting is optional.
 */
function parsedDefault(setting: z.ZodType): string | undefined {
  const def = setting._zod.def as Def;
  if (def.type === 'pipe' && def.in) return parsedDefault(def.in);
  if (def.type !== 'default' || def.defaultValue === undefined) return undefined;
  const value = def.defaultValue;
  if (typeof value === 'number' && def.innerType?.meta()?.format === 'duration') return inUnit(value);
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Milliseconds in the largest unit that keeps them whole: 300000 → 5m, 50 → 50ms. */
function inUnit(ms: number): string {
  const units: Array<[string, number]> = [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  const [unit, size] = units.find(([, n]) => ms >= n && ms % n === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

function shownDefault(setting: z.ZodType, meta: SettingMeta): string {
  if (meta.shown) return meta.shown;
  const text = parsedDefault(setting);
  if (text === undefined) return 'unset';
  return text === '' ? 'empty' : `\`${text}\``;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/configuration.md as the schema describes it, formatted as the repository's prettier does. */
export async function renderConfigReference(schema: z.ZodObject = configSchema): Promise<string> {
  const rows = Object.entries(schema.shape).map(([name, setting]) => {
    const meta = ((setting as z.ZodType).meta() ?? {}) as SettingMeta;
    if (!meta.description) throw new Error(`src/config.ts: ${name} has no description in its .meta()`);
    return `| \`${name}\` | ${cell(shownDefault(setting as z.ZodType, meta))} | ${cell(meta.description)} |`;
  });
  const table = ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
  const markdown = `${HEADER}\n${table}\n\n${FOOTER}`;
  const options = await resolveConfig(CONFIG_REFERENCE_PATH);
  return format(markdown, { ...options, parser: 'markdown' });
}

async function main(): Promise<void> {
  const next = await renderConfigReference();
  const current = await readFile(CONFIG_REFERENCE_PATH, 'utf8').catch(() => '');
  if (current === next) return void process.stdout.write('docs/configuration.md is up to date\n');
  await writeFile(CONFIG_REFERENCE_PATH, next);
  process.stdout.write('docs/configuration.md written\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CONFIG_REFERENCE_PATH, renderConfigReference } from '../../scripts/config-reference.js';

describe('configuration reference (docs/configuration.md)', () => {
  it('is exactly what src/config.ts generates', async () => {
    const committed = await readFile(CONFIG_REFERENCE_PATH, 'utf8');
    const generated = await renderConfigReference();
    assert.ok(
      committed === generated,
      'docs/configuration.md differs from the settings in src/config.ts: run `npm run docs:config` ' +
        'and commit the result (edit descriptions in src/config.ts, not in the generated file)',
    );
  });

  it('lists every setting with its default, in the unit a user writes', async () => {
    const generated = await renderConfigReference();
    assert.match(generated, /\| `PORT` +\| `3000` +\| API port +\|/);
    assert.match(generated, /\| `WEBHOOK_TOLERANCE` +\| `5m` +\|/);
    assert.match(generated, /\| `WEBHOOK_ADMISSION_TARGET` +\| `50ms` +\|/);
    assert.match(generated, /\| `TEMPORAL_ADDRESS` +\| unset +\|/);
    assert.match(generated, /\| `DOWNLOAD_ALLOWED_HOSTS` +\| `127\.0\.0\.1,localhost` +\|/);
  });

  it('refuses a setting without a description', async () => {
    const schema = z.object({
      DOCUMENTED: z.string().default('x').meta({ description: 'd' }),
      BARE: z.string(),
    });
    await assert.rejects(renderConfigReference(schema), /BARE has no description/);
  });
});

// Writes the generated e2e fixtures (tiny models, bad files) before the browser tests run.
import { resolve } from 'node:path';
import { makeFixtures } from '../scripts/make-fixtures';

export default async function globalSetup(): Promise<void> {
  await makeFixtures(resolve(import.meta.dirname, '.fixtures'));
}

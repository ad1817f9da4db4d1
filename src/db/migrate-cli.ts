import { loadConfig } from '../config/index.js';
import { createDb } from './client.js';
import { migrateToLatest } from './migrate.js';

const config = loadConfig(process.env);
const database = await createDb(config.databaseUrl);
try {
  const applied = await migrateToLatest(database);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The schema is up to date.');
} finally {
  await database.destroy();
}

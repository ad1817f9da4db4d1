import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './client.js';
import { initial } from './migrations/001_initial.js';
import { revocationEvents } from './migrations/002_revocation_events.js';
import { accessGenerations } from './migrations/004_access_generations.js';
import { jobLeases } from './migrations/003_job_leases.js';
import { previousClientSecret } from './migrations/005_previous_client_secret.js';
import { keyLifecycle } from './migrations/006_key_lifecycle.js';
import { projectEvents } from './migrations/007_project_events.js';
import type { DialectMigration } from './migrations/types.js';

/** In order; append, never edit one that has shipped. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '001_initial': initial,
  '002_revocation_events': revocationEvents,
  '003_job_leases': jobLeases,
  '004_access_generations': accessGenerations,
  '005_previous_client_secret': previousClientSecret,
  '006_key_lifecycle': keyLifecycle,
  '007_project_events': projectEvents,
};

class InCodeProvider implements MigrationProvider {
  constructor(private readonly database: Database) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, migration] of Object.entries(MIGRATIONS)) {
      out[name] = { up: (db: Kysely<unknown>) => migration.up(db, this.database.dialect) };
    }
    return out;
  }
}

/** Brings the schema up to date; safe to run from several instances at once (Kysely takes a lock). */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({ db: database.db, provider: new InCodeProvider(database) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

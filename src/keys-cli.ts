import { loadConfig } from './config/index.js';
import { migratedDatabase } from './container.js';
import { createSecrets } from './crypto/secrets.js';
import { loadKeyRing } from './crypto/signing-keys.js';
import { createDataStore } from './db/repositories/index.js';
import { systemClock } from './domain/clock.js';

/**
 * `npm run keys:rotate`: starts a signing-key rotation now (API.md "Tokens"): the new key is published at once
 * and signs after JWKS_MAX_AGE on every instance. `-- --compromised`: the new key signs at once and the current
 * one is unpublished at once, so its tokens stop verifying and their users sign in again.
 */
const compromised = process.argv.includes('--compromised');
const config = loadConfig(process.env);
const store = createDataStore(await migratedDatabase(config.databaseUrl));
try {
  const keys = await loadKeyRing({
    store: store.repos.signingKeys,
    secrets: createSecrets(config.jwtSecret, config.jwtSecretPrevious),
    clock: systemClock,
    algorithm: config.signingAlgorithm,
    jwksMaxAgeSec: config.jwksMaxAgeSec,
    tokenTtlSec: config.accessTokenTtlSec,
    rotationDays: config.keyRotationDays,
    onRotated: () => store.repos.projectEvents.keysRotated(new Date()),
  });
  const before = keys.signingKey.kid;
  const rotated = await keys.rotate({ compromised });
  const published = keys.jwks().body.keys.map((key) => `${key.kid} (${key.alg})`);
  if (!rotated) console.log('A rotation is already under way; nothing changed. Use --compromised to replace the keys now.');
  else if (compromised) console.log(`Key ${before} is unpublished; ${keys.signingKey.kid} signs from now. Its users must sign in again.`);
  else console.log(`A new key is published; it signs from ${config.jwksMaxAgeSec} s from now, when ${before} retires.`);
  console.log(`Published now: ${published.join(', ')}`);
} finally {
  await store.destroy();
}

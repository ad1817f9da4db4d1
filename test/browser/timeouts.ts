import { vi } from 'vitest';

// A browser test drives a real Chromium, a server and argon2 on two shared cores: generous deadlines, which only
// bound a hang (every wait inside is for an element or an answer, never a fixed time). Imported by each suite
// (not by stack.ts, which the screenshot script also uses outside vitest).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

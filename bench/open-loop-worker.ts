/**
 * The open-loop generator (bench/lib/open-loop.ts) as a child process of the harness: it takes one
 * OpenLoopSpec over IPC, runs it, answers with an OpenLoopResult and exits.
 */
import { openLoop, type OpenLoopSpec } from './lib/open-loop.js';

process.once('message', async (spec: OpenLoopSpec) => {
  try {
    const result = await openLoop(spec);
    process.send!({ ok: true, result }, () => process.exit(0));
  } catch (error) {
    process.send!({ ok: false, error: error instanceof Error ? error.stack : String(error) }, () => process.exit(1));
  }
});

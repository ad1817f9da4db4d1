const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "90", "60s", "10m", "8h", "7d" (and "500ms") into seconds; a bare number means seconds. */
export function parseDurationSeconds(value: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  const seconds = amount * (UNIT_SECONDS[unit] ?? 1);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

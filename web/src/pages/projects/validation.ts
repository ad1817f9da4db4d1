import { projects as contract } from '@xtown/contract';
import { t } from '../../messages';

const m = t.projects.rules;

/**
 * The server's own rule (the contract's schema) decides; the message says which part is broken, so that the
 * field explains itself while one types.
 */
export function customProjectIdProblem(raw: string): string | null {
  const value = raw.trim();
  if (contract.customProjectId.safeParse(value).success) return null;
  if (!value) return m.required;
  if (value === 'stats') return m.reserved;
  if (!/^[a-z]/.test(value)) return m.start;
  if (!/^[a-z0-9_-]*$/.test(value)) return m.chars;
  return m.length;
}

export function nameProblem(value: string): string | null {
  if (!value.trim()) return m.nameRequired;
  return value.trim().length > 255 ? m.nameLength : null;
}

export const projectUrlProblem = (value: string): string | null => (contract.projectUrl.safeParse(value).success ? null : m.url);

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** API.md: an https image URL, or a short text (an emoji or up to two letters) shown as the avatar. */
export function iconProblem(raw: string): string | null {
  const value = raw.trim();
  if (!value) return null;
  if (/^https?:\/\//i.test(value)) {
    try {
      return new URL(value).protocol === 'https:' && value.length <= 100 ? null : m.icon;
    } catch {
      return m.icon;
    }
  }
  return [...segmenter.segment(value)].length <= 2 ? null : m.icon;
}

export const descriptionProblem = (value: string): string | null => (value.trim().length > 2000 ? m.descriptionLength : null);

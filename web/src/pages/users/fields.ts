import { looksLikeEmail } from '../../auth/validate';
import { t } from '../../messages';

const c = t.users.create;

/** The form checks of the users pages (the server checks again and its answer lands at the same fields). */
export const validName = (value: string) => (value.trim() ? null : c.nameRequired);
export const validEmail = (value: string) => (looksLikeEmail(value) ? null : c.emailInvalid);
export const validLimit = (value: number | string) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 10_000 ? null : t.users.limitInvalid;

/** An optional text for a create: absent when blank. */
export const optional = (value: string) => value.trim() || undefined;
/** An optional text for an edit: null when blank, so that clearing a field clears it. */
export const clearable = (value: string) => value.trim() || null;

/** MultiSelect works with strings; the API with numbers. */
export const toIds = (values: string[]) => values.map(Number);
export const projectOptions = (projects: { id: number; name: string; customProjectId: string }[]) =>
  projects.map((project) => ({ value: String(project.id), label: `${project.name} (${project.customProjectId})` }));

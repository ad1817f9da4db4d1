import { t } from '../../messages';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A time of the API (ISO, UTC) in the reader's locale and time zone; `empty` when there is none. */
export const formatDateTime = (iso: string | null | undefined, empty: string = t.none) => (iso ? dateTime.format(new Date(iso)) : empty);
export const formatDate = (iso: string) => dateOnly.format(new Date(iso));
export const formatTime = (iso: string) => timeOnly.format(new Date(iso));

/** An audit action as words: USER_SUSPEND → "User suspend". */
export const actionWords = (action: string) => {
  const words = action
    .toLowerCase()
    .replace(/[_.:-]+/g, ' ')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

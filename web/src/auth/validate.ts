import { t } from '../messages';

const v = t.auth.validation;

/** The shape of an address; the server decides the rest. */
export const looksLikeEmail = (value: string) => /^\S+@\S+\.\S+$/.test(value.trim());

/** Mantine form validators shared by the pages before sign-in: null when fine, else the sentence. */
export const validate = {
  email: (value: string) => (looksLikeEmail(value) ? null : v.email),
  otp: (value: string) => (/^\d{4,10}$/.test(value.trim()) ? null : v.otp),
  filled: (message: string) => (value: string) => (value.trim() ? null : message),
};

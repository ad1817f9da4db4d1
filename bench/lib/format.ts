/** The report's number formats, shared by every part of the table. */

/** A number with `digits` decimals and thousands separators; '–' when not measured. */
export const fmt = (value: number | undefined | null, digits = 0) =>
  value === undefined || value === null || Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Milliseconds: two decimals below 10, one above. */
export const ms = (value: number | undefined) => fmt(value, value !== undefined && value < 10 ? 2 : 1);

/** a / b, or null when either is missing. */
export const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : null);

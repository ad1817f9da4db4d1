/** The texts of the audit pages. */
export const audit = {};

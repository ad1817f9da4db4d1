/** The texts of the profile pages. */
export const profile = {};

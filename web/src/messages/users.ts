/** The texts of the users pages. */
export const users = {};

/** The texts of the home pages. */
export const home = {};

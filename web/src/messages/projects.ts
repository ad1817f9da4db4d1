/** The texts of the projects pages. */
export const projects = {};

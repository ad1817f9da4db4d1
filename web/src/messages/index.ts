/**
 * Every text of the dashboard, in English, in this folder: one module per area, one object here. A translation
 * is another object of the same shape.
 */
import { auth } from './auth';
import { common } from './common';
import { errors, formatWait, signedOutReasons } from './errors';

export const t = { ...common, auth, errors, signedOutReasons, formatWait };

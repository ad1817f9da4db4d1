/**
 * Every text of the dashboard, in English, in this folder: one module per area, one object here. A translation
 * is another object of the same shape.
 */
import { audit } from './audit';
import { auth } from './auth';
import { common } from './common';
import { errors, formatWait, signedOutReasons } from './errors';
import { home } from './home';
import { launcher } from './launcher';
import { profile } from './profile';
import { projects } from './projects';
import { users } from './users';

export const t = { ...common, auth, launcher, home, projects, users, audit, profile, errors, signedOutReasons, formatWait };

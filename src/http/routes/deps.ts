import type { Config } from '../../config/index.js';
import type { Budgets } from '../budgets.js';
import type { DeviceCookies } from '../device-cookie.js';
import type { AdminServices } from '../../services/admin/index.js';
import type { AuthServices } from '../../services/index.js';

/** What the resource routes use; access and limits come from each route's declaration (http/route.ts). */
export interface RouteDeps {
  config: Pick<Config, 'secureCookies' | 'cookieOrigins'>;
  auth: AuthServices;
  admin: AdminServices;
  /** The budgets that handlers count themselves: refresh's and the backends' (http/route.ts Budget). */
  budgets: Budgets;
  devices: DeviceCookies;
}

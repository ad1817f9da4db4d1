import { useSearchParams } from 'react-router';
import type { Query } from '../../api/http';

/** The filters and page, as they stand in the URL (so that a reload or a shared link keeps them). */
export interface AuditFilters {
  action: string;
  userId: string;
  /** Days of the reader's calendar, YYYY-MM-DD. */
  from: string;
  to: string;
  success: 'any' | 'true' | 'false';
  page: number;
}

export type FilterName = Exclude<keyof AuditFilters, 'page'>;

export const PAGE_SIZE = 20;

/** The API's rule for an action name (packages/contract audit.ts). */
export const validAction = (value: string) => /^[A-Za-z0-9_.:-]{1,100}$/.test(value);
export const validUserId = (value: string) => /^\d{1,10}$/.test(value) && Number(value) > 0 && Number(value) <= 2_147_483_647;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function useAuditFilters() {
  const [params, setParams] = useSearchParams();
  const success = params.get('success');
  const day = (name: string) => {
    const value = params.get(name) ?? '';
    return DAY.test(value) ? value : '';
  };
  const filters: AuditFilters = {
    action: params.get('action') ?? '',
    userId: params.get('userId') ?? '',
    from: day('from'),
    to: day('to'),
    success: success === 'true' || success === 'false' ? success : 'any',
    page: Math.max(1, Math.floor(Number(params.get('page'))) || 1),
  };
  /** Changes filters (back to page 1) or the page; empty values leave the URL. */
  const update = (changes: Partial<Record<FilterName | 'page', string | null>>) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (!('page' in changes)) next.delete('page');
        for (const [name, value] of Object.entries(changes)) {
          if (value && value !== 'any' && !(name === 'page' && value === '1')) next.set(name, value);
          else next.delete(name);
        }
        return next;
      },
      { replace: true },
    );
  const clear = () => setParams(new URLSearchParams(), { replace: true });
  const active = Boolean(filters.action || filters.userId || filters.from || filters.to || filters.success !== 'any');
  return { filters, update, clear, active };
}

/** A day of the reader's calendar as an instant: its local midnight, or (`end`) the last millisecond of that day. */
function localInstant(day: string, end: boolean): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const start = new Date(year, month - 1, end ? date + 1 : date);
  return new Date(start.getTime() - (end ? 1 : 0)).toISOString();
}

/** The API's query for these filters; invalid values are left out (the field shows why). */
export function apiQuery(filters: AuditFilters): Query {
  return {
    page: filters.page,
    limit: PAGE_SIZE,
    action: filters.action && validAction(filters.action) ? filters.action.toUpperCase() : undefined,
    userId: filters.userId && validUserId(filters.userId) ? filters.userId : undefined,
    from: filters.from ? localInstant(filters.from, false) : undefined,
    to: filters.to ? localInstant(filters.to, true) : undefined,
    success: filters.success === 'any' ? undefined : filters.success,
  };
}

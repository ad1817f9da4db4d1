import { useSearchParams } from 'react-router';
import type { Query } from '../../api/http';

export type YesNo = '' | 'yes' | 'no';
export type RoleFilter = '' | 'ADMIN' | 'SUB_USER';

/** What the users list shows: kept in the URL's search params, so that a reload or a shared link keeps it. */
export interface UserListParams {
  search: string;
  role: RoleFilter;
  activated: YesNo;
  suspended: YesNo;
  page: number;
}

export const PAGE_SIZE = 20;

const oneOf = <T extends string>(value: string | null, allowed: readonly T[]): T | '' => (allowed.includes(value as T) ? (value as T) : '');

export function useUserListParams() {
  const [params, setParams] = useSearchParams();
  const current: UserListParams = {
    search: params.get('search') ?? '',
    role: oneOf(params.get('role'), ['ADMIN', 'SUB_USER'] as const),
    activated: oneOf(params.get('activated'), ['yes', 'no'] as const),
    suspended: oneOf(params.get('suspended'), ['yes', 'no'] as const),
    page: Math.max(1, Math.floor(Number(params.get('page'))) || 1),
  };

  /** Changes some params; any change but the page's goes back to page 1. Typing in the search replaces the history entry. */
  const update = (changes: Partial<UserListParams>) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        for (const [key, value] of Object.entries(changes)) {
          if (value === '' || value === undefined || (key === 'page' && value === 1)) next.delete(key);
          else next.set(key, String(value));
        }
        if (!('page' in changes)) next.delete('page');
        return next;
      },
      { replace: 'search' in changes },
    );

  const filtered = Boolean(current.search || current.role || current.activated || current.suspended);
  const clear = () => setParams({});
  return { params: current, update, filtered, clear };
}

const yesNo = (value: YesNo) => (value ? value === 'yes' : undefined);

/** The API's query for these params (the role filter is the Super Admin's: an Admin sees Sub Users only). */
export function toQuery(params: UserListParams, withRole: boolean): Query {
  return {
    page: params.page,
    limit: PAGE_SIZE,
    search: params.search || undefined,
    role: withRole ? params.role || undefined : undefined,
    isActive: yesNo(params.activated),
    isSuspended: yesNo(params.suspended),
  };
}

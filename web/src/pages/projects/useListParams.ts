import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A list's search and page live in the URL (`?search=&page=`), so that a reload or a shared link keeps them;
 * the search box updates the URL once typing pauses, and a new search starts again at page 1.
 */
export function useListParams(pageKey = 'page') {
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const page = Math.max(1, Math.floor(Number(params.get(pageKey))) || 1);
  const [input, setInput] = useState(search);
  const [debounced] = useDebouncedValue(input.trim(), 300);

  useEffect(() => {
    if (debounced === search) return;
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (debounced) next.set('search', debounced);
        else next.delete('search');
        next.delete(pageKey);
        return next;
      },
      { replace: true },
    );
    // Only a pause in typing writes the URL; `search` changing (back, a link) is handled below.
  }, [debounced]);

  // The URL changed under the box (back button, a link): the box follows it.
  useEffect(() => {
    if (search !== debounced) setInput(search);
  }, [search]);

  const setPage = (next: number) =>
    setParams((previous) => {
      const out = new URLSearchParams(previous);
      if (next > 1) out.set(pageKey, String(next));
      else out.delete(pageKey);
      return out;
    });

  return { search, page, input, setInput, setPage };
}

import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './app/global.css';
import { createSessionClient, hubLogout, hubRefresh } from '@xtown/client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/endpoints';
import { Root } from './app/Root';

// The access token lives in this client's memory only; the refresh token only in the httpOnly cookie.
const session = createSessionClient({ refresh: hubRefresh(), logout: hubLogout() });
const api = createApi(session);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root session={session} api={api} />
  </StrictMode>,
);

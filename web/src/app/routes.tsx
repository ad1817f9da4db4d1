import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';
import ActivatePage from '../pages/auth/ActivatePage';
import { LoginPage } from '../pages/auth/LoginPage';
import ResetPasswordPage from '../pages/auth/ResetPasswordPage';
import SetupPage from '../pages/auth/SetupPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { PublicOnly, SessionGate } from './SessionGate';
import { Shell } from './Shell';

// The pages before sign-in are in the first bundle (a few KB): a lazy one kept the previous page on screen while
// it loaded, so typing there went into the page being left. Every signed-in page (and the charts) loads when
// first opened, inside the frame's Suspense.
const HomePage = lazy(() => import('../pages/home/HomePage'));
const ProjectsPage = lazy(() => import('../pages/projects/ProjectsPage'));
const ProjectPage = lazy(() => import('../pages/projects/ProjectPage'));
const UsersPage = lazy(() => import('../pages/users/UsersPage'));
const UserPage = lazy(() => import('../pages/users/UserPage'));
const AuditPage = lazy(() => import('../pages/audit/AuditPage'));
const ProfilePage = lazy(() => import('../pages/profile/ProfilePage'));

/** The paths here are API.md's fixed list of client-route prefixes; the server answers index.html for them. */
export const createRouter = () =>
  createBrowserRouter([
    {
      path: '/login',
      element: (
        <PublicOnly>
          <LoginPage />
        </PublicOnly>
      ),
    },
    {
      path: '/setup',
      element: (
        <PublicOnly>
          <SetupPage />
        </PublicOnly>
      ),
    },
    { path: '/activate', element: <ActivatePage /> },
    { path: '/reset-password', element: <ResetPasswordPage /> },
    {
      element: <SessionGate />,
      children: [
        {
          element: <Shell />,
          children: [
            { index: true, element: <HomePage /> },
            { path: 'projects', element: <ProjectsPage /> },
            { path: 'projects/:id', element: <ProjectPage /> },
            { path: 'users', element: <UsersPage /> },
            { path: 'users/:id', element: <UserPage /> },
            { path: 'audit', element: <AuditPage /> },
            { path: 'profile', element: <ProfilePage /> },
            { path: '*', element: <NotFoundPage /> },
          ],
        },
      ],
    },
  ]);

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` (port 5173, in COOKIE_ORIGINS by default in development) proxies the API to the service on 5000,
// so the dashboard and the API share one origin, as in production, and the refresh cookie flows.
const api = process.env.XTOWN_API ?? 'http://localhost:5000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    manifest: true,
    assetsDir: 'assets',
    // The CSP allows scripts from 'self' only: no inline module preload polyfill.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 800,
    // No manual chunks: a rolldown chunk group also captures its modules' dependencies (React among them), which
    // made the first bundle import the charts. Automatic splitting keeps recharts with the lazy pages that use it.
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: api, changeOrigin: false }, '/.well-known': api, '/health': api },
  },
});

// PM2 cluster mode (the seed's recommended process manager): several processes of the built
// service on one port. They share nothing in memory, so run them on PostgreSQL or MySQL with
// REDIS_URL set (limits and revocation shared); see "Running several instances" in the README.
//   npm run build && pm2 start ecosystem.config.cjs
module.exports = {
  apps: [
    {
      name: 'xtown-auth',
      script: 'dist/main.js',
      exec_mode: 'cluster',
      // A number, or 'max' for one per CPU.
      instances: process.env.INSTANCES === 'max' ? 'max' : Number(process.env.INSTANCES || 2),
      // Longer than SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS (2 s + 10 s in production by default): PM2 sends
      // SIGINT, then SIGKILL after kill_timeout.
      kill_timeout: 20000,
      listen_timeout: 15000,
      max_memory_restart: '512M',
      // PUBLIC_URL, PORT, DATABASE_URL, REDIS_URL, JWT_SECRET, SMTP_*: from the environment of `pm2 start` or .env.
      env: {
        NODE_ENV: 'production',
      },
    },
  ],
};

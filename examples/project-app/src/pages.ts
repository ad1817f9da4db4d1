import type { XtownUser } from '@xtown/verify';

const escape = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1b1e}
dt{font-weight:600}dd{margin:0 0 .5rem}button{font:inherit;padding:.4rem 1rem}pre{background:#f1f3f5;padding:1rem;overflow:auto}</style>
</head><body>${body}</body></html>`;

/** The signed-in page: who the hub says the user is, and a call to the project's protected API. */
export function signedInPage(user: XtownUser): string {
  return layout(
    user.project.name,
    `<h1>${escape(user.project.name)}</h1>
<p>Signed in through the Xtown Authenticator.</p>
<dl><dt>Name</dt><dd data-testid="user-name">${escape(user.name)}</dd>
<dt>Email</dt><dd data-testid="user-email">${escape(user.email)}</dd>
<dt>Role</dt><dd>${escape(user.customRole ?? user.role)}</dd>
<dt>Project</dt><dd>${escape(user.project.customProjectId)} (id ${escape(user.project.id)})</dd></dl>
<p><button id="call" type="button">Call the protected API</button></p>
<pre id="result" aria-live="polite"></pre>
<form method="post" action="/logout"><button type="submit">Sign out of this project</button></form>
<script type="module" src="/app.js"></script>`,
  );
}

/** Nobody is signed in: the project is opened from the hub's dashboard. */
export function signedOutPage(hubUrl: string, reason?: string): string {
  return layout(
    'Signed out',
    `<h1>Not signed in</h1>
${reason ? `<p role="alert" data-testid="reason">${escape(reason)}</p>` : ''}
<p>Open this project from the <a href="${escape(hubUrl)}">Xtown dashboard</a>.</p>`,
  );
}

/** The page's script: calls the API with the session cookie, which the server turns into the project token. */
export const PAGE_SCRIPT = `const result = document.getElementById('result');
document.getElementById('call').addEventListener('click', async () => {
  const response = await fetch('/api/profile');
  result.textContent = response.status + ' ' + JSON.stringify(await response.json(), null, 2);
});
`;

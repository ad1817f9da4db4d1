export const PRODUCT = 'Xtown Authenticator';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every value that reaches HTML goes through here: names and reasons are typed by users. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Tagged template that escapes each interpolation; pass `raw(...)` for markup built here. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += (value instanceof Raw ? value.value : escapeHtml(value)) + (strings[i + 1] ?? '');
  });
  return new Raw(out);
}

export class Raw {
  constructor(readonly value: string) {}
}

export interface Body {
  /** The greeting line's name, if any. */
  name?: string;
  /** Paragraphs, plain text (escaped for HTML here). */
  paragraphs: string[];
  /** A highlighted code (the OTP), shown large in HTML and on its own line in text. */
  code?: string;
  /** Where to act on it (the dashboard's page for the code), a button in HTML and a line in text. */
  link?: { label: string; url: string };
}

const FOOTER = `This is an automated message from ${PRODUCT}. Please do not reply.`;

export function renderHtml(title: string, body: Body): string {
  const greeting = body.name === undefined ? '' : html`<p style="margin:0 0 16px">Hello ${body.name},</p>`.value;
  const [first = '', ...rest] = body.paragraphs;
  const code = body.code
    ? html`<p style="margin:24px 0;font-size:32px;font-weight:bold;letter-spacing:8px;font-family:monospace;text-align:center">${body.code}</p>`
        .value
    : '';
  const paragraphs = (list: string[]) => list.map((p) => html`<p style="margin:0 0 16px">${p}</p>`.value).join('');
  const link = body.link
    ? html`<p style="margin:0 0 16px"><a href="${body.link.url}" style="display:inline-block;padding:10px 18px;background:#1c7ed6;color:#ffffff;border-radius:6px;text-decoration:none">${body.link.label}</a></p>`
        .value
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px">
<tr><td style="padding:24px 32px;border-bottom:1px solid #e4e7eb;font-size:18px;font-weight:bold">${PRODUCT}</td></tr>
<tr><td style="padding:24px 32px;font-size:15px;line-height:1.5">${new Raw(greeting + paragraphs([first]) + code + link + paragraphs(rest))}</td></tr>
<tr><td style="padding:16px 32px;border-top:1px solid #e4e7eb;font-size:12px;color:#7b8794">${FOOTER}</td></tr>
</table>
</body></html>`.value;
}

export function renderText(body: Body): string {
  const lines: string[] = [];
  if (body.name !== undefined) lines.push(`Hello ${body.name},`, '');
  const [first, ...rest] = body.paragraphs;
  if (first !== undefined) lines.push(first, '');
  if (body.code) lines.push(`    ${body.code}`, '');
  if (body.link) lines.push(`${body.link.label}: ${body.link.url}`, '');
  for (const p of rest) lines.push(p, '');
  lines.push('--', FOOTER, '');
  return lines.join('\n');
}

import { messageEnvelope } from '@xtown/contract';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { route } from '../../src/http/route.js';

const statusesOf = (options: { schema: { response: object } }) => Object.keys(options.schema.response).sort();

describe('route(): one declaration gives the access, budgets, OpenAPI security and standard errors', () => {
  it('a user route with roles and a body: bearer security, 400/401/403/429 besides its own answers', () => {
    const options = route({
      access: 'user',
      roles: ['SUPER_ADMIN'],
      summary: 'x',
      body: z.strictObject({ name: z.string() }),
      response: { 201: messageEnvelope },
      errors: [409],
    });
    expect(options.config.rules).toEqual({ access: 'user', roles: ['SUPER_ADMIN'], limits: ['general'] });
    expect(options.schema).toMatchObject({ security: [{ bearerAuth: [] }] });
    expect(statusesOf(options)).toEqual(['201', '400', '401', '403', '409', '429']);
  });

  it('a public route without input documents only its limit; outside every limit, nothing', () => {
    const open = route({ access: 'public', summary: 'x', response: { 200: messageEnvelope } });
    expect(open.schema).not.toHaveProperty('security');
    expect(statusesOf(open)).toEqual(['200', '429']);
    const unlimited = route({ access: 'public', limits: [], summary: 'x', response: { 200: messageEnvelope } });
    expect(unlimited.config.rules.limits).toEqual([]);
    expect(statusesOf(unlimited)).toEqual(['200']);
  });

  it("a project backend draws on the backend budget, not the general one, and needs no user's token", () => {
    const options = route({ access: 'project-backend', summary: 'x', body: z.object({}), response: { 200: messageEnvelope } });
    expect(options.config.rules).toEqual({ access: 'project-backend', limits: ['backend'] });
    expect(options.schema).not.toHaveProperty('security');
    expect(statusesOf(options)).toEqual(['200', '400', '429']);
  });
});

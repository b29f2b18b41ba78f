import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bearerToken } from '../../../src/http/bearer.ts';
import { createOpenApiDocument, openApiPath } from '../../../src/http/openApiDocument.ts';
import { defineRoute } from '../../../src/http/route.ts';

describe('bearerToken', () => {
  it.each([
    ['Bearer hf_abc', 'hf_abc'],
    ['bearer   hfa.li.secret', 'hfa.li.secret'],
    ['Basic dXNlcg==', null],
    ['Bearer', null],
    ['Bearer two words', null],
    [`Bearer ${'x'.repeat(513)}`, null],
    ['', null],
    [undefined, null],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('openApiPath', () => {
  it('turns Koa parameters into OpenAPI ones', () => {
    expect(openApiPath('/api/flows/:id/versions/:version')).toBe('/api/flows/{id}/versions/{version}');
    expect(openApiPath('/admin/vendor/yaml/*path')).toBe('/admin/vendor/yaml/{path}');
    expect(openApiPath('/api/campaigns/:id/invitations.csv')).toBe('/api/campaigns/{id}/invitations.csv');
  });
});

describe('createOpenApiDocument', () => {
  const routes = [
    defineRoute({
      method: 'post',
      path: '/things/:id',
      auth: 'editor',
      summary: 'Change a thing',
      input: { params: z.object({ id: z.string().regex(/^t\d+$/) }), body: z.object({ name: z.string() }), invalidParams: { code: 'THING_NOT_FOUND', status: 404 } },
      output: { status: 201, schema: z.object({ id: z.string() }).meta({ id: 'Thing' }) },
      errors: { 409: 'THING_LOCKED' },
      handler: () => undefined,
    }),
    defineRoute({ method: 'get', path: '/files/:name', auth: 'public', summary: 'A file', output: { type: 'text/css' }, handler: () => undefined }),
  ];
  const doc = createOpenApiDocument(routes, { title: 't', version: '1', description: 'd' }) as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; required?: boolean }>; responses: Record<string, { description: string }>; security?: unknown[]; 'x-required-role'?: string }>>;
    components: { schemas: Record<string, unknown> };
  };

  it('lists the errors the access and input imply, and the ones a route names', () => {
    const op = doc.paths['/things/{id}']!.post!;
    expect(Object.keys(op.responses).sort()).toEqual(['201', '400', '401', '403', '404', '409', '413', '429']);
    expect(op.responses['404']!.description).toBe('THING_NOT_FOUND');
    expect(op['x-required-role']).toBe('editor');
    expect(op.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(doc.components.schemas).toHaveProperty('Thing');
  });

  it('declares path parameters a route does not describe, and marks open routes as needing no token', () => {
    const op = doc.paths['/files/{name}']!.get!;
    expect(op.parameters).toEqual([expect.objectContaining({ name: 'name', in: 'path' })]);
    expect(op.security).toEqual([]);
    expect(Object.keys(op.responses)).toEqual(['200']);
  });
});

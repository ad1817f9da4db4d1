import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SigningAlgorithm } from '../../../src/domain/keys.js';

/** What a project's backend is configured with: nothing but the service's public address and its own id. */
export interface VerifierConfig {
  jwksUri: string;
  /** PUBLIC_URL. */
  issuer: string;
  /** The customProjectId for project tokens, PUBLIC_URL for access tokens. */
  audience: string;
  /** JWT_SIGNING_ALG, for the libraries that must be told which algorithms to accept. */
  algorithm: SigningAlgorithm;
}

export type Outcome = { ok: true; claims: Record<string, unknown> } | { ok: false; error: string };

export interface Verifier {
  verify(token: string): Promise<Outcome>;
  close(): Promise<void>;
}

/** A JWT library (or middleware) as a project uses it, and the algorithms it verifies with its JWKS fetcher. */
export interface VerifierSpec {
  name: string;
  supports: readonly SigningAlgorithm[];
  /**
   * Algorithms it cannot verify although a part of it advertises them (jwks-rsa and fast-jwt list EdDSA): the
   * matrix checks that such tokens are refused, so the README's table stays true. Other unsupported ones are left out.
   */
  refuses?: readonly SigningAlgorithm[];
  create(config: VerifierConfig): Promise<Verifier>;
}

/** Runs a library call, turning its refusal into an outcome. */
export async function attempt(verify: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, claims: (await verify()) as Record<string, unknown> };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** GET `url` with the token as `Authorization: Bearer`: 200 with the claims the middleware put on the request, else a refusal. */
export async function callProtectedRoute(url: string, token: string): Promise<Outcome> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  if (response.status === 200) return { ok: true, claims: JSON.parse(body) as Record<string, unknown> };
  return { ok: false, error: `${response.status} ${body}` };
}

/**
 * A project's HTTP server on a real socket, and a verifier that calls its protected route `/me`.
 */
export async function serveProtectedRoute(listener: RequestListener): Promise<Verifier> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/me`;
  return {
    verify: (token) => callProtectedRoute(url, token),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

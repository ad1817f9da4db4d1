import { decodeJwt } from 'jose';
import { projectClaims, type ProjectRef, type Verified } from './claims.js';
import { VerifyError } from './errors.js';
import { postJson, type HubCall } from './http.js';

export interface OnlineDeps extends HubCall {
  url: string;
  project: ProjectRef;
  now: () => number;
  cacheMs: number;
  maxEntries: number;
}

interface Answer {
  until: number;
  result: Promise<Verified>;
}

/**
 * validate-token with the projectId, its answers (valid or not) reused for a few seconds, and one request
 * in flight per token however many requests present it at once.
 */
export class OnlineChecker {
  private readonly answers = new Map<string, Answer>();

  constructor(private readonly deps: OnlineDeps) {}

  check(token: string): Promise<Verified> {
    const now = this.deps.now();
    const known = this.answers.get(token);
    if (known !== undefined && known.until > now) return known.result;
    const answer: Answer = { until: now + this.deps.cacheMs, result: this.ask(token) };
    this.answers.delete(token);
    this.answers.set(token, answer);
    // Not being able to ask is not an answer: the next call asks again.
    answer.result.catch((error: unknown) => {
      if (error instanceof VerifyError && error.code === 'SERVICE_UNAVAILABLE' && this.answers.get(token) === answer) {
        this.answers.delete(token);
      }
    });
    if (this.answers.size > this.deps.maxEntries) {
      const oldest = this.answers.keys().next();
      if (!oldest.done) this.answers.delete(oldest.value);
    }
    return answer.result;
  }

  private async ask(token: string): Promise<Verified> {
    await postJson<{ valid: true }>(this.deps, this.deps.url, { token, projectId: this.deps.project.customProjectId });
    // The service has just validated exactly this token for this project, so its payload can be read as it is.
    let payload: ReturnType<typeof decodeJwt>;
    try {
      payload = decodeJwt(token);
    } catch {
      throw new VerifyError('TOKEN_INVALID');
    }
    return projectClaims(payload, '', this.deps.project);
  }
}

export { isVerifyError, refusalBody, VerifyError, type VerifyErrorCode } from './errors.js';
export type { ExchangeResult, HubUser } from './exchange.js';
export {
  bearerToken,
  expressAuth,
  fastifyAuth,
  fetchAuth,
  refusalResponse,
  withXtownUser,
  type FastifyAuthOptions,
  type FastifyLike,
  type NodeLikeRequest,
  type NodeLikeResponse,
} from './middleware.js';
export { SseParser, type SseMessage } from './sse.js';
export type { ProjectEvent, ProjectEventType, VerifierHealth, VerifierOptions, VerifyMode, XtownUser } from './types.js';
export { createVerifier, type Verifier } from './verifier.js';

// The routes the rate limiter never counts: a probe hits them every few seconds, and a limited probe would get a busy instance killed.
export const RATE_LIMIT_EXEMPT = new Set(['/healthz', '/readyz']);

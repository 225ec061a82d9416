/**
 * `@mlsd/serving/resilience`: the fault-tolerance building blocks the scoring service is made of, for services of
 * your own: a circuit breaker with quick half-open probes, a load shedder, and a deadline wrapper.
 */
export { CircuitBreaker } from './circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.js';
export { LoadShedder } from './load-shedder.js';
export type { LoadShedderOptions } from './load-shedder.js';
export { withDeadline } from './deadline.js';

// The node's clock: an interface so tests and the dev clock can stand in for the system time.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

import { z } from 'zod';
import { loadConfig } from '../config';

/** How a process leaves: validated at start-up with the rest of the environment. */
export const shutdownEnv = z.object({
  /**
   * Time between SIGTERM (readiness turns false) and closing the listeners:
   * long enough for a load balancer or Kubernetes endpoints to stop routing
   * here. 0 where nothing routes by readiness (NATS services, local runs).
   */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Work still in flight after this long is abandoned and the process exits 1. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(20_000),
});
export type ShutdownConfig = z.infer<typeof shutdownEnv>;
export const loadShutdownConfig = () => loadConfig(shutdownEnv);

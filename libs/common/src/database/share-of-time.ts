/**
 * Keeps a background job (retention sweeps, SPEC §17) to a share of the
 * time: after a step that took `t` ms, wait `t × (1 − share) / share` ms, so
 * chat's queries find PostgreSQL's CPU and WAL free most of the time. With
 * share 0.25 a sweep works a quarter of the wall-clock time at most.
 */
export async function yieldShareOfTime(startedAtMs: number, share: number): Promise<void> {
  if (share >= 1) return;
  const took = performance.now() - startedAtMs;
  const pause = (took * (1 - share)) / share;
  if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
}

/**
 * CPU time per component while a bench level runs, read from /proc (Linux):
 * each app process of the stack, every PostgreSQL process, the NATS server,
 * and the bench process itself (the load generator). Reported as CPU
 * milliseconds per operation, so a profile says where the time goes.
 */
const { readFileSync, readdirSync } = require('node:fs');

const TICKS_PER_SECOND = 100;

function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the command).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function snapshot(stack) {
  const totals = {};
  const add = (key, ms) => (totals[key] = (totals[key] ?? 0) + ms);
  // In the one-process mode (STACK_TARGET=all) every app is the same process: counted once, as "server (all apps)".
  const byPid = new Map();
  for (const app of stack.apps) byPid.set(app.process.pid, [...(byPid.get(app.process.pid) ?? []), app.name]);
  for (const [pid, names] of byPid) add(names.length > 1 ? 'server (all apps)' : names[0], cpuMsOf(pid));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = commandOf(entry);
    if (comm === 'postgres') add('postgres', cpuMsOf(entry));
    else if (comm === 'nats-server') add('nats', cpuMsOf(entry));
  }
  const own = process.cpuUsage();
  add('bench client', (own.user + own.system) / 1000);
  return totals;
}

/** Starts a measurement; `end(operations)` returns CPU ms per operation by component. */
function measureCpu(stack) {
  const before = snapshot(stack);
  return {
    end(operations) {
      const after = snapshot(stack);
      const perOp = {};
      let total = 0;
      for (const [key, ms] of Object.entries(after)) {
        const used = ms - (before[key] ?? 0);
        total += used;
        perOp[key] = Math.round((used / operations) * 100) / 100;
      }
      perOp.total = Math.round((total / operations) * 100) / 100;
      return perOp;
    },
  };
}

module.exports = { measureCpu, cpuMsOf };

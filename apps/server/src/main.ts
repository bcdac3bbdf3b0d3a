/**
 * The one-process mode (as Grafana Loki's and Mimir's `-target=all`): every
 * app of apps/ in one Node process, each still its own Nest application with
 * its own config, NATS user, subjects and queue groups, so a part of this
 * process and a replica in another process share the work as any two
 * replicas do. TARGET=all (the default) runs all nine; TARGET=a,b runs those.
 * Per-app settings: `<NAME>_<APP>` (docs/deployment.md, "One process").
 */
import { AnyAppSpec, AppName, createLogger, logLevelOrExit, oneProcessEnv, runApps } from '@widget/common';
import { conversationApp } from '@widget/conversation/dist/app';
import { eventsApp } from '@widget/events/dist/app';
import { formsApp } from '@widget/forms/dist/app';
import { gatewayApp } from '@widget/gateway/dist/gateway-app';
import { integrationsApp } from '@widget/integrations/dist/app';
import { knowledgeApp } from '@widget/knowledge/dist/app';
import { realtimeApp } from '@widget/realtime/dist/app';
import { sessionApp } from '@widget/session/dist/app';
import { teamApp } from '@widget/team/dist/app';

/** In start order: the services (together), then the edges that ask them. */
const APPS: AnyAppSpec[] = [sessionApp, teamApp, conversationApp, knowledgeApp, formsApp, eventsApp, integrationsApp, realtimeApp, gatewayApp];

const logger = createLogger('server', logLevelOrExit(process.env));
const target = (process.env.TARGET ?? 'all').split(',').map((name) => name.trim());
const unknown = target.filter((name) => name !== 'all' && !APPS.some((app) => app.name === name));
if (unknown.length > 0 || target.length === 0) {
  logger.fatal(`Invalid configuration:\n  - TARGET: must be "all" or a comma-separated list of ${APPS.map((a) => a.name).join(', ')} (got ${JSON.stringify(process.env.TARGET)})`);
  process.exit(1);
}
const chosen = target.includes('all') ? APPS : APPS.filter((app) => target.includes(app.name));
const names: AppName[] = chosen.map((app) => app.name);
logger.info({ apps: names }, `starting ${names.join(', ')} in one process`);

void runApps(chosen, { envOf: (name) => oneProcessEnv(name, process.env, names), logger }).then(() =>
  logger.info({ apps: names, rssMb: Math.round(process.memoryUsage().rss / 1048576) }, 'every app ready'),
);

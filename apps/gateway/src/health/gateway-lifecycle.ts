import { Injectable } from '@nestjs/common';

/** Readiness turns false as soon as SIGTERM arrives, so load balancers stop sending work first. */
@Injectable()
export class GatewayLifecycle {
  shuttingDown = false;
}

import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { Logger } from 'pino';

/** The HTTP face of a service (probes, /metrics): an unexpected error is logged and answered 500 without internals. */
@Catch()
export class ProbeErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.logger.error({ err: exception }, 'unhandled error in HTTP probe');
    host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): void } }>().status(500).send({ status: 'error' });
  }
}

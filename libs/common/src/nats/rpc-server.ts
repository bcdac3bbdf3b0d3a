import { ArgumentsHost, CallHandler, Catch, ExceptionFilter, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Logger } from 'pino';
import { Observable } from 'rxjs';
import { requestContext } from '../logging';

/** The HTTP face of a service (probes, /metrics): an unexpected error is logged and answered 500 without internals. */
@Catch()
export class ProbeErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.logger.error({ err: exception }, 'unhandled error in HTTP probe');
    host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): void } }>().status(500).send({ status: 'error' });
  }
}

/** Runs each HTTP handler inside its request context (fastify's request id); NATS handlers get theirs from the dispatcher. */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const requestId = context.getType() === 'http' ? context.switchToHttp().getRequest<{ id?: string }>().id : undefined;
    if (!requestId) return next.handle();
    // next.handle() starts the handler at once, so it must be called inside the context.
    return new Observable((subscriber) => requestContext.run({ requestId }, () => next.handle().subscribe(subscriber)));
  }
}

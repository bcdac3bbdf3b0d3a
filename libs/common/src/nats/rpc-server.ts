import { ArgumentsHost, CallHandler, Catch, ExceptionFilter, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { NatsContext, NatsOptions, Transport } from '@nestjs/microservices';
import { REQUEST_ID_HEADER } from '@widget/contracts';
import { Logger } from 'pino';
import { Observable, tap, throwError } from 'rxjs';
import { AppError, Errors, WireError } from '../errors';
import { requestContext } from '../logging';
import { NatsConnectOptions } from './connection';

/** Options of the NATS transport for a service; queue: replicas share requests, none: each gets every event. */
export function natsServerOptions(connection: NatsConnectOptions, queue?: string): NatsOptions {
  return {
    transport: Transport.NATS,
    options: { ...connection, queue, maxReconnectAttempts: -1, reconnectTimeWait: 250 },
  };
}

/** Sends AppError over the wire intact; anything else is logged and becomes internal_error. */
@Catch()
export class RpcErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<WireError> | void {
    if (host.getType() === 'http') {
      // Services serve only probes over HTTP; never leak internals there either.
      this.logger.error({ err: exception }, 'unhandled error in HTTP probe');
      host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): void } }>().status(500).send({ status: 'error' });
      return;
    }
    if (exception instanceof AppError) return throwError(() => exception.toWire());
    this.logger.error({ err: exception }, 'unhandled error in NATS handler');
    return throwError(() => Errors.internal().toWire());
  }
}

/**
 * Runs each handler inside its request context: the `x-request-id` NATS header
 * in services, fastify's request id at the gateway.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  /** With a logger, each NATS message handled is logged once (subject, outcome, duration). */
  constructor(private readonly logger?: Logger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    let requestId: string | undefined;
    let subject: string | undefined;
    if (context.getType() === 'rpc') {
      const natsContext = context.switchToRpc().getContext<NatsContext>();
      requestId = natsContext.getHeaders?.()?.get(REQUEST_ID_HEADER) || undefined;
      subject = natsContext.getSubject();
    } else if (context.getType() === 'http') {
      requestId = context.switchToHttp().getRequest<{ id?: string }>().id;
    }
    // next.handle() starts the handler at once, so it must be called inside the context.
    const handle = () => (this.logger && subject ? next.handle().pipe(this.logHandled(subject, requestId)) : next.handle());
    if (!requestId) return handle();
    return new Observable((subscriber) => requestContext.run({ requestId }, () => handle().subscribe(subscriber)));
  }

  private logHandled(subject: string, requestId: string | undefined) {
    const started = performance.now();
    const ms = () => Math.round((performance.now() - started) * 10) / 10;
    const logger = this.logger as Logger;
    return tap({
      complete: () => logger.info({ requestId, subject, ms: ms() }, 'handled'),
      error: (err: unknown) =>
        logger.info({ requestId, subject, ms: ms(), code: err instanceof AppError ? err.code : 'internal_error' }, 'handled with error'),
    });
  }
}

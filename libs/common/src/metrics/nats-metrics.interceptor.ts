import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { Observable, tap } from 'rxjs';
import { Metrics, outcomeOf, subjectLabel } from './metrics';

/** Times every NATS request a service handles; the outcome is `ok` or the AppError code it answered with. */
@Injectable()
export class NatsMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: Metrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const subject = subjectLabel(context.switchToRpc().getContext<NatsContext>().getSubject());
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    return next.handle().pipe(
      tap({
        complete: () => this.metrics.observeNats(subject, 'ok', seconds()),
        error: (err: unknown) => this.metrics.observeNats(subject, outcomeOf(err), seconds()),
      }),
    );
  }
}
